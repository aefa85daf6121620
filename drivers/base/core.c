/*
 * Devices (include/drivers/device.h): registering and unregistering them, the list of
 * all of them, and the shell's `devices` command that shows it.
 *
 * device_register() links the device on the list of all devices and on its bus, then
 * asks the bus for a driver (drivers/base/dd.c). device_unregister() undoes this in
 * reverse: unbind (the driver's remove(), then its managed resources), unlink, release
 * whatever resources are still attached to the device itself, call dev->release.
 *
 * Invariant: a device is on the list of all devices exactly while it is registered,
 * and then also on its bus's list if it has a bus. Serialisation: the driver core is
 * called from process context, one thread at a time (the boot CPU's shell, kernel
 * tests, demos), and no lock is held across probe() or remove(), which may register or
 * unregister other devices. Linux serialises the same work with device_lock(), a
 * mutex per device, and reference-counted klists; we add them along with sleeping
 * locks and a second CPU. docs/devres.md walks through a device's life.
 */
#include <drivers/devres.h>
#include <kernel/console.h>
#include <kernel/ksyms.h>
#include <kernel/oops.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <lib/string.h>

static struct list_head devices_list = LIST_HEAD_INIT(devices_list);

const char *dev_driver_string(const struct device *dev)
{
	struct device_driver *drv = READ_ONCE(dev->driver);

	if (drv)
		return drv->name;
	return dev->bus ? dev->bus->name : "";
}

bool device_is_registered(const struct device *dev)
{
	return dev->node.next && !list_empty(&dev->node);
}

static struct device *bus_find_device_by_name(struct bus_type *bus, const char *name)
{
	struct device *dev;

	list_for_each_entry(dev, &bus->devices, bus_node)
		if (strcmp(dev->name, name) == 0)
			return dev;
	return NULL;
}

/* The private fields; the caller's (name, bus, parent, release) are left alone. */
static void device_initialize(struct device *dev)
{
	dev->driver = NULL;
	dev->driver_data = NULL;
	dev->devres_lock = (spinlock_t)SPINLOCK_INIT;
	INIT_LIST_HEAD(&dev->devres_head);
	INIT_LIST_HEAD(&dev->node);
	INIT_LIST_HEAD(&dev->bus_node);
	INIT_LIST_HEAD(&dev->driver_node);
}

int device_register(struct device *dev)
{
	if (!dev->name || !dev->name[0]) {
		pr_err("device_register: a device needs a name\n");
		return -EINVAL;
	}
	if (device_is_registered(dev)) {
		pr_err("device_register: %s is already registered\n", dev->name);
		return -EEXIST;
	}
	if (dev->bus && WARN_ON(!dev->bus->devices.next))	/* bus_register() forgotten */
		return -EINVAL;
	if (dev->bus && bus_find_device_by_name(dev->bus, dev->name)) {
		pr_err("device_register: bus %s already has a device called %s\n", dev->bus->name,
		       dev->name);
		return -EEXIST;
	}
	device_initialize(dev);
	list_add_tail(&dev->node, &devices_list);
	if (!dev->bus)
		return 0;
	list_add_tail(&dev->bus_node, &dev->bus->devices);
	pr_debug("bus: '%s': add device %s\n", dev->bus->name, dev->name);
	device_attach(dev);
	return 0;
}

void device_unregister(struct device *dev)
{
	char sym[KSYM_NAME_LEN];
	int leftover;

	if (!device_is_registered(dev)) {
		sprint_symbol(sym, sizeof(sym), (uint64_t)__builtin_return_address(0));
		pr_err("device_unregister: %s is not registered, ignored (called from %s)\n",
		       dev->name ? dev->name : "(unnamed)", sym);
		return;
	}
	if (dev->bus) {
		device_release_driver(dev);
		list_del(&dev->bus_node);
		pr_debug("bus: '%s': remove device %s\n", dev->bus->name, dev->name);
	}
	list_del(&dev->node);
	/* Resources taken with no driver bound (by whoever created the device) go now. */
	leftover = devres_release_all(dev);
	if (leftover > 0)
		pr_debug("device: %s: released %d resources held without a driver\n", dev->name,
			 leftover);
	if (dev->release)
		dev->release(dev);
}

/*
 * `devices`: every registered device, in registration order, with its bus, its
 * driver and how many managed resources it holds; -v lists the resources too.
 */
static int cmd_devices(int argc, char **argv)
{
	bool verbose = false;
	struct device *dev;

	if (argc == 2 && strcmp(argv[1], "-v") == 0)
		verbose = true;
	else if (argc != 1)
		return -EINVAL;
	console_printf("%-20s %-10s %-16s %6s  %s\n", "DEVICE", "BUS", "DRIVER", "DEVRES",
		       "PARENT");
	list_for_each_entry(dev, &devices_list, node) {
		console_printf("%-20s %-10s %-16s %6u  %s\n", dev->name,
			       dev->bus ? dev->bus->name : "-",
			       dev->driver ? dev->driver->name : "-", devres_count(dev),
			       dev->parent ? dev->parent->name : "-");
		if (verbose)
			devres_show(dev, "    ");
	}
	return 0;
}
SHELL_COMMAND(devices, cmd_devices, "devices [-v]",
	      "registered devices: bus, bound driver, managed resources (-v lists them)");

/*
 * Buses and drivers (include/drivers/device.h). A bus keeps two lists, its devices
 * and its drivers, both in registration order; which driver fits which device is the
 * bus's match() (drivers/base/testbus.c has one). Registering a driver puts it on its
 * bus and offers it every unbound device (driver_attach, drivers/base/dd.c);
 * unregistering it unbinds its devices first, so no device is left pointing at a
 * driver that is gone.
 *
 * Invariant: a driver is on its bus's list exactly while registered, and every device
 * on drv->devices has dev->driver == drv. Serialisation as in drivers/base/core.c.
 */
#include <drivers/device.h>
#include <kernel/ksyms.h>
#include <kernel/oops.h>
#include <lib/errno.h>
#include <lib/string.h>

int bus_register(struct bus_type *bus)
{
	if (!bus->name)
		return -EINVAL;
	INIT_LIST_HEAD(&bus->devices);
	INIT_LIST_HEAD(&bus->drivers);
	return 0;
}

static bool driver_is_registered(const struct device_driver *drv)
{
	return drv->bus_node.next && !list_empty(&drv->bus_node);
}

static struct device_driver *driver_find(const char *name, struct bus_type *bus)
{
	struct device_driver *drv;

	list_for_each_entry(drv, &bus->drivers, bus_node)
		if (strcmp(drv->name, name) == 0)
			return drv;
	return NULL;
}

int driver_register(struct device_driver *drv)
{
	if (!drv->name || !drv->bus) {
		pr_err("driver_register: a driver needs a name and a bus\n");
		return -EINVAL;
	}
	if (WARN_ON(!drv->bus->drivers.next))	/* bus_register() forgotten */
		return -EINVAL;
	if (driver_is_registered(drv) || driver_find(drv->name, drv->bus)) {
		pr_err("Error: Driver '%s' is already registered, aborting...\n", drv->name);
		return -EBUSY;
	}
	INIT_LIST_HEAD(&drv->devices);
	list_add_tail(&drv->bus_node, &drv->bus->drivers);
	pr_debug("bus: '%s': add driver %s\n", drv->bus->name, drv->name);
	return driver_attach(drv);
}

void driver_unregister(struct device_driver *drv)
{
	char sym[KSYM_NAME_LEN];

	if (!driver_is_registered(drv)) {
		sprint_symbol(sym, sizeof(sym), (uint64_t)__builtin_return_address(0));
		pr_err("driver_unregister: driver '%s' is not registered, ignored "
		       "(called from %s)\n", drv->name ? drv->name : "(unnamed)", sym);
		return;
	}
	/* Off the bus first, so that no device registered meanwhile can bind to it. */
	list_del(&drv->bus_node);
	pr_debug("bus: '%s': remove driver %s\n", drv->bus->name, drv->name);
	driver_detach(drv);
}

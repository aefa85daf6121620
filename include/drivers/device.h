/*
 * The device model (drivers/base/), a small copy of Linux's: a struct device is a
 * thing the kernel knows exists, a struct device_driver is code that can drive some
 * devices, and a struct bus_type says which driver fits which device (its match()).
 * Registering a device looks for a driver on its bus; registering a driver looks for
 * devices; a match is tried with the driver's probe(). While bound, dev->driver is set
 * and the driver's managed resources (devm_*, include/drivers/devres.h) hang on the
 * device; unbinding calls remove() and then releases them, newest first.
 *
 *   drivers/base/core.c     device_register/device_unregister, the `devices` command
 *   drivers/base/bus.c      bus_register, driver_register/driver_unregister
 *   drivers/base/dd.c       binding: device_attach, driver_attach, device_release_driver
 *   drivers/base/devres.c   managed resources
 *   drivers/base/testbus.c  "testbus", a bus for fake devices in tests and demos
 *   drivers/base/devres_demo.c  demo=devres: a pretend driver binding and failing
 *
 * Not here (yet): reference counts (Linux's kobject, get_device/put_device), sysfs,
 * deferred and asynchronous probing, device links, power management. docs/devres.md
 * explains binding and managed resources.
 */
#ifndef DRIVERS_DEVICE_H
#define DRIVERS_DEVICE_H

#include <kernel/compiler.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <lib/list.h>

struct device;
struct device_driver;

struct bus_type {
	const char *name;
	/* Can @drv drive @dev? Nonzero: try its probe. NULL: every driver matches. */
	int (*match)(struct device *dev, struct device_driver *drv);

	/* private to drivers/base: set up by bus_register() or BUS_TYPE_LISTS_INIT() */
	struct list_head devices;	/* struct device.bus_node, registration order */
	struct list_head drivers;	/* struct device_driver.bus_node, registration order */
};

/*
 * A bus defined statically can have its lists set up at compile time, which is how
 * testbus is ready without an init call (the kernel has no initcalls yet):
 *	struct bus_type foo_bus = { .name = "foo", BUS_TYPE_LISTS_INIT(foo_bus) };
 */
#define BUS_TYPE_LISTS_INIT(bus)                                                      \
	.devices = LIST_HEAD_INIT((bus).devices), .drivers = LIST_HEAD_INIT((bus).drivers)

struct device_driver {
	const char *name;
	struct bus_type *bus;
	/*
	 * Called with dev->driver already set. 0: bound. -errno: not bound, and every
	 * resource the probe took with devm_* has been released again when the driver
	 * core returns (-ENODEV and -ENXIO mean "not mine" and are not reported).
	 */
	int (*probe)(struct device *dev);
	/* Unbinding: called while the managed resources still exist; they go after it. */
	void (*remove)(struct device *dev);

	/* private to drivers/base */
	struct list_head bus_node;	/* on bus->drivers while registered */
	struct list_head devices;	/* bound devices: struct device.driver_node */
};

struct device {
	const char *name;		/* unique on its bus */
	struct device *parent;		/* or NULL; not reference-counted, see above */
	struct bus_type *bus;		/* or NULL: a device no driver will bind */
	struct device_driver *driver;	/* the bound driver, or NULL */
	void *driver_data;		/* the bound driver's state: dev_set_drvdata() */
	/* Called last by device_unregister() to free the device, if it was allocated. */
	void (*release)(struct device *dev);

	/* private to drivers/base */
	spinlock_t devres_lock;		/* protects devres_head */
	struct list_head devres_head;	/* struct devres_node.entry, oldest first */
	struct list_head node;		/* on the list of all devices while registered */
	struct list_head bus_node;	/* on bus->devices while registered */
	struct list_head driver_node;	/* on driver->devices while bound */
};

static inline const char *dev_name(const struct device *dev)
{
	return dev->name;
}

static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->driver_data;
}

static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->driver_data = data;
}

/* The bound driver's name, else the bus's, else "": the prefix of dev_err() and friends. */
const char *dev_driver_string(const struct device *dev);

/*
 * Messages about a device, as Linux prints them: "<driver or bus> <device>: text".
 * dev_dbg() is a KERN_DEBUG message (loglevel=8 shows it).
 */
#define dev_printk(level, dev, fmt, ...)                                              \
	printk(level "%s %s: " fmt, dev_driver_string(dev), dev_name(dev), ##__VA_ARGS__)
#define dev_crit(dev, fmt, ...)	dev_printk(KERN_CRIT, dev, fmt, ##__VA_ARGS__)
#define dev_err(dev, fmt, ...)	dev_printk(KERN_ERR, dev, fmt, ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...)	dev_printk(KERN_WARNING, dev, fmt, ##__VA_ARGS__)
#define dev_info(dev, fmt, ...)	dev_printk(KERN_INFO, dev, fmt, ##__VA_ARGS__)
#define dev_dbg(dev, fmt, ...)	dev_printk(KERN_DEBUG, dev, fmt, ##__VA_ARGS__)

/*
 * Devices (drivers/base/core.c). device_register() sets up @dev's private fields (the
 * caller fills name, bus, parent, release and zeroes the rest), puts it on its bus and
 * tries to bind a driver; it returns 0 even when no driver binds or a probe fails
 * (dev->driver says which), or -EINVAL (no name), -EEXIST (name taken on the bus, or
 * @dev already registered). device_unregister() unbinds the driver (remove(), then
 * the managed resources), takes the device off its bus, releases resources still
 * attached to it, and calls dev->release.
 */
int device_register(struct device *dev);
void device_unregister(struct device *dev);
bool device_is_registered(const struct device *dev);

/*
 * Buses and drivers (drivers/base/bus.c). driver_register() puts @drv on its bus and
 * probes every unbound device that matches; 0, or -EINVAL (no bus or name), -EBUSY
 * (a driver of that name is already on the bus). driver_unregister() unbinds every
 * device bound to @drv, newest binding first, and takes @drv off the bus.
 */
int bus_register(struct bus_type *bus);
int driver_register(struct device_driver *drv);
void driver_unregister(struct device_driver *drv);

/*
 * Binding (drivers/base/dd.c). device_attach(): try @dev with each driver of its bus
 * in registration order until one binds; 1 if bound (or already bound), 0 if not.
 * driver_attach(): try @drv with every unbound device of its bus; returns 0.
 * device_release_driver(): unbind @dev if bound. driver_detach(): unbind every device
 * bound to @drv. None of them may be called from an interrupt handler.
 */
int device_attach(struct device *dev);
int driver_attach(struct device_driver *drv);
void device_release_driver(struct device *dev);
void driver_detach(struct device_driver *drv);

/*
 * The bus of fake devices (drivers/base/testbus.c), matched by name as Linux's platform
 * bus does: driver "foo" drives devices "foo" and "foo.<anything>".
 */
extern struct bus_type testbus_type;

#endif

/*
 * Binding devices to drivers (include/drivers/device.h), named after Linux's
 * drivers/base/dd.c ("device driver").
 *
 * really_probe() is the one place a binding starts: it sets dev->driver, calls the
 * driver's probe(), and either records the binding or, when probe() fails, releases
 * every managed resource the probe took (devres_release_all, newest first) and clears
 * dev->driver again, so a failed probe leaves the device exactly as it found it.
 * device_release_driver() is the one place a binding ends: remove() first, while the
 * managed resources still exist, then devres_release_all(), then the pointers.
 *
 * Invariants: a device has no managed resources while unbound and not probing (a probe
 * that finds some refuses with -EBUSY, as Linux does); dev->driver != NULL outside a
 * probe means dev is on dev->driver->devices. A failed probe is not an error of the
 * registration that caused it: device_register() and driver_register() still return 0,
 * and the next driver may try. docs/devres.md follows a bind and an unbind.
 */
#include <drivers/devres.h>
#include <kernel/printk.h>
#include <lib/errno.h>

static int driver_match_device(struct device_driver *drv, struct device *dev)
{
	return drv->bus->match ? drv->bus->match(dev, drv) : 1;
}

/* Returns 1 if @drv is now bound to @dev, 0 if its probe refused or failed. */
static int really_probe(struct device *dev, struct device_driver *drv)
{
	int ret, released;

	if (!list_empty(&dev->devres_head)) {
		dev_crit(dev, "Resources present before probing\n");
		return 0;
	}
	pr_debug("bus: '%s': probing driver %s with device %s\n", drv->bus->name, drv->name,
		 dev_name(dev));
	dev->driver = drv;
	ret = drv->probe ? drv->probe(dev) : 0;
	if (ret == 0) {
		list_add_tail(&dev->driver_node, &drv->devices);
		pr_debug("bus: '%s': bound device %s to driver %s\n", drv->bus->name,
			 dev_name(dev), drv->name);
		return 1;
	}

	/* The probe failed: undo whatever it took, newest first, and forget the driver. */
	released = devres_release_all(dev);
	dev->driver = NULL;
	dev_set_drvdata(dev, NULL);
	if (ret == -ENODEV || ret == -ENXIO)
		dev_dbg(dev, "probe with driver %s rejects match %d\n", drv->name, ret);
	else
		dev_err(dev, "probe with driver %s failed with error %d (%d resources released)\n",
			drv->name, ret, released);
	return 0;
}

int device_attach(struct device *dev)
{
	struct device_driver *drv;

	if (dev->driver)
		return 1;
	if (!dev->bus)
		return 0;
	list_for_each_entry(drv, &dev->bus->drivers, bus_node)
		if (driver_match_device(drv, dev) && really_probe(dev, drv))
			return 1;
	return 0;
}

int driver_attach(struct device_driver *drv)
{
	struct device *dev;

	/*
	 * A probe may register devices (a bus driver adding its children): they join the
	 * tail of the list, which this walk is fine with; they were already offered to
	 * every driver, this one included, when they were registered.
	 */
	list_for_each_entry(dev, &drv->bus->devices, bus_node)
		if (!dev->driver && driver_match_device(drv, dev))
			really_probe(dev, drv);
	return 0;
}

void device_release_driver(struct device *dev)
{
	struct device_driver *drv = dev->driver;
	int released;

	if (!drv)
		return;
	pr_debug("bus: '%s': unbinding device %s from driver %s\n", drv->bus->name,
		 dev_name(dev), drv->name);
	list_del(&dev->driver_node);
	if (drv->remove)
		drv->remove(dev);
	released = devres_release_all(dev);
	dev->driver = NULL;
	dev_set_drvdata(dev, NULL);
	pr_debug("bus: '%s': unbound device %s (%d resources released)\n", drv->bus->name,
		 dev_name(dev), released);
}

void driver_detach(struct device_driver *drv)
{
	/*
	 * Newest binding first, and from the list each time rather than with an iterator:
	 * a remove() may unregister other devices of this driver (its children).
	 */
	while (!list_empty(&drv->devices)) {
		struct device *dev = list_entry(drv->devices.prev, struct device, driver_node);

		device_release_driver(dev);
	}
}

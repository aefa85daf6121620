/*
 * testbus: a bus with no hardware behind it, for the kernel tests and the devres demo
 * to register fake devices and drivers on. Matching is by name, as on Linux's platform
 * bus: the driver "foo" drives the devices "foo" and "foo.<anything>" ("foo.0",
 * "foo.fail"), and nothing else, so tests that use different names never see each
 * other's devices. The bus's lists are set up at compile time (the kernel has no
 * initcalls yet), so it is usable from the first instruction of kmain.
 */
#include <drivers/device.h>
#include <lib/string.h>

static int testbus_match(struct device *dev, struct device_driver *drv)
{
	size_t n = strlen(drv->name);

	if (strncmp(dev_name(dev), drv->name, n) != 0)
		return 0;
	return dev_name(dev)[n] == '\0' || dev_name(dev)[n] == '.';
}

struct bus_type testbus_type = {
	.name = "testbus",
	.match = testbus_match,
	BUS_TYPE_LISTS_INIT(testbus_type),
};

/*
 * demo=devres (or `demo devres` in the shell): managed resources seen at work, with
 * devres.log on for the duration so every record added and released is printed.
 * A pretend "demo-sensor" driver on testbus probes two pretend sensors. Its probe
 * takes, in order: its state (devm_kzalloc), "power on" with "power off" as a managed
 * action, a scratch buffer it frees early (devm_kfree), a sample buffer, and "IRQ on"
 * with "IRQ off" as an action. Sensor 0 answers and binds; sensor 1 does not answer
 * its ID register, so its probe fails holding three resources (it took four and gave
 * one back early), which the driver core releases newest first. Then `devices -v` shows what sensor 0 holds, and
 * unregistering the driver calls remove() and releases them, again newest first.
 * The sensors' parent is "demo-hub", a device on no bus. Everything is unregistered at
 * the end, children before their parent, so the demo can run again. docs/devres.md
 * shows and explains this output.
 */
#include <drivers/devres.h>
#include <kernel/console.h>
#include <kernel/demo.h>
#include <kernel/shell.h>
#include <lib/errno.h>

/* A bus wraps struct device in its own device type, as Linux's platform_device does. */
struct sensor_device {
	struct device dev;
	bool answers;		/* does the pretend hardware reply to its ID register? */
};

struct sensor {
	struct device *dev;
	uint8_t *samples;
};

#define NR_SAMPLES	2048

static void sensor_power_off(void *data)
{
	struct sensor *s = data;

	dev_info(s->dev, "power off\n");
}

static void sensor_irq_off(void *data)
{
	struct sensor *s = data;

	dev_info(s->dev, "IRQ off\n");
}

static int sensor_probe(struct device *dev)
{
	struct sensor_device *sdev = container_of(dev, struct sensor_device, dev);
	struct sensor *s;
	void *scratch;
	int ret;

	s = devm_kzalloc(dev, sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->dev = dev;
	dev_info(dev, "power on\n");
	ret = devm_add_action_or_reset(dev, sensor_power_off, s);
	if (ret)
		return ret;

	/* Only needed while probing: give it back now rather than at unbind. */
	scratch = devm_kmalloc(dev, 512, GFP_KERNEL);
	if (!scratch)
		return -ENOMEM;
	devm_kfree(dev, scratch);

	s->samples = devm_kmalloc(dev, NR_SAMPLES, GFP_KERNEL);
	if (!s->samples)
		return -ENOMEM;
	if (!sdev->answers) {
		dev_err(dev, "no answer from the ID register\n");
		return -EIO;	/* no cleanup code: the driver core releases it all */
	}
	dev_info(dev, "IRQ on\n");
	ret = devm_add_action_or_reset(dev, sensor_irq_off, s);
	if (ret)
		return ret;
	dev_set_drvdata(dev, s);
	return 0;
}

static void sensor_remove(struct device *dev)
{
	dev_info(dev, "remove: the managed resources are still here\n");
}

static struct device_driver sensor_driver = {
	.name = "demo-sensor",
	.bus = &testbus_type,
	.probe = sensor_probe,
	.remove = sensor_remove,
};

/* The sensors hang off a pretend controller, a device on no bus that no driver binds. */
static struct device hub = { .name = "demo-hub" };

#define SENSOR(id) { .name = "demo-sensor." #id, .parent = &hub, .bus = &testbus_type }

static struct sensor_device sensors[] = {
	{ .dev = SENSOR(0), .answers = true },
	{ .dev = SENSOR(1), .answers = false },
};

static void show_devices(void)
{
	char cmd[] = "devices -v";

	console_printf("\n# devices -v\n");
	shell_execute(cmd);
	console_printf("\n");
}

static void demo_devres(void)
{
	bool log_was = devres_log;

	devres_log = true;
	device_register(&hub);
	console_printf("\n1. register the driver demo-sensor (no sensors yet)\n");
	driver_register(&sensor_driver);
	for (unsigned int i = 0; i < ARRAY_SIZE(sensors); i++) {
		console_printf("\n%u. register %s: it matches demo-sensor, which probes it\n",
			       i + 2, sensors[i].dev.name);
		device_register(&sensors[i].dev);
	}
	show_devices();
	console_printf("4. unregister the driver: remove(), then the resources, newest first\n");
	driver_unregister(&sensor_driver);
	show_devices();
	for (unsigned int i = 0; i < ARRAY_SIZE(sensors); i++)
		device_unregister(&sensors[i].dev);
	device_unregister(&hub);	/* last: its children point at it */
	devres_log = log_was;
}
DEMO(devres, demo_devres, "managed resources: a driver's probe fails, another binds and unbinds");

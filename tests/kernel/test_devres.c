/*
 * Managed device resources and binding (drivers/base/, docs/devres.md), on testbus.
 * The test driver's probe takes a fixed sequence of resources (buffers from
 * devm_kmalloc/devm_kzalloc, actions, a generic devres record, one buffer of several
 * pages) and every release that can be observed appends an event, so the order of
 * release is checked, not just that it happened. Memory is checked through the page
 * allocator (nr_free_pages after drain_all_pages) and the kmalloc counters: each
 * scenario runs once first, so that slab pages it makes the caches grow by are there
 * before the "before" snapshot, and then again to be measured.
 */
#include <drivers/devres.h>
#include <kernel/ktest.h>
#include <kernel/log.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <mm/slab.h>

#define DRV_NAME	"devres-test"

/* Events: action and record ids (1..9), and these. */
#define EV_REMOVE	100	/* the driver's remove() */
#define EV_RELEASE	101	/* the device's release() */

static int events[32];
static unsigned int nr_events;

static void record(int ev)
{
	if (nr_events < ARRAY_SIZE(events))
		events[nr_events++] = ev;
}

static void reset_events(void)
{
	nr_events = 0;
	memset(events, 0, sizeof(events));
}

/* Did exactly @n events happen, equal to @want[0..n)? */
static bool events_are(const int *want, unsigned int n)
{
	return nr_events == n && memcmp(events, want, n * sizeof(int)) == 0;
}

static void action(void *data)
{
	record((int)(long)data);
}

/* A generic devres record whose release is seen. */
struct marker {
	int id;
};

static void marker_release(struct device *dev, void *res)
{
	(void)dev;
	record(((struct marker *)res)->id);
}

/* What the probe does and what it saw. */
static struct {
	int ret;		/* returned after taking every resource */
	unsigned int taken;	/* devres_count() at the end of the probe */
	bool zeroed;		/* the devm_kzalloc buffer was all zeroes */
	unsigned int remove_saw;	/* devres_count() when remove() ran */
	uint8_t *small, *zeroes, *big;
} ctx;

#define NR_TAKEN	7
#define BIG_SIZE	(5 * PAGE_SIZE)	/* above KMALLOC_MAX_CACHE_SIZE: whole pages */

static int test_probe(struct device *dev)
{
	struct marker *m;

	ctx.small = devm_kmalloc(dev, 100, GFP_KERNEL);
	if (!ctx.small || devm_add_action(dev, action, (void *)1))
		return -ENOMEM;
	ctx.zeroes = devm_kzalloc(dev, 700, GFP_KERNEL);
	if (!ctx.zeroes)
		return -ENOMEM;
	ctx.zeroed = true;
	for (int i = 0; i < 700; i++)
		ctx.zeroed &= ctx.zeroes[i] == 0;
	m = devres_alloc(marker_release, sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->id = 2;
	devres_add(dev, m);
	if (!devm_kmalloc(dev, 3000, GFP_KERNEL))
		return -ENOMEM;
	ctx.big = devm_kmalloc(dev, BIG_SIZE, GFP_KERNEL);
	if (!ctx.big)
		return -ENOMEM;
	memset(ctx.big, 0x5a, BIG_SIZE);
	if (devm_add_action_or_reset(dev, action, (void *)3))
		return -ENOMEM;
	dev_set_drvdata(dev, ctx.small);
	ctx.taken = devres_count(dev);
	return ctx.ret;
}

static void test_remove(struct device *dev)
{
	/* The managed resources are still there while remove() runs. */
	ctx.remove_saw = devres_count(dev);
	record(EV_REMOVE);
}

static struct device_driver test_driver = {
	.name = DRV_NAME,
	.bus = &testbus_type,
	.probe = test_probe,
	.remove = test_remove,
};

static void test_device_release(struct device *dev)
{
	record(EV_RELEASE);
	kfree(dev);
}

/* A device allocated as drivers do, freed by its release(). */
static struct device *new_device(const char *name)
{
	struct device *dev = kzalloc(sizeof(*dev), GFP_KERNEL);

	if (dev) {
		dev->name = name;
		dev->bus = &testbus_type;
		dev->release = test_device_release;
	}
	return dev;
}

/* Objects allocated from the kmalloc-N caches now, and pages held by large kmallocs. */
static unsigned long kmalloc_objects_in_use(void)
{
	static const char *const caches[] = {
		"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96",
		"kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512", "kmalloc-1k",
		"kmalloc-2k", "kmalloc-4k", "kmalloc-8k",
	};
	unsigned long n = 0;
	struct slabinfo si;

	for (unsigned int i = 0; i < ARRAY_SIZE(caches); i++) {
		struct kmem_cache *s = kmem_cache_find(caches[i]);

		if (s) {
			kmem_cache_get_info(s, &si);
			n += si.active_objs;
		}
	}
	return n;
}

/* Memory in use: free pages with the per-CPU lists drained, and kmalloc's objects. */
struct mem_snap {
	unsigned long free_pages;
	unsigned long slab_objects;	/* in the kmalloc-N caches */
	unsigned long large_pages;	/* held by large kmallocs (above 8 KiB) */
};

static void snap(struct mem_snap *s)
{
	drain_all_pages();
	s->free_pages = nr_free_pages();
	s->slab_objects = kmalloc_objects_in_use();
	s->large_pages = kmalloc_large_stats.pages;
}

static bool same_mem(struct ktest *t, const struct mem_snap *a)
{
	struct mem_snap b;

	snap(&b);
	return KTEST_EXPECT_EQ(t, b.free_pages, a->free_pages) &&
	       KTEST_EXPECT_EQ(t, b.slab_objects, a->slab_objects) &&
	       KTEST_EXPECT_EQ(t, b.large_pages, a->large_pages);
}

/* Driver first, then the device: its probe takes everything and fails. */
static void probe_fails_once(struct ktest *t, struct device *dev)
{
	static const int reverse[] = { 3, 2, 1 };
	uint64_t seq = log_next_seq();

	reset_events();
	ctx.ret = -EIO;
	KTEST_EXPECT_EQ(t, driver_register(&test_driver), 0);
	KTEST_EXPECT_EQ(t, device_register(dev), 0);	/* a failed probe fails no registration */
	KTEST_EXPECT_EQ(t, ctx.taken, NR_TAKEN);
	KTEST_EXPECT_TRUE(t, ctx.zeroed);
	KTEST_EXPECT_TRUE(t, dev->driver == NULL);
	KTEST_EXPECT_TRUE(t, dev_get_drvdata(dev) == NULL);
	KTEST_EXPECT_EQ(t, devres_count(dev), 0);
	KTEST_EXPECT_TRUE(t, events_are(reverse, ARRAY_SIZE(reverse)));
	KTEST_EXPECT_TRUE(t, ktest_logged(seq, "probe with driver " DRV_NAME, "error -5"));
	device_unregister(dev);
	driver_unregister(&test_driver);
}

static void test_failed_probe_releases_in_reverse(struct ktest *t)
{
	static struct device dev = { .name = DRV_NAME ".0", .bus = &testbus_type };
	struct mem_snap before;

	/* The memory checks read the kmalloc caches by name: make sure they are there. */
	KTEST_ASSERT_TRUE(t, kmem_cache_find("kmalloc-128") && kmem_cache_find("kmalloc-8k"));
	probe_fails_once(t, &dev);
	snap(&before);
	probe_fails_once(t, &dev);
	same_mem(t, &before);
	KTEST_EXPECT_EQ(t, page_alloc_check(), 0);
}

/* The device first, then the driver: bound; unregistering the driver unbinds. */
static void bind_and_unbind_driver(struct ktest *t, struct device *dev)
{
	static const int reverse[] = { EV_REMOVE, 3, 2, 1 };

	reset_events();
	ctx.ret = 0;
	ctx.remove_saw = 0;
	KTEST_EXPECT_EQ(t, device_register(dev), 0);
	KTEST_EXPECT_TRUE(t, dev->driver == NULL);
	KTEST_EXPECT_EQ(t, driver_register(&test_driver), 0);
	KTEST_EXPECT_TRUE(t, dev->driver == &test_driver);
	KTEST_EXPECT_TRUE(t, dev_get_drvdata(dev) == ctx.small);
	KTEST_EXPECT_EQ(t, devres_count(dev), NR_TAKEN);
	KTEST_EXPECT_EQ(t, nr_events, 0);

	driver_unregister(&test_driver);
	KTEST_EXPECT_TRUE(t, events_are(reverse, ARRAY_SIZE(reverse)));
	KTEST_EXPECT_EQ(t, ctx.remove_saw, NR_TAKEN);
	KTEST_EXPECT_TRUE(t, dev->driver == NULL);
	KTEST_EXPECT_TRUE(t, dev_get_drvdata(dev) == NULL);
	KTEST_EXPECT_EQ(t, devres_count(dev), 0);
	device_unregister(dev);
}

static void test_driver_unregister_releases_in_reverse(struct ktest *t)
{
	static struct device dev = { .name = DRV_NAME ".1", .bus = &testbus_type };
	struct mem_snap before;

	bind_and_unbind_driver(t, &dev);
	snap(&before);
	bind_and_unbind_driver(t, &dev);
	same_mem(t, &before);
}

/* Unregistering a bound device: remove(), its resources newest first, then release(). */
static void unregister_bound_device(struct ktest *t)
{
	static const int order[] = { EV_REMOVE, 3, 2, 1, EV_RELEASE };
	struct device *dev = new_device(DRV_NAME ".2");

	KTEST_ASSERT_TRUE(t, dev);
	reset_events();
	ctx.ret = 0;
	KTEST_EXPECT_EQ(t, driver_register(&test_driver), 0);
	KTEST_EXPECT_EQ(t, device_register(dev), 0);
	KTEST_EXPECT_TRUE(t, dev->driver == &test_driver);
	device_unregister(dev);	/* frees dev */
	KTEST_EXPECT_TRUE(t, events_are(order, ARRAY_SIZE(order)));
	KTEST_EXPECT_TRUE(t, list_empty(&test_driver.devices));
	reset_events();
	driver_unregister(&test_driver);
	KTEST_EXPECT_EQ(t, nr_events, 0);	/* nothing was left bound */
}

static void test_device_unregister_calls_remove_first(struct ktest *t)
{
	struct mem_snap before;

	unregister_bound_device(t);
	snap(&before);
	unregister_bound_device(t);
	same_mem(t, &before);
}

/* A driver that keeps its buffers in ctx and frees one of them early. */
static int early_probe(struct device *dev)
{
	ctx.small = devm_kmalloc(dev, 64, GFP_KERNEL);
	ctx.big = devm_kzalloc(dev, BIG_SIZE, GFP_KERNEL);
	ctx.zeroes = devm_kmalloc(dev, 64, GFP_KERNEL);
	return ctx.small && ctx.big && ctx.zeroes ? 0 : -ENOMEM;
}

static struct device_driver early_driver = {
	.name = "devres-early",
	.bus = &testbus_type,
	.probe = early_probe,
};

static void early_free_once(struct ktest *t)
{
	static struct device dev = { .name = "devres-early.0", .bus = &testbus_type };
	unsigned long bad = devres_stats.bad_kfree;
	struct mem_snap bound, freed;

	KTEST_EXPECT_EQ(t, driver_register(&early_driver), 0);
	KTEST_EXPECT_EQ(t, device_register(&dev), 0);
	KTEST_EXPECT_TRUE(t, dev.driver == &early_driver);
	KTEST_EXPECT_EQ(t, devres_count(&dev), 3);
	snap(&bound);

	devm_kfree(&dev, ctx.big);	/* the middle one: its pages go back at once */
	snap(&freed);
	KTEST_EXPECT_EQ(t, devres_count(&dev), 2);
	KTEST_EXPECT_TRUE(t, freed.free_pages >= bound.free_pages + BIG_SIZE / PAGE_SIZE);
	KTEST_EXPECT_TRUE(t, freed.large_pages <= bound.large_pages - BIG_SIZE / PAGE_SIZE);
	KTEST_EXPECT_EQ(t, freed.slab_objects, bound.slab_objects);
	KTEST_EXPECT_EQ(t, devres_stats.bad_kfree, bad);

	devm_kfree(&dev, ctx.big);	/* a second time: reported, not a double free */
	KTEST_EXPECT_EQ(t, devres_stats.bad_kfree, bad + 1);
	KTEST_EXPECT_EQ(t, devres_count(&dev), 2);
	devm_kfree(&dev, NULL);		/* as kfree(NULL): nothing, and nothing to report */
	KTEST_EXPECT_EQ(t, devres_stats.bad_kfree, bad + 1);

	device_unregister(&dev);
	driver_unregister(&early_driver);
	KTEST_EXPECT_EQ(t, devres_count(&dev), 0);
}

static void test_devm_kfree_frees_early(struct ktest *t)
{
	struct mem_snap before;

	early_free_once(t);
	snap(&before);
	early_free_once(t);
	same_mem(t, &before);
}

static void test_devm_kfree_foreign_pointer(struct ktest *t)
{
	static struct device a = { .name = "devres-loose.a", .bus = &testbus_type };
	static struct device b = { .name = "devres-loose.b", .bus = &testbus_type };
	unsigned long bad = devres_stats.bad_kfree;
	uint64_t seq = log_next_seq();
	uint8_t *plain, *of_b, *of_a;

	/* No driver matches these: the resources belong to the devices themselves. */
	KTEST_EXPECT_EQ(t, device_register(&a), 0);
	KTEST_EXPECT_EQ(t, device_register(&b), 0);
	plain = kmalloc(64, GFP_KERNEL);
	of_b = devm_kmalloc(&b, 64, GFP_KERNEL);
	of_a = devm_kmalloc(&a, 64, GFP_KERNEL);
	KTEST_ASSERT_TRUE(t, plain && of_b && of_a);

	devm_kfree(&a, plain);		/* from kmalloc */
	devm_kfree(&a, of_b);		/* another device's */
	devm_kfree(&a, of_a + 8);	/* inside a managed buffer, not its start */
	KTEST_EXPECT_EQ(t, devres_stats.bad_kfree, bad + 3);
	KTEST_EXPECT_EQ(t, devres_count(&a), 1);
	KTEST_EXPECT_EQ(t, devres_count(&b), 1);
	/* Reported with the caller, and nothing was freed: the buffers are still usable. */
	KTEST_EXPECT_TRUE(t, ktest_logged(seq, "devm_kfree(", "test_devm_kfree_foreign_pointer"));
	memset(plain, 1, 64);
	memset(of_b, 2, 64);
	memset(of_a, 3, 64);
	kfree(plain);

	device_unregister(&a);		/* releases of_a: the device's own resources */
	device_unregister(&b);
	KTEST_EXPECT_EQ(t, devres_count(&a), 0);
	KTEST_EXPECT_EQ(t, devres_count(&b), 0);
}

static void test_remove_and_release_action(struct ktest *t)
{
	static struct device dev = { .name = "devres-loose.c", .bus = &testbus_type };
	static const int released_now[] = { 5 };
	unsigned long bad = devres_stats.bad_action;

	reset_events();
	KTEST_EXPECT_EQ(t, device_register(&dev), 0);
	KTEST_EXPECT_EQ(t, devm_add_action(&dev, action, (void *)4), 0);
	KTEST_EXPECT_EQ(t, devm_add_action(&dev, action, (void *)5), 0);
	KTEST_EXPECT_EQ(t, devm_add_action(&dev, action, (void *)6), 0);
	devm_remove_action(&dev, action, (void *)4);	/* forgotten, not called */
	devm_release_action(&dev, action, (void *)5);	/* called now */
	KTEST_EXPECT_TRUE(t, events_are(released_now, 1));
	KTEST_EXPECT_EQ(t, devres_count(&dev), 1);
	devm_remove_action(&dev, action, (void *)4);	/* no longer there: reported */
	KTEST_EXPECT_EQ(t, devres_stats.bad_action, bad + 1);
	device_unregister(&dev);
	KTEST_EXPECT_EQ(t, nr_events, 2);
	KTEST_EXPECT_EQ(t, events[1], 6);
}

static int count_probe(struct device *dev)
{
	(void)dev;
	record(1);
	return 0;
}

static void test_testbus_matches_by_name(struct ktest *t)
{
	static struct device_driver drv = { .name = "devres-m", .bus = &testbus_type,
					    .probe = count_probe };
	static struct device exact = { .name = "devres-m", .bus = &testbus_type };
	static struct device dotted = { .name = "devres-m.3", .bus = &testbus_type };
	static struct device longer = { .name = "devres-mx", .bus = &testbus_type };
	static struct device shorter = { .name = "devres-", .bus = &testbus_type };
	struct device *all[] = { &exact, &dotted, &longer, &shorter };

	reset_events();
	for (unsigned int i = 0; i < ARRAY_SIZE(all); i++)
		KTEST_EXPECT_EQ(t, device_register(all[i]), 0);
	KTEST_EXPECT_EQ(t, driver_register(&drv), 0);
	KTEST_EXPECT_EQ(t, nr_events, 2);
	KTEST_EXPECT_TRUE(t, exact.driver == &drv && dotted.driver == &drv);
	KTEST_EXPECT_TRUE(t, longer.driver == NULL && shorter.driver == NULL);
	driver_unregister(&drv);
	for (unsigned int i = 0; i < ARRAY_SIZE(all); i++)
		device_unregister(all[i]);
}

static void test_registration_errors(struct ktest *t)
{
	static struct device_driver drv = { .name = "devres-e", .bus = &testbus_type };
	static struct device_driver twin = { .name = "devres-e", .bus = &testbus_type };
	static struct device dev = { .name = "devres-e.0", .bus = &testbus_type };
	static struct device same_name = { .name = "devres-e.0", .bus = &testbus_type };
	static struct device nameless = { .bus = &testbus_type };
	char cmd[] = "devices";

	KTEST_EXPECT_EQ(t, device_register(&nameless), -EINVAL);
	KTEST_EXPECT_EQ(t, device_register(&dev), 0);
	KTEST_EXPECT_EQ(t, device_register(&dev), -EEXIST);
	KTEST_EXPECT_EQ(t, device_register(&same_name), -EEXIST);
	KTEST_EXPECT_TRUE(t, device_is_registered(&dev) && !device_is_registered(&same_name));
	KTEST_EXPECT_EQ(t, driver_register(&drv), 0);	/* no probe(): binds as is */
	KTEST_EXPECT_TRUE(t, dev.driver == &drv);
	KTEST_EXPECT_EQ(t, driver_register(&twin), -EBUSY);
	KTEST_EXPECT_EQ(t, driver_register(&drv), -EBUSY);
	KTEST_EXPECT_EQ(t, shell_execute(cmd), 0);	/* `devices` lists it (on the console) */
	device_unregister(&dev);
	device_unregister(&dev);	/* reported and ignored */
	driver_unregister(&drv);
	driver_unregister(&twin);	/* never registered: reported and ignored */
	KTEST_EXPECT_TRUE(t, !device_is_registered(&dev));
	KTEST_EXPECT_EQ(t, device_register(&dev), 0);	/* a device can come back */
	device_unregister(&dev);
}

static const struct ktest_case devres_cases[] = {
	KTEST_CASE(test_failed_probe_releases_in_reverse),
	KTEST_CASE(test_driver_unregister_releases_in_reverse),
	KTEST_CASE(test_device_unregister_calls_remove_first),
	KTEST_CASE(test_devm_kfree_frees_early),
	KTEST_CASE(test_devm_kfree_foreign_pointer),
	KTEST_CASE(test_remove_and_release_action),
	KTEST_CASE(test_testbus_matches_by_name),
	KTEST_CASE(test_registration_errors),
	{},
};
KTEST_SUITE(devres, devres_cases);

/*
 * Managed device resources (include/drivers/devres.h, docs/devres.md).
 *
 * A record is one kmalloc: a struct devres_node header and, right after it, the data
 * the resource needs (for devm_kmalloc the caller's buffer itself, for an action the
 * function and its argument). Records hang on dev->devres_head in the order they were
 * taken. devres_release_all() takes the newest off the list, calls its release
 * function, frees it, and repeats until the list is empty: resources are undone in
 * the reverse order of their acquisition, which is what a correct hand-written error
 * path does, so a later resource may depend on an earlier one.
 *
 * Invariants: a record is on at most one device's list; it is on a list exactly when
 * node.entry is not empty (devres_free() and devres_add() check this); the list is
 * changed only under dev->devres_lock, and no release function runs under it.
 * Cost: the header is 40 bytes, so devm_kmalloc(64) takes a 128-byte kmalloc object
 * where kmalloc(64) takes a 64-byte one; finding a record to free early walks the list.
 */
#include <drivers/devres.h>
#include <kernel/console.h>
#include <kernel/ksyms.h>
#include <kernel/oops.h>
#include <kernel/params.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/slab.h>

struct devres_node {
	struct list_head entry;	/* on dev->devres_head, oldest first */
	dr_release_t release;
	const char *name;	/* of the release function (of the action, for actions) */
	size_t size;		/* bytes of data after the header */
};

/*
 * kmalloc objects are aligned to at least 8 bytes (every size class is a multiple of 8),
 * Linux's default ARCH_KMALLOC_MINALIGN on x86_64.
 */
#ifndef ARCH_KMALLOC_MINALIGN
#define ARCH_KMALLOC_MINALIGN __alignof__(unsigned long long)
#endif

/*
 * Header and data in one allocation. data[] gets the alignment kmalloc memory has, so
 * devm_kmalloc() hands out buffers aligned as kmalloc()'s (the header's size would be
 * padded up to it; at 8 bytes there is no padding).
 */
struct devres {
	struct devres_node node;
	uint8_t data[] __aligned(ARCH_KMALLOC_MINALIGN);
};

_Static_assert(sizeof(struct devres) == 40, "docs/devres.md counts on a 40-byte header");

struct devres_stats devres_stats;
bool devres_log;

static int set_devres_log(const char *val)
{
	unsigned int v = 1;	/* a bare "devres.log" turns it on */

	if (val && (kstrtouint(val, 10, &v) || v > 1))
		return -EINVAL;
	devres_log = v;
	return 0;
}
KERNEL_PARAM("devres.log", set_devres_log, "0 or 1");

static struct devres *to_devres(void *res)
{
	return container_of(res, struct devres, data);
}

static void devres_trace(struct device *dev, struct devres_node *node, const char *op)
{
	if (devres_log)
		dev_info(dev, "DEVRES %3s %p %s (%zu bytes)\n", op, (void *)node, node->name,
			 node->size);
}

/* The device's list is set up by device_register(); a zeroed struct device has none. */
static bool devres_ready(struct device *dev)
{
	return !WARN_ON(dev->devres_head.next == NULL);
}

void *__devres_alloc(dr_release_t release, size_t size, gfp_t gfp, const char *name)
{
	struct devres *dr;
	size_t total;

	if (__builtin_add_overflow(sizeof(*dr), size, &total))
		return NULL;
	dr = kmalloc(total, gfp);
	if (!dr)
		return NULL;
	INIT_LIST_HEAD(&dr->node.entry);
	dr->node.release = release;
	dr->node.name = name;
	dr->node.size = size;
	return dr->data;
}

void devres_free(void *res)
{
	struct devres *dr;

	if (!res)
		return;
	dr = to_devres(res);
	/* Still on a device's list: freeing it would corrupt the list. */
	BUG_ON(!list_empty(&dr->node.entry));
	kfree(dr);
}

void devres_add(struct device *dev, void *res)
{
	struct devres *dr = to_devres(res);
	unsigned long flags;

	if (!devres_ready(dev) || WARN_ON(!list_empty(&dr->node.entry)))
		return;
	flags = spin_lock_irqsave(&dev->devres_lock);
	list_add_tail(&dr->node.entry, &dev->devres_head);
	spin_unlock_irqrestore(&dev->devres_lock, flags);
	devres_trace(dev, &dr->node, "ADD");
}

/* The newest record with @release that @match accepts; the caller holds devres_lock. */
static struct devres *find_dr(struct device *dev, dr_release_t release, dr_match_t match,
			      void *match_data)
{
	for (struct list_head *pos = dev->devres_head.prev; pos != &dev->devres_head;
	     pos = pos->prev) {
		struct devres *dr = container_of(pos, struct devres, node.entry);

		if (dr->node.release != release)
			continue;
		if (match && !match(dev, dr->data, match_data))
			continue;
		return dr;
	}
	return NULL;
}

void *devres_find(struct device *dev, dr_release_t release, dr_match_t match, void *match_data)
{
	struct devres *dr;
	unsigned long flags;

	if (!devres_ready(dev))
		return NULL;
	flags = spin_lock_irqsave(&dev->devres_lock);
	dr = find_dr(dev, release, match, match_data);
	spin_unlock_irqrestore(&dev->devres_lock, flags);
	return dr ? dr->data : NULL;
}

void *devres_remove(struct device *dev, dr_release_t release, dr_match_t match,
		    void *match_data)
{
	struct devres *dr;
	unsigned long flags;

	if (!devres_ready(dev))
		return NULL;
	flags = spin_lock_irqsave(&dev->devres_lock);
	dr = find_dr(dev, release, match, match_data);
	if (dr)
		list_del(&dr->node.entry);
	spin_unlock_irqrestore(&dev->devres_lock, flags);
	if (!dr)
		return NULL;
	devres_trace(dev, &dr->node, "REM");
	return dr->data;
}

int devres_destroy(struct device *dev, dr_release_t release, dr_match_t match, void *match_data)
{
	void *res = devres_remove(dev, release, match, match_data);

	if (!res)
		return -ENOENT;
	devres_free(res);
	return 0;
}

int devres_release(struct device *dev, dr_release_t release, dr_match_t match, void *match_data)
{
	void *res = devres_remove(dev, release, match, match_data);

	if (!res)
		return -ENOENT;
	release(dev, res);
	devres_free(res);
	return 0;
}

int devres_release_all(struct device *dev)
{
	int released = 0;

	if (!devres_ready(dev))
		return -ENODEV;
	/*
	 * One record at a time, newest first. The lock is dropped around each release
	 * function, which may print, free, or even look at the records still there.
	 */
	for (;;) {
		struct devres *dr = NULL;
		unsigned long flags = spin_lock_irqsave(&dev->devres_lock);

		if (!list_empty(&dev->devres_head)) {
			dr = container_of(dev->devres_head.prev, struct devres, node.entry);
			list_del(&dr->node.entry);
		}
		spin_unlock_irqrestore(&dev->devres_lock, flags);
		if (!dr)
			break;
		devres_trace(dev, &dr->node, "REL");
		dr->node.release(dev, dr->data);
		kfree(dr);
		released++;
	}
	return released;
}

unsigned int devres_count(struct device *dev)
{
	unsigned int n = 0;
	unsigned long flags;
	struct list_head *pos;

	if (!dev->devres_head.next)
		return 0;
	flags = spin_lock_irqsave(&dev->devres_lock);
	list_for_each(pos, &dev->devres_head)
		n++;
	spin_unlock_irqrestore(&dev->devres_lock, flags);
	return n;
}

/* Managed memory: the record's data is the buffer, so releasing it is freeing the record. */
static void devm_kmalloc_release(struct device *dev, void *res)
{
	(void)dev;
	(void)res;
}

static int devm_kmalloc_match(struct device *dev, void *res, void *p)
{
	(void)dev;
	return res == p;
}

void *devm_kmalloc(struct device *dev, size_t size, gfp_t gfp)
{
	void *p;

	if (!devres_ready(dev))
		return NULL;
	if (unlikely(size == 0))
		return ZERO_SIZE_PTR;
	p = devres_alloc(devm_kmalloc_release, size, gfp);
	if (!p)
		return NULL;
	devres_add(dev, p);
	return p;
}

/* A misuse the kernel survives: say what (@what: "f(args)") and who did it, then carry on. */
static void report_misuse(struct device *dev, const char *what, void *caller)
{
	char sym[KSYM_NAME_LEN];

	sprint_symbol(sym, sizeof(sym), (uint64_t)caller);
	dev_err(dev, "%s: not managed by this device, ignored (called from %s)\n", what, sym);
}

void devm_kfree(struct device *dev, const void *p)
{
	char what[48];

	if (ZERO_OR_NULL_PTR(p))
		return;
	if (devres_destroy(dev, devm_kmalloc_release, devm_kmalloc_match, (void *)p) == 0)
		return;
	snprintf(what, sizeof(what), "devm_kfree(%p)", p);
	devres_stats.bad_kfree++;
	report_misuse(dev, what, __builtin_return_address(0));
}

/* Managed actions: the record's data is the function and its argument. */
struct action_devres {
	void (*action)(void *);
	void *data;
};

static void devm_action_release(struct device *dev, void *res)
{
	struct action_devres *a = res;

	(void)dev;
	a->action(a->data);
}

static int devm_action_match(struct device *dev, void *res, void *p)
{
	struct action_devres *a = res, *wanted = p;

	(void)dev;
	return a->action == wanted->action && a->data == wanted->data;
}

int __devm_add_action(struct device *dev, void (*action)(void *), void *data, const char *name)
{
	struct action_devres *a;

	if (!devres_ready(dev))
		return -ENODEV;
	a = __devres_alloc(devm_action_release, sizeof(*a), GFP_KERNEL, name);
	if (!a)
		return -ENOMEM;
	a->action = action;
	a->data = data;
	devres_add(dev, a);
	return 0;
}

static void report_bad_action(struct device *dev, const char *fn, void (*action)(void *),
			      void *data, void *caller)
{
	char sym[KSYM_NAME_LEN], what[KSYM_NAME_LEN + 64];

	sprint_symbol(sym, sizeof(sym), (uint64_t)action);
	snprintf(what, sizeof(what), "%s(%s, %p)", fn, sym, data);
	devres_stats.bad_action++;
	report_misuse(dev, what, caller);
}

void devm_remove_action(struct device *dev, void (*action)(void *), void *data)
{
	struct action_devres wanted = { action, data };

	if (devres_destroy(dev, devm_action_release, devm_action_match, &wanted) != 0)
		report_bad_action(dev, "devm_remove_action", action, data,
				  __builtin_return_address(0));
}

void devm_release_action(struct device *dev, void (*action)(void *), void *data)
{
	struct action_devres wanted = { action, data };

	if (devres_release(dev, devm_action_release, devm_action_match, &wanted) != 0)
		report_bad_action(dev, "devm_release_action", action, data,
				  __builtin_return_address(0));
}

void devres_show(struct device *dev, const char *indent)
{
	unsigned int i = 0;
	unsigned long flags;
	struct devres *dr;

	if (!dev->devres_head.next)
		return;
	flags = spin_lock_irqsave(&dev->devres_lock);
	list_for_each_entry(dr, &dev->devres_head, node.entry) {
		if (dr->node.release == devm_action_release) {
			struct action_devres *a = (void *)dr->data;

			console_printf("%s%2u  action %s(%p)\n", indent, ++i, dr->node.name,
				       a->data);
		} else {
			console_printf("%s%2u  %s: %zu bytes at %p (a %zu-byte kmalloc object)\n",
				       indent, ++i, dr->node.name, dr->node.size, (void *)dr->data,
				       ksize(dr));
		}
	}
	spin_unlock_irqrestore(&dev->devres_lock, flags);
}

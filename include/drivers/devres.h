/*
 * Managed device resources, "devres" (drivers/base/devres.c), with Linux's names.
 * A driver that takes memory with devm_kmalloc() or registers a cleanup with
 * devm_add_action() instead of kmalloc()/its own error path never frees them itself:
 * each resource is a record on dev->devres_head, and when the driver detaches (remove,
 * device_unregister) or its probe fails, the driver core releases the records newest
 * first, undoing the probe in reverse, as a hand-written error path would.
 *
 * Each record is one kmalloc: a struct devres_node header followed by the resource's
 * data (for devm_kmalloc, the buffer the driver gets). docs/devres.md explains it all.
 *
 * Layers, as in Linux:
 *   devres_alloc/devres_add/...   any resource: a release function and data
 *   devm_kmalloc, devm_add_action the common resources, built on the above
 * Not here (yet): devres groups (devres_open_group), devm_krealloc, devm_kstrdup.
 */
#ifndef DRIVERS_DEVRES_H
#define DRIVERS_DEVRES_H

#include <drivers/device.h>
#include <mm/gfp.h>

/* Undo one resource; @res is the record's data. */
typedef void (*dr_release_t)(struct device *dev, void *res);
/* Is @res the one the caller means (@match_data says which)? NULL matches any. */
typedef int (*dr_match_t)(struct device *dev, void *res, void *match_data);

/*
 * Generic records. devres_alloc() allocates a record with @size bytes of data (gfp as
 * kmalloc; __GFP_ZERO zeroes the data) and returns the data, not yet on any device;
 * devres_free() frees one that was never added. devres_add() puts it on @dev, newest.
 * The "name" kept with a record is the release function's name, for messages.
 */
void *__devres_alloc(dr_release_t release, size_t size, gfp_t gfp, const char *name);
#define devres_alloc(release, size, gfp) __devres_alloc(release, size, gfp, #release)
void devres_free(void *res);
void devres_add(struct device *dev, void *res);

/*
 * Find the newest record of @dev with this @release function that @match accepts.
 * devres_find() returns its data; devres_remove() also takes it off the list and hands
 * it back (devres_free() it); devres_destroy() takes it off and frees it without calling
 * @release; devres_release() calls @release and frees it. The last two return 0, or
 * -ENOENT when no record matched.
 */
void *devres_find(struct device *dev, dr_release_t release, dr_match_t match, void *match_data);
void *devres_remove(struct device *dev, dr_release_t release, dr_match_t match,
		    void *match_data);
int devres_destroy(struct device *dev, dr_release_t release, dr_match_t match, void *match_data);
int devres_release(struct device *dev, dr_release_t release, dr_match_t match, void *match_data);

/*
 * Release every record of @dev, newest first, and free them. The driver core calls it
 * when a probe fails, after remove(), and in device_unregister(); drivers do not.
 * Returns the number of records released.
 */
int devres_release_all(struct device *dev);

/* How many records @dev holds now (for the `devices` command and tests). */
unsigned int devres_count(struct device *dev);

/* Print @dev's records, oldest first, one line each with @indent (for `devices -v`). */
void devres_show(struct device *dev, const char *indent);

/*
 * Managed memory: like kmalloc/kzalloc, freed when the driver detaches. The memory is
 * aligned as kmalloc's. devm_kfree() frees it early; a pointer @dev does not manage
 * (from kmalloc, from another device, into the middle of a buffer) is reported with
 * the caller and ignored. size 0 gives ZERO_SIZE_PTR, as kmalloc(0) does.
 */
void *devm_kmalloc(struct device *dev, size_t size, gfp_t gfp);
void devm_kfree(struct device *dev, const void *p);

static inline void *devm_kzalloc(struct device *dev, size_t size, gfp_t gfp)
{
	return devm_kmalloc(dev, size, gfp | __GFP_ZERO);
}

static inline void *devm_kmalloc_array(struct device *dev, size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return devm_kmalloc(dev, bytes, gfp);
}

static inline void *devm_kcalloc(struct device *dev, size_t n, size_t size, gfp_t gfp)
{
	return devm_kmalloc_array(dev, n, size, gfp | __GFP_ZERO);
}

/*
 * Managed actions: @action(@data) is called when the driver detaches, in its place
 * among the other resources. devm_add_action() returns 0 or -ENOMEM (then nothing was
 * recorded and @action not called); devm_add_action_or_reset() calls @action(@data) at
 * once when it cannot record it, so a probe can simply return the error.
 * devm_remove_action() forgets the newest matching action without calling it;
 * devm_release_action() calls it now. Both report a pair that was never added.
 */
int __devm_add_action(struct device *dev, void (*action)(void *), void *data, const char *name);
#define devm_add_action(dev, action, data) __devm_add_action(dev, action, data, #action)

static inline int __devm_add_action_or_reset(struct device *dev, void (*action)(void *),
					     void *data, const char *name)
{
	int ret = __devm_add_action(dev, action, data, name);

	if (ret)
		action(data);
	return ret;
}
#define devm_add_action_or_reset(dev, action, data)                                   \
	__devm_add_action_or_reset(dev, action, data, #action)

void devm_remove_action(struct device *dev, void (*action)(void *), void *data);
void devm_release_action(struct device *dev, void (*action)(void *), void *data);

/*
 * Managed-resource misuse the kernel reported and ignored, for tests: devm_kfree() of
 * a pointer the device does not manage, devm_remove/release_action() of an unknown pair.
 */
struct devres_stats {
	unsigned long bad_kfree;
	unsigned long bad_action;
};
extern struct devres_stats devres_stats;

/* devres.log=1 on the command line: log every record added and released, as Linux does. */
extern bool devres_log;

#endif

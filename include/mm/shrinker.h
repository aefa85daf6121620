/*
 * Shrinkers (mm/shrinker.c): caches that keep freed memory around for reuse register one,
 * and reclaim asks them to give it back when memory runs low, as Linux's shrinkers of the
 * dentry, inode and slab caches. Counted in pages here (Linux counts objects): count says
 * how many the cache could free now, scan frees up to @nr of them and says how many it
 * did. Both may run where sleeping is not allowed (direct reclaim under a spinlock).
 */
#ifndef MM_SHRINKER_H
#define MM_SHRINKER_H

#include <lib/list.h>

struct shrinker {
	const char *name;
	unsigned long (*count)(struct shrinker *s);
	unsigned long (*scan)(struct shrinker *s, unsigned long nr);
	struct list_head list;
	unsigned long freed;		/* pages given back so far (vmstat -s: slabs_scanned) */
};

void register_shrinker(struct shrinker *s);
void unregister_shrinker(struct shrinker *s);
/* Ask every shrinker, in turn, until @nr pages came back; returns the pages freed. */
unsigned long shrink_slab(unsigned long nr);
unsigned long shrinker_freed_total(void);
void slab_shrinker_init(void);	/* the slab caches' empty slabs (mm/slab_shrinker.c) */

#endif

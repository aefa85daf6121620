/*
 * The slab allocator's shrinker: every cache keeps up to min_empty empty slabs, so that a
 * burst of kfree followed by kmalloc does not go to the page allocator and back. That is
 * memory freed but kept; under pressure reclaim takes it back here (mm/shrinker.c).
 */
#include <mm/shrinker.h>
#include <mm/slab.h>
#include <mm/vmscan.h>

static unsigned long count_empty(struct shrinker *s)
{
	(void)s;
	return kmem_cache_pages(true);
}

static unsigned long scan_empty(struct shrinker *s, unsigned long nr)
{
	(void)s;
	return kmem_cache_free_empty(nr);
}

static struct shrinker slab_shrinker = { .name = "slab-empty", .count = count_empty,
					 .scan = scan_empty };

void slab_shrinker_init(void)
{
	register_shrinker(&slab_shrinker);
}

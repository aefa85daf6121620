/*
 * The shrinker list: reclaim's way into caches that are not the page cache. Each round of
 * kswapd and of direct reclaim calls shrink_slab, which asks the shrinkers in turn; the
 * list is under a spinlock, since direct reclaim may run with one held already.
 * The slab allocator registers the first (mm/slab_shrinker.c): the empty slabs each cache
 * keeps for reuse, memory freed by kfree but kept from the page allocator.
 */
#include <kernel/spinlock.h>
#include <mm/shrinker.h>

static struct list_head shrinkers = LIST_HEAD_INIT(shrinkers);
static DEFINE_SPINLOCK(shrinker_lock);

void register_shrinker(struct shrinker *s)
{
	unsigned long flags = spin_lock_irqsave(&shrinker_lock);

	list_add_tail(&s->list, &shrinkers);
	spin_unlock_irqrestore(&shrinker_lock, flags);
}

void unregister_shrinker(struct shrinker *s)
{
	unsigned long flags = spin_lock_irqsave(&shrinker_lock);

	list_del(&s->list);
	spin_unlock_irqrestore(&shrinker_lock, flags);
}

unsigned long shrink_slab(unsigned long nr)
{
	unsigned long flags = spin_lock_irqsave(&shrinker_lock), freed = 0;
	struct shrinker *s;

	list_for_each_entry(s, &shrinkers, list) {
		unsigned long got;

		if (freed >= nr)
			break;
		if (!s->count(s))
			continue;
		got = s->scan(s, nr - freed);
		s->freed += got;
		freed += got;
	}
	spin_unlock_irqrestore(&shrinker_lock, flags);
	return freed;
}

unsigned long shrinker_freed_total(void)
{
	unsigned long flags = spin_lock_irqsave(&shrinker_lock), n = 0;
	struct shrinker *s;

	list_for_each_entry(s, &shrinkers, list)
		n += s->freed;
	spin_unlock_irqrestore(&shrinker_lock, flags);
	return n;
}

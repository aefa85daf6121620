/*
 * Caches: creating one (the layout of its slots and the order of its slabs), shrinking,
 * destroying, and bringing the allocator up (Linux's mm/slab_common.c; docs/slab.md).
 *
 * Bootstrapping. A struct kmem_cache comes from the cache "kmem_cache", which cannot come
 * from itself: its own struct is the static kmem_cache_boot, set up by kmem_cache_init()
 * before anything else; every other cache, the kmalloc ones first, is an object of it.
 *
 * The slab order: the smallest order (up to SLAB_MAX_ORDER, 8 pages) whose slab holds at
 * least SLAB_MIN_OBJECTS objects and wastes at most 1/8 of itself; when no order does, the
 * one wasting the smallest share (ties: the bigger slab, fewer refills). Linux asks for
 * 4 * (log2(CPUs) + 2) objects, 12 on a 2-CPU machine, which gives the kmalloc caches the same
 * orders as 16 does here: kmalloc-512 order 1, kmalloc-1k order 2, 2k/4k/8k order 3.
 *
 * Destroying a cache whose objects are still allocated would hand their memory to someone
 * else while the owners still use it. Like Linux, kmem_cache_destroy then reports the cache
 * and the count, lists the objects, and keeps the cache: leaked, marked with a * in the waste view.
 */
#define pr_fmt(fmt) "slab: " fmt

#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/slab.h>

#define SLAB_MIN_OBJECTS	16	/* objects per slab the order should reach */
#define SLAB_MIN_EMPTY		2	/* empty slabs a cache keeps for reuse */
#define CACHE_LINE		64

#define SLAB_VALID_FLAGS (SLAB_DEBUG | SLAB_KMALLOC | SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA)

struct list_head slab_caches = LIST_HEAD_INIT(slab_caches);
spinlock_t slab_lock = SPINLOCK_INIT;
struct kmem_cache *kmem_cache;
bool slab_is_up;

static struct kmem_cache kmem_cache_boot __aligned(CACHE_LINE);

/* Linux's calculate_alignment: a small object shares a cache line rather than pad it. */
static unsigned int calculate_alignment(slab_flags_t flags, unsigned int align, unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = CACHE_LINE;

		while (size <= ralign / 2)
			ralign /= 2;
		align = MAX(align, ralign);
	}
	return ALIGN_UP(MAX(align, (unsigned int)sizeof(void *)), (unsigned int)sizeof(void *));
}

static unsigned int calculate_order(unsigned int size)
{
	unsigned long best_waste = 0, best_bytes = 1;
	int best = -1;

	for (unsigned int order = 0; order <= SLAB_MAX_ORDER; order++) {
		unsigned long bytes = PAGE_SIZE << order, n = bytes / size;

		if (n >= SLAB_MIN_OBJECTS && (bytes - n * size) * 8 <= bytes)
			return order;
	}
	for (unsigned int order = 0; order <= SLAB_MAX_ORDER; order++) {
		unsigned long bytes = PAGE_SIZE << order, n = bytes / size;
		unsigned long waste = bytes - n * size;

		/* waste / bytes <= best_waste / best_bytes, without division */
		if (n && (best < 0 || waste * best_bytes <= best_waste * bytes)) {
			best = (int)order;
			best_waste = waste;
			best_bytes = bytes;
		}
	}
	return (unsigned int)best;
}

/*
 * The slot layout (pictured in include/mm/slab.h). Returns false when one slot does not
 * fit in a slab of SLAB_MAX_ORDER.
 */
static bool calculate_sizes(struct kmem_cache *s)
{
	unsigned int word = sizeof(void *), size = ALIGN_UP(s->object_size, word);

	if (s->object_size > PAGE_SIZE << SLAB_MAX_ORDER)
		return false;	/* (and the sums below cannot wrap) */
	if (s->flags & SLAB_RED_ZONE)	/* at least one word of right red zone */
		size = ALIGN_UP(s->object_size + word, word);
	s->inuse = size;
	if (kmem_cache_debug(s) || s->ctor) {
		s->offset = size;	/* behind the object: its bytes are not free to use */
		size += word;
	} else {
		/*
		 * The first word. Linux puts it in the middle, so that a small overrun of the
		 * object before misses it; at the start it shares the cache line the next owner
		 * writes first, one line less per allocation (slub_debug's red zones are the
		 * tool for overruns).
		 */
		s->offset = 0;
	}
	if (s->flags & SLAB_STORE_USER)
		size += 2 * sizeof(struct slab_track);
	s->red_left_pad = 0;
	if (s->flags & SLAB_RED_ZONE) {
		s->red_left_pad = ALIGN_UP(word, s->align);
		size += s->red_left_pad;
	}
	size = ALIGN_UP(size, s->align);
	if (size > PAGE_SIZE << SLAB_MAX_ORDER)
		return false;
	s->size = size;
	s->order = calculate_order(size);
	s->slab_bytes = PAGE_SIZE << s->order;
	s->objects = (unsigned int)(s->slab_bytes / size);
	s->reciprocal_size = (unsigned int)(((1ull << 32) + size - 1) / size);
	return s->objects <= SLAB_MAX_OBJECTS;
}

/* Fill in @s (zeroed) for kmem_cache_create and for the boot cache. */
bool kmem_cache_setup(struct kmem_cache *s, const char *name, unsigned int size,
		      unsigned int align, slab_flags_t flags, void (*ctor)(void *))
{
	strscpy(s->name, name, sizeof(s->name));
	s->object_size = size;
	s->flags = slub_debug_for(s->name, flags);
	s->align = calculate_alignment(s->flags, align, size);
	s->ctor = ctor;
	s->allocflags = (s->flags & SLAB_CACHE_DMA) ? __GFP_DMA : 0;
	s->min_empty = SLAB_MIN_EMPTY;
	if (!calculate_sizes(s))
		return false;
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		s->cpu_slab[cpu].base = SLAB_NO_BASE;
		s->cpu_slab[cpu].frozen = (unsigned int)cpu + 1;
		INIT_LIST_HEAD(&s->cpu_slab[cpu].partial);
	}
	s->list_lock = (spinlock_t)SPINLOCK_INIT;
	INIT_LIST_HEAD(&s->partial);
	INIT_LIST_HEAD(&s->full);
	INIT_LIST_HEAD(&s->empty);
	return true;
}

static void add_cache(struct kmem_cache *s)
{
	unsigned long flags = spin_lock_irqsave(&slab_lock);

	list_add(&s->list, &slab_caches);
	spin_unlock_irqrestore(&slab_lock, flags);
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags, void (*ctor)(void *))
{
	struct kmem_cache *s;

	if (!slab_is_up) {
		pr_err("kmem_cache_create(%s): called before kmem_cache_init()\n",
		       name ? name : "(null)");
		return NULL;
	}
	if (!name || !*name || !size || (align & (align - 1)) || align > PAGE_SIZE ||
	    (flags & ~SLAB_VALID_FLAGS)) {
		pr_err("kmem_cache_create(%s): invalid arguments: size %u, align %u, flags %#x\n",
		       name ? name : "(null)", size, align, flags);
		return NULL;
	}
	s = kmem_cache_zalloc(kmem_cache, GFP_KERNEL);
	if (!s)
		return NULL;
	if (!kmem_cache_setup(s, name, size, align, flags, ctor)) {
		pr_err("kmem_cache_create(%s): %u-byte objects do not fit in an order-%d slab\n",
		       name, size, SLAB_MAX_ORDER);
		kmem_cache_free(kmem_cache, s);
		return NULL;
	}
	add_cache(s);
	return s;
}

/* Move every slab of @list to @discard (list_lock held). */
static void take_all(struct kmem_cache *s, struct list_head *list, unsigned long *count,
		     struct list_head *discard)
{
	while (!list_empty(list)) {
		struct page *page = list_first_entry(list, struct page, slab_list);

		list_del(&page->slab_list);
		list_add(&page->slab_list, discard);
		(*count)--;
		s->nr_slabs--;
	}
}

int kmem_cache_shrink(struct kmem_cache *s)
{
	struct list_head discard = LIST_HEAD_INIT(discard);
	unsigned long flags = spin_lock_irqsave(&s->list_lock);
	int left;

	flush_cpu_slabs(s, &discard);
	take_all(s, &s->empty, &s->nr_empty, &discard);
	left = s->nr_slabs != 0;
	spin_unlock_irqrestore(&s->list_lock, flags);
	discard_slabs(s, &discard);
	return left;
}

void kmem_cache_shrink_all(void)
{
	unsigned long flags = spin_lock_irqsave(&slab_lock);	/* no cache goes away meanwhile */
	struct kmem_cache *s;

	list_for_each_entry(s, &slab_caches, list)
		kmem_cache_shrink(s);
	spin_unlock_irqrestore(&slab_lock, flags);
}

unsigned long kmem_cache_pages(bool empty_only)
{
	unsigned long flags = spin_lock_irqsave(&slab_lock), n = 0;
	struct kmem_cache *s;

	list_for_each_entry(s, &slab_caches, list)
		n += READ_ONCE(*(empty_only ? &s->nr_empty : &s->nr_slabs)) *
		     (s->slab_bytes >> PAGE_SHIFT);
	spin_unlock_irqrestore(&slab_lock, flags);
	return n;
}

unsigned long kmem_cache_free_empty(unsigned long nr)
{
	unsigned long flags = spin_lock_irqsave(&slab_lock), freed = 0;
	struct kmem_cache *s;

	list_for_each_entry(s, &slab_caches, list) {
		struct list_head discard = LIST_HEAD_INIT(discard);
		unsigned long lflags = spin_lock_irqsave(&s->list_lock);

		while (freed < nr && !list_empty(&s->empty)) {
			struct page *page = list_first_entry(&s->empty, struct page, slab_list);

			list_del(&page->slab_list);
			list_add(&page->slab_list, &discard);
			s->nr_empty--;
			s->nr_slabs--;
			freed += s->slab_bytes >> PAGE_SHIFT;
		}
		spin_unlock_irqrestore(&s->list_lock, lflags);
		discard_slabs(s, &discard);
		if (freed >= nr)
			break;
	}
	spin_unlock_irqrestore(&slab_lock, flags);
	return freed;
}

/* Objects of @s that their callers hold: the per-CPU counts (list_lock held, inboxes emptied). */
static unsigned long objects_in_use(const struct kmem_cache *s)
{
	unsigned long n = 0;

	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		n += s->cpu_slab[cpu].allocs - s->cpu_slab[cpu].frees;
	return n;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	struct list_head discard = LIST_HEAD_INIT(discard);
	unsigned long flags, live;

	if (!s)
		return;
	if (s == kmem_cache || (s->flags & SLAB_KMALLOC)) {
		pr_err("kmem_cache_destroy(%s): a built-in cache cannot be destroyed\n", s->name);
		return;
	}
	flags = spin_lock_irqsave(&slab_lock);
	spin_lock(&s->list_lock);
	flush_cpu_slabs(s, &discard);
	live = s->leaked ? 0 : objects_in_use(s);
	take_all(s, &s->empty, &s->nr_empty, &discard);
	if (live || s->leaked) {
		if (s->leaked)
			pr_err("kmem_cache_destroy(%s): destroyed before, and leaked\n", s->name);
		else
			slab_report_leak(s, live, _RET_IP_);
		s->leaked = true;
		spin_unlock(&s->list_lock);
		spin_unlock_irqrestore(&slab_lock, flags);
		discard_slabs(s, &discard);
		return;
	}
	/* What is left on partial/full holds only quarantined objects: nobody's. */
	take_all(s, &s->partial, &s->nr_partial, &discard);
	take_all(s, &s->full, &s->nr_full, &discard);
	list_del(&s->list);
	spin_unlock(&s->list_lock);
	spin_unlock_irqrestore(&slab_lock, flags);
	discard_slabs(s, &discard);
	kmem_cache_free(kmem_cache, s);
}

struct kmem_cache *kmem_cache_find(const char *name)
{
	unsigned long flags = spin_lock_irqsave(&slab_lock);
	struct kmem_cache *s, *found = NULL;

	list_for_each_entry(s, &slab_caches, list) {
		if (strcmp(s->name, name) == 0) {
			found = s;
			break;
		}
	}
	spin_unlock_irqrestore(&slab_lock, flags);
	return found;
}

/*
 * The counts of @s. Slabs come from the lists (under list_lock); objects in use from the
 * per-CPU counters, exact even though no list knows which objects sit on CPUs' freelists.
 * Another CPU may move its counters meanwhile: then the sum is a moment's snapshot.
 */
void kmem_cache_get_info(struct kmem_cache *s, struct slabinfo *si)
{
	unsigned long flags = spin_lock_irqsave(&s->list_lock);

	memset(si, 0, sizeof(*si));
	si->name = s->name;
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		const struct kmem_cache_cpu *c = &s->cpu_slab[cpu];

		si->allocs += READ_ONCE(c->allocs);
		si->frees += READ_ONCE(c->frees);
		si->requested += READ_ONCE(c->requested);
	}
	si->active_objs = si->allocs - si->frees + s->quarantined;
	si->num_slabs = s->nr_slabs;
	si->active_slabs = s->nr_slabs - s->nr_empty;
	si->num_objs = s->nr_slabs * s->objects;
	spin_unlock_irqrestore(&s->list_lock, flags);
	si->objsize = s->size;
	si->object_size = s->object_size;
	si->objperslab = s->objects;
	si->pagesperslab = 1u << s->order;
	si->kmalloc = s->flags & SLAB_KMALLOC;
}

void kmem_cache_init(void)
{
	if (slab_is_up)
		return;
	kmem_cache = &kmem_cache_boot;
	kmem_cache_setup(kmem_cache, "kmem_cache", sizeof(struct kmem_cache), 0,
			 SLAB_HWCACHE_ALIGN, NULL);
	add_cache(kmem_cache);
	slab_is_up = true;
	create_kmalloc_caches();
	pr_info("kmem_cache_init: kmalloc-8 .. kmalloc-8k (and dma-), larger in pages; "
		"struct kmem_cache is %u bytes, %u per order-%u slab%s\n", kmem_cache->size,
		kmem_cache->objects, kmem_cache->order,
		kmem_cache_debug(kmem_cache) ? "; slub_debug on" : "");
}

#ifdef HOSTED_TEST
void slab_host_reset(void)
{
	memset(&kmem_cache_boot, 0, sizeof(kmem_cache_boot));
	INIT_LIST_HEAD(&slab_caches);
	kmem_cache = NULL;
	slab_is_up = false;
	memset(kmalloc_caches, 0, sizeof(kmalloc_caches));
	memset(&slab_stats, 0, sizeof(slab_stats));
	memset(&kmalloc_large_stats, 0, sizeof(kmalloc_large_stats));
	slub_debug_setup("-");
}
#endif

/*
 * The slab allocator's core: slabs, their lists, and the paths of kmem_cache_alloc and
 * kmem_cache_free. This is SLUB's design (Linux's default allocator) in less code; docs/slab.md
 * explains it with pictures. Creating, shrinking and destroying caches is mm/slab_common.c,
 * debugging mm/slab_debug.c, kmalloc mm/kmalloc.c.
 *
 * A slab is a block of 2^order pages from alloc_pages, cut into s->objects slots of s->size
 * bytes. Every page of it has PG_slab and page->slab_cache = s; its first page (the head,
 * found from any of its pages by aligning the frame number down: buddy blocks are naturally
 * aligned) also holds the slab's freelist and its count of objects in use.
 *
 * The freelist is kept inside the free objects: each free object holds the address of the
 * next one (at s->offset), and page->freelist points at the first. Why not a bitmap, as
 * the course's alloc_foo() does (a header of bits, 1 per object, 0 = free)? A bitmap costs
 * room in every slab, and allocating means searching it for a 0 bit (a scan that grows with
 * the slab), freeing means computing the bit from the address (a division). The list costs
 * no room at all (a free object's bytes are unused anyway), and allocation and free are a
 * pop and a push of a few instructions, whatever the slab size. What the list gives up: no
 * cheap "is this object free?" test (a double free must walk the list, which only debug
 * caches do), and a stray write into a free object can break the chain (which debugging
 * detects). docs/slab.md compares both on the 117-byte struct foo.
 *
 * The fast path. Each CPU has an active slab: its free objects are on c->freelist, which
 * only that CPU touches, with interrupts off, so a hot cache's alloc and free take no lock
 * and touch no shared list (about 35 instructions per pair, scripts/bench-slab). The active
 * slab is "frozen": on no list, with page->inuse = objects; objects freed to it on the slow
 * path (from another CPU) collect on page->freelist under list_lock. When c->freelist runs
 * dry, the slow path refills it from (1) the active slab's page->freelist, (2) a partial
 * slab, (3) an empty one, (4) a new slab from the buddy allocator.
 *
 * Invariants (kmem_cache_check in mm/slab_check.c verifies them):
 *  - a slab that no CPU holds is on exactly one of s->partial, s->full, s->empty, chosen by
 *    its inuse, and its page->freelist links exactly objects - inuse of its objects;
 *  - an active slab is on no list (slab_list points at itself); its free objects are on
 *    c->freelist and page->freelist, and page->inuse = objects - (those on page->freelist);
 *  - nr_partial, nr_full, nr_empty count the lists; nr_slabs counts those and active slabs;
 *  - objects in use = the sum over CPUs of allocs - frees, plus s->quarantined.
 * Locks: list_lock (interrupts off) guards the lists and the head-page fields of slabs not
 * active on this CPU; slab_lock (mm/slab_common.c) guards the list of caches, above it.
 *
 * Limits: flush_cpu_slabs reaches into other CPUs' kmem_cache_cpu directly, fine while only
 * the boot CPU runs (SMP needs an IPI, as drain_all_pages does). The free fast path trusts
 * its pointer, as Linux's does: an interior pointer into this CPU's active slab, or a double
 * free that is not of the last object freed, is caught only in debug caches (which never
 * take the fast path); frees that miss the fast path are checked in every cache.
 */
#define pr_fmt(fmt) "slab: " fmt

#include <kernel/printk.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/slab.h>

struct slab_stats slab_stats;

/* Is this slab a CPU's active slab? Only those are on no list. */
static inline bool slab_frozen(const struct page *head)
{
	return list_empty(&head->slab_list);
}

/* ---- slabs ---- */

/*
 * A new slab: pages from the buddy allocator, each marked as ours, each object set up
 * (debug bytes, then the constructor) and linked in address order. Called with interrupts
 * as the caller had them, no lock held: alloc_pages may one day wait for reclaim.
 */
struct page *new_slab(struct kmem_cache *s, gfp_t gfp)
{
	gfp_t page_gfp = (gfp & ~(__GFP_ZERO | __GFP_DMA | __GFP_DMA32)) | s->allocflags;
	struct page *page = alloc_pages(page_gfp, s->order);
	void *prev = NULL;

	if (!page)
		return NULL;
	for (unsigned long i = 0; i < (1ul << s->order); i++) {
		SetPageFlag(&page[i], PG_slab);
		page[i].slab_cache = s;
	}
	INIT_LIST_HEAD(&page->slab_list);
	page->objects = s->objects;
	page->inuse = 0;
	page->freelist = NULL;
	for (unsigned int i = 0; i < s->objects; i++) {
		void *object = slab_object(s, page, i);

		if (kmem_cache_debug(s))
			debug_init_object(s, object);
		if (s->ctor)
			s->ctor(object);
		if (prev)
			set_freepointer(s, prev, object);
		else
			page->freelist = object;
		prev = object;
	}
	set_freepointer(s, prev, NULL);
	return page;
}

/* Unmark the pages and give them back: the buddy allocator refuses a page with PG_slab. */
static void free_slab(struct kmem_cache *s, struct page *page)
{
	for (unsigned long i = 0; i < (1ul << s->order); i++) {
		ClearPageFlag(&page[i], PG_slab);
		page[i].slab_cache = NULL;
	}
	page->freelist = NULL;
	page->inuse = 0;
	page->objects = 0;
	__free_pages(page, s->order);
}

/* Free the slabs gathered on @discard (by file_slab or shrink), with no lock held. */
void discard_slabs(struct kmem_cache *s, struct list_head *discard)
{
	while (!list_empty(discard)) {
		struct page *page = list_first_entry(discard, struct page, slab_list);

		list_del(&page->slab_list);
		free_slab(s, page);
	}
}

/*
 * Put a slab that is on no list onto the one its inuse says. An empty slab beyond the
 * min_empty kept for reuse goes onto @discard instead (true is returned), to be freed once
 * the lock is dropped; with @discard NULL it is kept. list_lock held.
 */
bool file_slab(struct kmem_cache *s, struct page *page, struct list_head *discard)
{
	if (page->inuse == page->objects) {
		list_add(&page->slab_list, &s->full);
		s->nr_full++;
	} else if (page->inuse) {
		/*
		 * At the tail: allocation takes from the head, so a slab that just got an
		 * object back is used last, and has time to empty and be given back.
		 */
		list_add_tail(&page->slab_list, &s->partial);
		s->nr_partial++;
	} else if (!discard || s->nr_empty < s->min_empty) {
		list_add(&page->slab_list, &s->empty);
		s->nr_empty++;
	} else {
		list_add(&page->slab_list, discard);
		s->nr_slabs--;
		return true;
	}
	return false;
}

/* Take a slab off its list; call before its inuse changes (that says which list). */
void unlink_slab(struct kmem_cache *s, struct page *page)
{
	list_del(&page->slab_list);
	if (page->inuse == page->objects)
		s->nr_full--;
	else if (page->inuse)
		s->nr_partial--;
	else
		s->nr_empty--;
}

/* ---- the active slab of a CPU (list_lock held, interrupts off) ---- */

static void freeze_slab(struct kmem_cache_cpu *c, struct page *page)
{
	INIT_LIST_HEAD(&page->slab_list);
	c->page = page;
	c->base = (unsigned long)slab_base(page);
	c->freelist = page->freelist;
	page->freelist = NULL;
	page->inuse = page->objects;
}

/*
 * Give up @c's active slab: the objects left on c->freelist join page->freelist, and the
 * slab goes onto the list its inuse says. The walk is bounded by the slab's size, so a
 * chain damaged by a write after free cannot make it loop.
 */
static void deactivate_slab(struct kmem_cache *s, struct kmem_cache_cpu *c,
			    struct list_head *discard)
{
	struct page *page = c->page;
	void *tail = NULL;
	unsigned int n = 0;

	if (!page)
		return;
	for (void *p = c->freelist; p && n < page->objects; p = get_freepointer(s, p)) {
		tail = p;
		n++;
	}
	if (tail) {
		set_freepointer(s, tail, page->freelist);
		page->freelist = c->freelist;
	}
	page->inuse -= n;
	c->freelist = NULL;
	c->page = NULL;
	c->base = SLAB_NO_BASE;
	file_slab(s, page, discard);
}

void flush_cpu_slabs(struct kmem_cache *s, struct list_head *discard)
{
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		deactivate_slab(s, &s->cpu_slab[cpu], discard);
}

/*
 * Give @c free objects again: those freed into its active slab meanwhile, or else a partial
 * slab, or else an empty one becomes the active slab. false: there is no slab with a free
 * object, a new one is needed.
 */
static bool refill_cpu_slab(struct kmem_cache *s, struct kmem_cache_cpu *c)
{
	struct page *page = c->page;

	if (page && page->freelist) {
		c->freelist = page->freelist;
		page->freelist = NULL;
		page->inuse = page->objects;
		return true;
	}
	if (page) {	/* every object of it is allocated: it goes onto the full list */
		c->page = NULL;
		c->base = SLAB_NO_BASE;
		file_slab(s, page, NULL);
	}
	if (!list_empty(&s->partial))
		page = list_first_entry(&s->partial, struct page, slab_list);
	else if (!list_empty(&s->empty))
		page = list_first_entry(&s->empty, struct page, slab_list);
	else
		return false;
	unlink_slab(s, page);
	freeze_slab(c, page);
	return true;
}

/*
 * A new slab onto the empty list, allocated with list_lock dropped and interrupts as they
 * were before *flags was saved; takes the lock again (updating *flags). false: no memory.
 */
bool grow_cache(struct kmem_cache *s, gfp_t gfp, unsigned long *flags)
{
	struct page *page;

	spin_unlock_irqrestore(&s->list_lock, *flags);
	page = new_slab(s, gfp);
	*flags = spin_lock_irqsave(&s->list_lock);
	if (!page)
		return false;
	s->nr_slabs++;
	file_slab(s, page, NULL);
	return true;
}

/* ---- allocating ---- */

/* The slow path of a cache without debugging: refill this CPU's freelist, then pop it. */
static void *cpu_slab_alloc(struct kmem_cache *s, gfp_t gfp, size_t orig_size)
{
	unsigned long flags = spin_lock_irqsave(&s->list_lock);
	struct kmem_cache_cpu *c = this_cpu_slab(s);
	void *object;

	while (!c->freelist) {
		if (refill_cpu_slab(s, c))
			continue;
		if (!grow_cache(s, gfp, &flags)) {
			spin_unlock_irqrestore(&s->list_lock, flags);
			return NULL;
		}
		c = this_cpu_slab(s);
	}
	object = c->freelist;
	c->freelist = get_freepointer(s, object);
	c->allocs++;
	c->requested += orig_size;
	spin_unlock_irqrestore(&s->list_lock, flags);
	return object;
}

static void slab_out_of_memory(struct kmem_cache *s, gfp_t gfp)
{
	char gfp_buf[64];

	slab_stats.alloc_fail++;
	if (gfp & __GFP_NOWARN)
		return;
	gfp_name(gfp_buf, sizeof(gfp_buf), gfp);
	pr_warn("SLUB: Unable to allocate memory, gfp=%s: cache %s, object size %u, buffer size "
		"%u, order %u, %lu slabs\n", gfp_buf, s->name, s->object_size, s->size, s->order,
		s->nr_slabs);
}

__noinline void *slab_zero(struct kmem_cache *s, void *object)
{
	return memset(object, 0, s->object_size);
}

void *__slab_alloc(struct kmem_cache *s, gfp_t gfp, unsigned long caller, size_t orig_size)
{
	void *object;

	if (kmem_cache_debug(s))
		object = debug_slab_alloc(s, gfp, caller, orig_size);
	else
		object = cpu_slab_alloc(s, gfp, orig_size);
	if (unlikely(!object)) {
		slab_out_of_memory(s, gfp);
		return NULL;
	}
	if (gfp & __GFP_ZERO)
		slab_zero(s, object);
	return object;
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	return slab_alloc(s, gfp, _RET_IP_, 0);
}

/* ---- freeing ---- */

/* The object whose slot holds @x, for a report; NULL outside every slot. */
static void *slot_of(struct kmem_cache *s, struct page *head, const void *x)
{
	unsigned long off = (unsigned long)((const char *)x - slab_base(head)) - s->red_left_pad;

	return off / s->size < s->objects ? slab_object(s, head, (unsigned int)(off / s->size))
					   : NULL;
}

/*
 * Where does @x go? Its slab's head page, once it is known to be the start of an object of
 * @s; else the mistake is reported and NULL returned (the free must be ignored). Every free
 * that misses the fast path passes here, debug cache or not: the tests are cheap next to
 * taking list_lock.
 */
struct page *slab_free_target(struct kmem_cache *s, const void *x, unsigned long caller)
{
	struct page *page = slab_virt_to_page(x), *head;
	unsigned long off;

	if (!page || !PageFlag(page, PG_slab)) {
		slab_report(SLAB_BUG_NOT_SLAB, s, NULL, x, NULL, caller,
			    "kmem_cache_free(%s, %p): not an object of any slab cache", s->name, x);
		return NULL;
	}
	if (page->slab_cache != s) {
		struct kmem_cache *owner = page->slab_cache;

		head = slab_head(owner, page);
		slab_report(SLAB_BUG_WRONG_CACHE, s, head, slot_of(owner, head, x), x, caller,
			    "kmem_cache_free(%s, %p) but the object is from %s", s->name, x,
			    owner->name);
		return NULL;
	}
	head = slab_head(s, page);
	if (slab_object_index(s, head, x) < 0) {
		off = (unsigned long)((const char *)x - slab_base(head)) - s->red_left_pad;
		slab_report(SLAB_BUG_INVALID_PTR, s, head, slot_of(s, head, x), x, caller,
			    "Invalid object pointer %p (%ld bytes into slot %ld)", x,
			    (long)off % (long)s->size, (long)off / (long)s->size);
		return NULL;
	}
	return head;
}

void __slab_free(struct kmem_cache *s, void *x, unsigned long caller)
{
	struct list_head discard = LIST_HEAD_INIT(discard);
	struct kmem_cache_cpu *c;
	struct page *head;
	unsigned long flags;
	bool frozen;

	if (unlikely(!x))
		return;		/* as kfree(NULL) */
	head = slab_free_target(s, x, caller);
	if (!head)
		return;
	if (kmem_cache_debug(s)) {
		debug_slab_free(s, head, x, caller);
		return;
	}
	flags = spin_lock_irqsave(&s->list_lock);
	c = this_cpu_slab(s);
	/*
	 * Without debugging, a free object is recognised only when it is the last one freed,
	 * or when its slab has none in use (then inuse would wrap and break the lists).
	 */
	if (x == head->freelist || (head == c->page && x == c->freelist) || !head->inuse) {
		spin_unlock_irqrestore(&s->list_lock, flags);
		slab_report(SLAB_BUG_DOUBLE_FREE, s, head, x, NULL, caller,
			    "Object %p already free (%s)", x, head->inuse ?
			    "it is the last object freed" : "its slab has none in use");
		return;
	}
	frozen = slab_frozen(head);
	if (!frozen)
		unlink_slab(s, head);
	set_freepointer(s, x, head->freelist);
	head->freelist = x;
	head->inuse--;
	c->frees++;
	if (!frozen)
		file_slab(s, head, &discard);
	spin_unlock_irqrestore(&s->list_lock, flags);
	discard_slabs(s, &discard);
}

void kmem_cache_free(struct kmem_cache *s, void *x)
{
	slab_free(s, x, _RET_IP_);
}

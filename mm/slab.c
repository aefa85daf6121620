/*
 * The slab allocator's core: slabs, the lists of slabs no CPU holds, and the paths of
 * kmem_cache_alloc and kmem_cache_free. This is SLUB's design (Linux's default allocator) in
 * less code; docs/slab.md explains it with pictures. What a CPU holds (its active slab, its
 * partial and full slabs, its inbox) is mm/slab_cpu.c; creating, shrinking and destroying
 * caches mm/slab_common.c, debugging mm/slab_debug.c, kmalloc mm/kmalloc.c.
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
 * Who holds a slab. A slab is either held by one CPU (page->frozen = 1 + the CPU: its
 * active slab, a slab on its partial list, or a full one; mm/slab_cpu.c), and then only that
 * CPU touches its freelist, without a lock; or it is held by none and lies on one of the
 * cache's lists, s->partial, s->full, s->empty, under list_lock. A CPU allocates from its
 * active slab (the fast path in include/mm/slab.h: about 40 instructions per alloc+free
 * pair, scripts/bench-slab), and frees into any slab it holds without a lock. A free into a
 * slab another CPU holds goes to that CPU's inbox (one cmpxchg); a free into a slab nobody
 * holds takes list_lock. A slab leaves a CPU when it becomes empty (back onto s->empty, or
 * to the buddy allocator) and when the cache is shrunk or destroyed (flush_cpu_slabs: all
 * but the full ones, which have nothing to give back).
 *
 * Invariants (kmem_cache_check in mm/slab_check.c verifies them):
 *  - a slab no CPU holds is on exactly one of s->partial, s->full, s->empty, chosen by its
 *    inuse, and its page->freelist links exactly objects - inuse of its objects;
 *  - a slab CPU n holds has frozen = n + 1 and is n's active slab (its free objects on
 *    c->freelist, page->freelist empty, page->inuse = objects), or on n's partial list
 *    (0 < inuse < objects), or full (inuse = objects) and on no list, with the same freelist
 *    rule;
 *  - nr_partial, nr_full, nr_empty count the cache's lists; nr_slabs counts all slabs;
 *  - objects in use = the sum over CPUs of allocs - frees, plus s->quarantined; objects in
 *    inboxes count as freed.
 * Locks: list_lock (interrupts off) guards the cache's lists and the slabs on them, and is
 * taken whenever a slab changes hands; slab_lock (mm/slab_common.c) guards the list of
 * caches, above it. A CPU's own state needs no lock, only c->busy (include/mm/slab.h).
 *
 * Limits: flush_cpu_slabs reaches into other CPUs' state directly, fine while only the boot
 * CPU runs (SMP needs an IPI, as drain_all_pages does). The free fast path trusts its
 * pointer, as Linux's does: an interior pointer into this CPU's active slab, or a double
 * free that is not of the last object freed, is caught only in debug caches (which never
 * take the fast path); frees that miss the fast path are checked in every cache. A CPU
 * keeps every slab it has freed into until the slab empties (no cap, as Linux has on its
 * per-CPU partial list): each holds live objects, so that is bounded, but on SMP another CPU
 * could not use their free slots meanwhile.
 */
#define pr_fmt(fmt) "slab: " fmt

#include <kernel/printk.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/slab.h>

struct slab_stats slab_stats;

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
	page->objects = (uint16_t)s->objects;
	page->inuse = 0;
	page->frozen = 0;
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
	page->frozen = 0;
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

/* ---- the cache's lists: slabs no CPU holds (list_lock held) ---- */

/*
 * Put a slab that is on no list onto the one its inuse says. An empty slab beyond the
 * min_empty kept for reuse goes onto @discard instead (true is returned), to be freed once
 * the lock is dropped; with @discard NULL it is kept.
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

/*
 * A slab on the cache's lists with a free object: the head of the partial list, else an
 * empty slab, else a new one (list_lock dropped meanwhile, see grow_cache). Still on its
 * list; NULL when there is no memory.
 */
struct page *node_slab_with_free(struct kmem_cache *s, gfp_t gfp, unsigned long *flags)
{
	for (;;) {
		if (!list_empty(&s->partial))
			return list_first_entry(&s->partial, struct page, slab_list);
		if (!list_empty(&s->empty))
			return list_first_entry(&s->empty, struct page, slab_list);
		if (!grow_cache(s, gfp, flags))
			return NULL;
	}
}

/*
 * Slabs of @s are naturally aligned blocks of 2^order frames, so their head pages are at
 * multiples of 2^order: the walk looks only there. For the tools that must see every slab,
 * full slabs held by a CPU (on no list) included; they hold list_lock, so slabs do not come
 * and go meanwhile.
 */
struct page *slab_next(struct kmem_cache *s, unsigned long *pfn)
{
	unsigned long step = 1ul << s->order;

	for (unsigned long p = ALIGN_UP(*pfn, step); p < max_pfn; p += step) {
		struct page *page = pfn_to_page(p);

		if (PageFlag(page, PG_slab) && page->slab_cache == s) {
			*pfn = p + step;
			return page;
		}
	}
	*pfn = max_pfn;
	return NULL;
}

/*
 * One object straight from the cache's lists, touching no per-CPU state but the counters:
 * for an interrupt that came while this CPU was inside the allocator (c->busy).
 */
static void *node_alloc(struct kmem_cache *s, gfp_t gfp, size_t orig_size)
{
	unsigned long flags = spin_lock_irqsave(&s->list_lock);
	struct page *head = node_slab_with_free(s, gfp, &flags);
	struct kmem_cache_cpu *c;
	void *object = NULL;

	if (head) {
		unlink_slab(s, head);
		object = head->freelist;
		head->freelist = get_freepointer(s, object);
		head->inuse++;
		file_slab(s, head, NULL);
		c = this_cpu_slab(s);
		slab_stat_add(&c->allocs, 1);
		slab_stat_add(&c->requested, orig_size);
	}
	spin_unlock_irqrestore(&s->list_lock, flags);
	return object;
}

/*
 * Free @x into its slab @head, which no CPU held when the caller looked (list_lock held).
 * FREE_ELSEWHERE: a CPU has taken the slab since, the caller must hand @x to it. Without
 * debugging, a free object is recognised only when it is the last one freed, or when its
 * slab has none in use (then inuse would wrap and break the lists).
 */
enum free_result free_to_node_slab(struct kmem_cache *s, struct page *head, void *x,
				   unsigned long caller, struct list_head *discard)
{
	if (head->frozen)
		return FREE_ELSEWHERE;
	if (x == head->freelist || !head->inuse) {
		slab_report(SLAB_BUG_DOUBLE_FREE, s, head, x, NULL, caller,
			    "Object %p already free (%s)", x, head->inuse ?
			    "it is the last object freed" : "its slab has none in use");
		return FREE_REFUSED;
	}
	unlink_slab(s, head);
	set_freepointer(s, x, head->freelist);
	head->freelist = x;
	head->inuse--;
	file_slab(s, head, discard);
	return FREE_DONE;
}

/*
 * Free @x into @head, a slab this CPU does not hold (or this CPU is busy): into the inbox
 * of the CPU that holds it, or onto a slab nobody holds, under list_lock. A slab changes
 * hands only under list_lock, so "nobody holds it" is sure only under the lock; "CPU n
 * holds it" may be stale, and then n finds @x in its inbox and passes it on. Either way @x
 * stays allocated until it lands on a freelist, so its slab cannot go away meanwhile.
 * false: a double free, reported and ignored.
 */
bool free_foreign(struct kmem_cache *s, struct page *head, void *x, unsigned long caller)
{
	struct list_head discard = LIST_HEAD_INIT(discard);
	enum free_result r = FREE_ELSEWHERE;
	unsigned long flags;
	unsigned int frozen;

	while (r == FREE_ELSEWHERE) {
		frozen = READ_ONCE(head->frozen);
		if (frozen)
			return inbox_push(s, &s->cpu_slab[frozen - 1], head, x, caller);
		flags = spin_lock_irqsave(&s->list_lock);
		r = free_to_node_slab(s, head, x, caller, &discard);
		spin_unlock_irqrestore(&s->list_lock, flags);
	}
	discard_slabs(s, &discard);
	return r == FREE_DONE;
}

/* ---- allocating ---- */

/* No memory for a new slab: count it, and say so unless asked not to. Returns NULL. */
__noinline void *slab_alloc_failed(struct kmem_cache *s, gfp_t gfp)
{
	char gfp_buf[64];

	slab_stats.alloc_fail++;
	if (gfp & __GFP_NOWARN)
		return NULL;
	gfp_name(gfp_buf, sizeof(gfp_buf), gfp);
	pr_warn("SLUB: Unable to allocate memory, gfp=%s: cache %s, object size %u, buffer size "
		"%u, order %u, %lu slabs\n", gfp_buf, s->name, s->object_size, s->size, s->order,
		s->nr_slabs);
	return NULL;
}

__noinline void *slab_zero(struct kmem_cache *s, void *object)
{
	return memset(object, 0, s->object_size);
}

/*
 * The allocations __slab_alloc (mm/slab_cpu.c) does not take on: from a debug cache, and
 * while this CPU is inside the allocator already (@c NULL: an interrupt). @c, if entered,
 * is left at once.
 */
void *slab_alloc_rare(struct kmem_cache *s, gfp_t gfp, unsigned long caller, size_t orig_size,
		      struct kmem_cache_cpu *c)
{
	void *object;

	if (c)
		slab_cpu_exit(c);
	if (kmem_cache_debug(s))
		object = debug_slab_alloc(s, gfp, caller, orig_size);
	else
		object = node_alloc(s, gfp, orig_size);
	if (unlikely(!object))
		return slab_alloc_failed(s, gfp);
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
 * A free that slab_free_target refused: report why (@page: the struct page of @x, or NULL if
 * not looked up yet). Returns NULL, the free is ignored.
 */
static __noinline struct page *slab_bad_free(struct kmem_cache *s, struct page *page,
					     const void *x, unsigned long caller)
{
	struct kmem_cache *owner;
	struct page *head;
	unsigned long off;

	if (!page)
		page = slab_virt_to_page(x);
	if (!page || !PageFlag(page, PG_slab)) {
		slab_report(SLAB_BUG_NOT_SLAB, s, NULL, x, NULL, caller,
			    "kmem_cache_free(%s, %p): not an object of any slab cache", s->name, x);
		return NULL;
	}
	owner = page->slab_cache;
	head = slab_head(owner, page);
	if (owner != s) {
		slab_report(SLAB_BUG_WRONG_CACHE, s, head, slot_of(owner, head, x), x, caller,
			    "kmem_cache_free(%s, %p) but the object is from %s", s->name, x,
			    owner->name);
		return NULL;
	}
	off = (unsigned long)((const char *)x - slab_base(head)) - s->red_left_pad;
	slab_report(SLAB_BUG_INVALID_PTR, s, head, slot_of(s, head, x), x, caller,
		    "Invalid object pointer %p (%ld bytes into slot %ld)", x,
		    (long)off % (long)s->size, (long)off / (long)s->size);
	return NULL;
}

/*
 * Where does @x go? Its slab's head page, once it is known to be the start of an object of
 * @s; else the mistake is reported (slab_bad_free) and NULL returned: the free must be
 * ignored. @page: the struct page of @x, PG_slab and of @s, if the caller knows it (kfree
 * found @s there), else NULL. The same tests as __slab_free makes inline (mm/slab_cpu.c), for
 * the frees that go through slab_free_rare: every free that misses the fast path is checked.
 */
static struct page *slab_free_target(struct kmem_cache *s, struct page *page, const void *x,
				     unsigned long caller)
{
	struct page *head;

	if (!page) {
		page = slab_virt_to_page(x);
		if (unlikely(!page || !PageFlag(page, PG_slab) || page->slab_cache != s))
			return slab_bad_free(s, page, x, caller);
	}
	head = slab_head(s, page);
	if (unlikely(slab_object_index(s, head, x) < 0))
		return slab_bad_free(s, page, x, caller);
	return head;
}

/*
 * The frees __slab_free (mm/slab_cpu.c) does not take on: of NULL (a no-op, as kfree(NULL)),
 * of what is not an object of @s (reported here), into a debug cache, and while this CPU is
 * inside the allocator already (@c NULL: an interrupt, which must leave this CPU's state
 * alone). @c, if entered, is left at once.
 */
void slab_free_rare(struct kmem_cache *s, void *x, struct kmem_cache_cpu *c, struct page *page,
		    unsigned long caller)
{
	struct page *head = x ? slab_free_target(s, page, x, caller) : NULL;

	if (c)
		slab_cpu_exit(c);
	if (!head)
		return;
	if (kmem_cache_debug(s))
		debug_slab_free(s, head, x, caller);
	else if (free_foreign(s, head, x, caller))
		slab_stat_add(&this_cpu_slab(s)->frees, 1);
}

void kmem_cache_free(struct kmem_cache *s, void *x)
{
	slab_free(s, NULL, x, _RET_IP_);
}

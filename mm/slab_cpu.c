/*
 * The slabs a CPU holds (docs/slab.md section 3): its active slab, which the fast paths of
 * include/mm/slab.h allocate from, its partial list (held slabs with free objects, the next
 * active slabs), its full slabs, and its inbox. This is SLUB's per-CPU slab and per-CPU
 * partial list; the inbox is where SLUB would cmpxchg a remote free into the slab's own
 * freelist, here kept apart so that the holder's freelists need no atomic operation at all.
 * A full slab is on no list, as in SLUB: nothing needs it until an object comes back, and
 * then the object's struct page leads to it (kmem_cache_check and the leak report, which
 * must see every slab, find them by walking mem_map: slab_next).
 *
 * A slab CPU n holds has page->frozen = n + 1, and then only CPU n touches its freelist and
 * its inuse, and the list it is on, with c->busy set (slab_cpu_enter) and no lock. So a free
 * into any slab this CPU holds is a push and a decrement: no lock, no atomic instruction;
 * the active slab's objects are on c->freelist rather than page->freelist, so that the fast
 * paths need not find the slab. The holder lets a slab go (page->frozen = 0, onto the
 * cache's lists, under list_lock) when it becomes empty, and when the cache is flushed.
 *
 * Another CPU (or an interrupt handler on this one, which finds c busy) cannot touch those
 * freelists. It pushes the object onto the holder's inbox instead, with a cmpxchg; the
 * holder takes the whole inbox with one exchange when it next refills, and frees each object
 * as its own. That the holder may have let the slab go meanwhile does no harm: it then passes
 * the object on (mm/slab.c: free_foreign). A push needs no protection against the ABA
 * problem: it only links the object in front of whatever the head is at the moment the
 * cmpxchg succeeds, and nobody pops single objects off an inbox.
 */
#include <kernel/printk.h>
#include <mm/slab.h>

/* ---- the active slab ---- */

/* Make @head, held by this CPU and on no list, the active slab: its objects go to c. */
static void activate_slab(struct kmem_cache_cpu *c, struct page *head)
{
	c->page = head;
	c->base = (unsigned long)slab_base(head);
	c->freelist = head->freelist;
	head->freelist = NULL;
	head->inuse = head->objects;	/* as if all were taken: page->freelist is empty */
}

/*
 * The active slab ran dry: every object is allocated (its free objects are only ever on
 * c->freelist, which is empty). It stays held, full, on no list.
 */
static void retire_active_slab(struct kmem_cache_cpu *c)
{
	c->page = NULL;
	c->base = SLAB_NO_BASE;
}

/* ---- freeing into a slab this CPU holds ---- */

/*
 * A held slab became empty: it goes back onto the cache's lists, or to the buddy allocator.
 * (It was partial, or full if it has one object: then on no list, and list_del does nothing.)
 */
static __noinline void release_empty_slab(struct kmem_cache *s, struct page *head)
{
	struct list_head discard = LIST_HEAD_INIT(discard);
	unsigned long flags;

	list_del(&head->slab_list);
	flags = spin_lock_irqsave(&s->list_lock);
	head->frozen = 0;	/* under the lock: see free_foreign */
	file_slab(s, head, &discard);
	spin_unlock_irqrestore(&s->list_lock, flags);
	discard_slabs(s, &discard);
}

static __noinline bool held_double_free(struct kmem_cache *s, struct page *head, void *x,
					unsigned long caller)
{
	slab_report(SLAB_BUG_DOUBLE_FREE, s, head, x, NULL, caller, "Object %p already free (%s)",
		    x, head->inuse ? "it is the last object freed" : "its slab has none in use");
	return false;
}

/*
 * A held slab got an object back and was full, or is empty now. A full slab joins the tail
 * of the partial list: refills take from the head, so it has time to gather more free
 * objects before it is used again. An empty one is let go.
 */
static __always_inline void held_slab_moves(struct kmem_cache *s, struct kmem_cache_cpu *c,
					    struct page *head)
{
	if (!head->inuse)
		release_empty_slab(s, head);
	else
		list_add_tail(&head->slab_list, &c->partial);
}

/*
 * Free @x into @head, a slab this CPU holds, partial or full (not the active one): a push and
 * a decrement. As in free_to_node_slab, only the last object freed and a slab with none in
 * use are recognised as double frees.
 */
static __always_inline bool free_to_held_slab(struct kmem_cache *s, struct kmem_cache_cpu *c,
					      struct page *head, void *x, unsigned long caller)
{
	unsigned int inuse = head->inuse;

	if (unlikely(x == head->freelist || !inuse))
		return held_double_free(s, head, x, caller);
	set_freepointer(s, x, head->freelist);
	head->freelist = x;
	head->inuse = inuse - 1;
	if (unlikely(inuse == 1 || inuse == head->objects))
		held_slab_moves(s, c, head);
	return true;
}

/*
 * Free @x into its slab @head (c busy, @x checked by slab_free_target): pushed onto the slab
 * if this CPU holds it, else handed on by free_foreign. false: a double free, reported.
 */
static bool cpu_slab_free(struct kmem_cache *s, struct kmem_cache_cpu *c, struct page *head,
			  void *x, unsigned long caller)
{
	if (head->frozen != c->frozen)
		return free_foreign(s, head, x, caller);
	if (head != c->page)
		return free_to_held_slab(s, c, head, x, caller);
	if (x == c->freelist)
		return held_double_free(s, head, x, caller);
	set_freepointer(s, x, c->freelist);	/* the active slab's free objects are on c */
	c->freelist = x;
	return true;
}

/* What __slab_free leaves to the general path: @c entered, @x checked, @head its slab. */
static __noinline void slab_free_other(struct kmem_cache *s, void *x, struct kmem_cache_cpu *c,
				       struct page *head, unsigned long caller)
{
	if (cpu_slab_free(s, c, head, x, caller))
		slab_stat_add(&c->frees, 1);
	slab_cpu_exit(c);
}

/*
 * The free fast path missed (include/mm/slab.h). The common case is inline here, about 45
 * instructions: @c is this CPU's part, entered, and @x lies in another slab this CPU holds,
 * not full and not about to empty. The rest is out of line: slab_free_rare (no @c: an
 * interrupt inside the allocator; a debug cache; @x not an object of @s), slab_free_other (a
 * slab this CPU does not hold, or its active one), held_slab_moves. @page: the struct page
 * of @x, PG_slab and of @s (from kfree), or NULL. @c is left on return.
 *
 * The check that @x starts an object works on its offset in the slab, read off its physical
 * address: slabs are buddy blocks, naturally aligned, and in a cache without debugging the
 * objects start at the slab's first byte (no red zone on the left).
 */
void __slab_free(struct kmem_cache *s, void *x, struct kmem_cache_cpu *c, struct page *page,
		 unsigned long caller)
{
	unsigned long off, i;
	struct page *head;

	if (unlikely(!c || kmem_cache_debug(s))) {
		slab_free_rare(s, x, c, page, caller);
		return;
	}
	if (!page) {	/* kmem_cache_free: is @x in a slab of @s at all? */
		page = slab_virt_to_page(x);
		if (unlikely(!page || !PageFlag(page, PG_slab) || page->slab_cache != s)) {
			slab_free_rare(s, x, c, NULL, caller);
			return;
		}
	}
	off = (unsigned long)__pa(x) & (s->slab_bytes - 1);
	i = (off * s->reciprocal_size) >> 32;	/* off / s->size: see slab_object_index */
	if (unlikely(i >= s->objects || i * s->size != off)) {
		slab_free_rare(s, x, c, page, caller);
		return;
	}
	head = page - (off >> PAGE_SHIFT);
	if (unlikely(head->frozen != c->frozen || head == c->page)) {
		slab_free_other(s, x, c, head, caller);
		return;
	}
	if (free_to_held_slab(s, c, head, x, caller))
		slab_stat_add(&c->frees, 1);
	slab_cpu_exit(c);
}

/* ---- the inbox ---- */

/*
 * Hand @x, an object of @head, to the CPU whose state is @owner: a push onto its inbox. The
 * free counts now, on the freeing CPU; the holder takes it back if the object turns out to be
 * free already. A push of the object pushed last is recognised as a double free here.
 */
bool inbox_push(struct kmem_cache *s, struct kmem_cache_cpu *owner, struct page *head, void *x,
		unsigned long caller)
{
	void *first = __atomic_load_n(&owner->inbox, __ATOMIC_RELAXED);

	do {
		if (unlikely(x == first)) {
			slab_report(SLAB_BUG_DOUBLE_FREE, s, head, x, NULL, caller,
				    "Object %p already free (it is the last object freed)", x);
			return false;
		}
		set_freepointer(s, x, first);
		/* release: the link written above is seen by whoever takes the inbox */
	} while (!__atomic_compare_exchange_n(&owner->inbox, &first, x, true, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
	return true;
}

/* Take @c's inbox, all of it (c busy, or its CPU held still while the cache is flushed). */
static void *take_inbox(struct kmem_cache_cpu *c)
{
	return __atomic_exchange_n(&c->inbox, NULL, __ATOMIC_ACQUIRE);
}

/*
 * The walks of an inbox stop after as many objects as the cache has: only a double free
 * (an object pushed twice, not in a row) can make the chain longer, or a loop.
 */
static unsigned long inbox_limit(struct kmem_cache *s)
{
	return READ_ONCE(s->nr_slabs) * s->objects;
}

static void inbox_too_long(struct kmem_cache *s, void *x)
{
	slab_report(SLAB_BUG_FREELIST, s, NULL, x, NULL, _RET_IP_,
		    "An inbox holds more objects than the cache: a double free? Dropped from %p", x);
}

/* Free what other CPUs and interrupts pushed onto this CPU's inbox (c busy). */
static __noinline void drain_inbox(struct kmem_cache *s, struct kmem_cache_cpu *c)
{
	unsigned long n = 0, limit = inbox_limit(s);
	void *x = take_inbox(c), *next;

	for (; x && n < limit; x = next, n++) {
		next = get_freepointer(s, x);
		if (!cpu_slab_free(s, c, slab_head(s, slab_virt_to_page(x)), x, _RET_IP_))
			slab_stat_add(&c->frees, -1ul);	/* counted when it was pushed */
	}
	if (x)
		inbox_too_long(s, x);
}

/* ---- allocating ---- */

/*
 * No partial slab on this CPU: one from the cache's lists (list_lock), or a new one, becomes
 * the active slab. c stays busy while a new slab is allocated, so an interrupt meanwhile
 * allocates from the cache's lists (node_alloc) rather than from c. false: no memory.
 */
static __noinline bool refill_from_node(struct kmem_cache *s, struct kmem_cache_cpu *c,
					gfp_t gfp)
{
	unsigned long flags = spin_lock_irqsave(&s->list_lock);
	struct page *head = node_slab_with_free(s, gfp, &flags);

	if (head) {
		unlink_slab(s, head);
		head->frozen = (uint16_t)c->frozen;
		INIT_LIST_HEAD(&head->slab_list);
		activate_slab(c, head);
	}
	spin_unlock_irqrestore(&s->list_lock, flags);
	return head;
}

/*
 * Give @c free objects again (c busy): from its inbox, else the head of its partial list
 * becomes the active slab (no lock), else refill_from_node. false: no memory. The active
 * slab that ran dry is full (its free objects are only ever on c->freelist) and stays held.
 */
static __always_inline bool refill_cpu_slab(struct kmem_cache *s, struct kmem_cache_cpu *c,
					    gfp_t gfp)
{
	struct page *head;

	if (unlikely(READ_ONCE(c->inbox))) {
		drain_inbox(s, c);
		if (c->freelist)
			return true;
	}
	if (c->page)
		retire_active_slab(c);
	if (unlikely(list_empty(&c->partial)))
		return refill_from_node(s, c, gfp);
	head = list_first_entry(&c->partial, struct page, slab_list);
	list_del(&head->slab_list);
	activate_slab(c, head);
	return true;
}

/*
 * The allocation fast path found c->freelist empty (@c entered: left here), or found this
 * CPU inside the allocator already (@c NULL). The common case, a refill from this CPU's own
 * slabs, is inline here; the rest goes to slab_alloc_rare.
 */
void *__slab_alloc(struct kmem_cache *s, gfp_t gfp, unsigned long caller, size_t orig_size,
		   struct kmem_cache_cpu *c)
{
	void *object;

	if (unlikely(!c || kmem_cache_debug(s)))
		return slab_alloc_rare(s, gfp, caller, orig_size, c);
	if (unlikely(!refill_cpu_slab(s, c, gfp))) {
		slab_cpu_exit(c);
		return slab_alloc_failed(s, gfp);
	}
	object = c->freelist;	/* a slab with free objects is active now */
	c->freelist = get_freepointer(s, object);
	slab_stat_add(&c->allocs, 1);
	slab_stat_add(&c->requested, orig_size);
	slab_cpu_exit(c);
	if (unlikely(gfp & __GFP_ZERO))
		return slab_zero(s, object);
	return object;
}

/* ---- flushing: every held slab back onto the cache's lists ---- */

/* Let go of a slab this CPU held, onto the list its inuse says (list_lock held). */
static void unhold_slab(struct kmem_cache *s, struct page *head, struct list_head *discard)
{
	head->frozen = 0;
	file_slab(s, head, discard);
}

/*
 * Give up @c's active slab: the objects left on c->freelist join page->freelist. The walk
 * is bounded by the slab's size, so a chain damaged by a write after free cannot make it
 * loop.
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
	INIT_LIST_HEAD(&page->slab_list);
	unhold_slab(s, page, discard);
}

static void unhold_list(struct kmem_cache *s, struct list_head *list, struct list_head *discard)
{
	while (!list_empty(list)) {
		struct page *head = list_first_entry(list, struct page, slab_list);

		list_del(&head->slab_list);
		unhold_slab(s, head, discard);
	}
}

/*
 * Two passes: first every CPU lets go of its active and partial slabs, then the inboxes are
 * emptied, which now means freeing into slabs nobody holds, or into a full slab a CPU still
 * holds: that one is let go first, as it will not be full any more. (Full slabs stay held
 * otherwise: they hold no free object to flush, and finding them means walking mem_map.)
 */
void flush_cpu_slabs(struct kmem_cache *s, struct list_head *discard)
{
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct kmem_cache_cpu *c = &s->cpu_slab[cpu];

		deactivate_slab(s, c, discard);
		unhold_list(s, &c->partial, discard);
	}
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
		unsigned long n = 0, limit = inbox_limit(s);
		void *x = take_inbox(c), *next;

		for (; x && n < limit; x = next, n++) {
			struct page *head = slab_head(s, slab_virt_to_page(x));

			next = get_freepointer(s, x);
			if (head->frozen)
				unhold_slab(s, head, NULL);
			if (free_to_node_slab(s, head, x, _RET_IP_, discard) != FREE_DONE)
				slab_stat_add(&c->frees, -1ul);	/* counted when pushed */
		}
		if (x)
			inbox_too_long(s, x);
	}
}

/*
 * kmem_cache_check(): is a cache in the state the comment at the top of mm/slab.c promises?
 * It walks every slab of the cache under its list_lock and reports each broken promise on
 * one "slab check: <cache>: ..." line:
 *  - each slab is a naturally aligned buddy block of the cache's order, every page PG_slab
 *    and naming the cache, on the list its inuse says: one of the cache's (held by no CPU)
 *    or a CPU's partial list (held by that CPU); or on no list, as a CPU's active slab or a
 *    full slab a CPU holds (found by walking mem_map, which must show nr_slabs slabs);
 *  - every freelist link is the start of an object of the slab, no object is on a freelist
 *    twice (a loop or an undetected double free), and the lengths agree with inuse;
 *  - the list counters, nr_slabs, and objects in use (per-CPU counters) agree with the walk;
 *    every object in an inbox is an object of the cache (and counts as free);
 *  - in a debug cache, every free object still has its red zones and poison: a write after
 *    free is reported (and repaired) here as it would be on its next allocation.
 * Host tests call it after random operations; `slabinfo -v` runs it on every cache.
 * Other CPUs must keep still meanwhile: the walk reads their freelists.
 */
#define pr_fmt(fmt) "slab check: " fmt

#include <kernel/printk.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/slab.h>

#define CHECK_REPORT_MAX 20

struct check {
	struct kmem_cache *s;
	int problems;
	unsigned long in_use;	/* objects found on no freelist, all slabs */
};

static void __printf(2, 3) problem(struct check *ck, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (ck->problems++ >= CHECK_REPORT_MAX)
		return;
	va_start(ap, fmt);
	vscnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("%s: %s\n", ck->s->name, msg);
}

static unsigned long bugs_reported(void)
{
	unsigned long n = 0;

	for (int i = 0; i < NR_SLAB_BUGS; i++)
		n += slab_stats.bugs[i];
	return n;
}

/* Mark the objects of one freelist in @map; returns how many, stopping at a bad link. */
static unsigned int walk_freelist(struct check *ck, struct page *head, void *p, unsigned long *map,
				  const char *which)
{
	struct kmem_cache *s = ck->s;
	unsigned int n = 0;

	for (; p; p = get_freepointer(s, p)) {
		long i = slab_object_index(s, head, p);

		if (i < 0) {
			problem(ck, "slab %p: %s freelist link %p is not an object of the slab",
				head, which, p);
			break;
		}
		if (map[i / 64] & (1ul << (i % 64))) {
			problem(ck, "slab %p: object %p twice on the freelists", head, p);
			break;
		}
		map[i / 64] |= 1ul << (i % 64);
		n++;
		if (kmem_cache_debug(s))
			check_object(s, head, p, SLUB_RED_INACTIVE, _RET_IP_);
	}
	return n;
}

/*
 * One slab, which CPU @frozen - 1 should hold (0: none); @c is the CPU holding it as its
 * active slab, or NULL.
 */
static void check_slab(struct check *ck, struct page *head, unsigned int frozen,
		       struct kmem_cache_cpu *c)
{
	struct kmem_cache *s = ck->s;
	unsigned long map[SLAB_MAX_OBJECTS / 64] = { 0 }, pfn = page_to_pfn(head);
	unsigned int free, cpu_free = 0;

	if (pfn >= max_pfn || pfn & ((1ul << s->order) - 1)) {
		problem(ck, "slab %p: not an aligned block of mem_map", head);
		return;
	}
	if (!PageFlag(head, PG_head) || head->order != s->order)
		problem(ck, "slab %p: head flags %#lx order %u, want PG_head and order %u", head,
			head->flags, head->order, s->order);
	for (unsigned long i = 0; i < (1ul << s->order); i++)
		if (!PageFlag(&head[i], PG_slab) || head[i].slab_cache != s)
			problem(ck, "slab %p: page %lu not marked as this cache's", head, i);
	if (head->frozen != frozen)
		problem(ck, "slab %p: held by %d, want %d (1 + cpu, 0: none)", head, head->frozen,
			frozen);
	if (head->objects != s->objects || head->inuse > head->objects) {
		problem(ck, "slab %p: objects %u inuse %u, want objects %u", head, head->objects,
			head->inuse, s->objects);
		return;
	}
	free = walk_freelist(ck, head, head->freelist, map, "page");
	if (c)
		cpu_free = walk_freelist(ck, head, c->freelist, map, "CPU");
	if (free != head->objects - head->inuse)
		problem(ck, "slab %p: %u objects on its freelist, but objects %u inuse %u", head,
			free, head->objects, head->inuse);
	ck->in_use += head->objects - free - cpu_free;
}

/*
 * One list: its links, each slab's inuse in [lo, hi] and holder, and its counter (a CPU's
 * lists have none: @count ~0ul). Returns its length.
 */
static unsigned long check_list(struct check *ck, struct list_head *list, unsigned long count,
				const char *name, unsigned int lo, unsigned int hi,
				unsigned int frozen)
{
	const struct list_head *prev = list;
	unsigned long n = 0;

	for (struct list_head *e = list->next; e != list; prev = e, e = e->next) {
		struct page *head = list_entry(e, struct page, slab_list);

		if (e->prev != prev || n++ > ck->s->nr_slabs) {
			problem(ck, "%s list broken after %lu slabs", name, n);
			break;
		}
		if (head->inuse < lo || head->inuse > hi)
			problem(ck, "slab %p with inuse %u on the %s list", head, head->inuse,
				name);
		check_slab(ck, head, frozen, NULL);
	}
	if (count != ~0ul && n != count)
		problem(ck, "nr_%s is %lu but the list holds %lu slabs", name, count, n);
	return n;
}

/* The objects in @c's inbox: each must be an object of the cache. Returns how many. */
static unsigned long check_inbox(struct check *ck, struct kmem_cache_cpu *c, int cpu)
{
	struct kmem_cache *s = ck->s;
	unsigned long n = 0;

	for (void *p = c->inbox; p; p = get_freepointer(s, p)) {
		struct page *page = slab_virt_to_page(p);

		if (!page || !PageFlag(page, PG_slab) || page->slab_cache != s ||
		    slab_object_index(s, slab_head(s, page), p) < 0) {
			problem(ck, "cpu %d: inbox link %p is not an object of the cache", cpu, p);
			break;
		}
		if (n++ > s->nr_slabs * s->objects) {
			problem(ck, "cpu %d: inbox longer than the cache", cpu);
			break;
		}
	}
	return n;
}

/*
 * CPU @cpu's part: its active slab, its partial list, its inbox. Returns how many slabs
 * that is (its full slabs are on no list: check_unlisted finds them).
 */
static unsigned long check_cpu(struct check *ck, int cpu, unsigned long *inbox)
{
	struct kmem_cache *s = ck->s;
	struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
	unsigned int frozen = (unsigned int)cpu + 1;
	unsigned long held;
	char name[32];

	snprintf(name, sizeof(name), "cpu %d partial", cpu);
	held = check_list(ck, &c->partial, ~0ul, name, 1, s->objects - 1, frozen);
	*inbox += check_inbox(ck, c, cpu);
	if (!c->page) {
		if (c->freelist || c->base != SLAB_NO_BASE)
			problem(ck, "cpu %d: freelist or base but no active slab", cpu);
		return held;
	}
	if (!list_empty(&c->page->slab_list) || c->base != (unsigned long)slab_base(c->page))
		problem(ck, "cpu %d: active slab %p on a list or with base %#lx", cpu, c->page,
			c->base);
	check_slab(ck, c->page, frozen, c);
	return held + 1;
}

/*
 * Every slab of the cache, by walking mem_map: those on no list must be a CPU's active slab
 * (checked already) or a full slab a CPU holds, which is checked here. Returns how many
 * slabs there are in all.
 */
static unsigned long check_unlisted(struct check *ck)
{
	struct kmem_cache *s = ck->s;
	unsigned long n = 0;
	struct page *head;

	for (unsigned long pfn = 0; (head = slab_next(s, &pfn)); n++) {
		unsigned int frozen = head->frozen;

		if (!list_empty(&head->slab_list) ||
		    (frozen && frozen <= NR_CPUS && s->cpu_slab[frozen - 1].page == head))
			continue;
		if (!frozen || frozen > NR_CPUS || head->inuse != head->objects) {
			problem(ck, "slab %p on no list: held by %d (1 + cpu), inuse %u of %u", head,
				frozen, head->inuse, head->objects);
			continue;
		}
		check_slab(ck, head, frozen, NULL);
	}
	return n;
}

int kmem_cache_check(struct kmem_cache *s)
{
	struct check ck = { .s = s };
	unsigned long flags, bugs = bugs_reported(), slabs, held = 0, counted = 0, inbox = 0, all;

	flags = spin_lock_irqsave(&s->list_lock);
	slabs = check_list(&ck, &s->partial, s->nr_partial, "partial", 1, s->objects - 1, 0);
	slabs += check_list(&ck, &s->full, s->nr_full, "full", s->objects, s->objects, 0);
	slabs += check_list(&ck, &s->empty, s->nr_empty, "empty", 0, 0, 0);
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		counted += s->cpu_slab[cpu].allocs - s->cpu_slab[cpu].frees;
		held += check_cpu(&ck, cpu, &inbox);
	}
	all = check_unlisted(&ck);
	if (held && kmem_cache_debug(s))
		problem(&ck, "a debug cache has %lu slabs held by CPUs", held);
	if (all != s->nr_slabs || slabs + held > all)
		problem(&ck, "nr_slabs %lu, but %lu slabs in mem_map, %lu on the cache's lists and "
			"%lu active or partial on CPUs", s->nr_slabs, all, slabs, held);
	if (counted + s->quarantined + inbox != ck.in_use)
		problem(&ck, "%lu objects in use by the counters (%lu quarantined), %lu in slabs, "
			"%lu of them in inboxes", counted + s->quarantined, s->quarantined,
			ck.in_use, inbox);
	spin_unlock_irqrestore(&s->list_lock, flags);
	if (ck.problems > CHECK_REPORT_MAX)
		pr_err("%s: %d more problems not shown\n", s->name, ck.problems - CHECK_REPORT_MAX);
	return ck.problems + (int)(bugs_reported() - bugs);
}

int kmem_cache_check_all(void)
{
	unsigned long flags = spin_lock_irqsave(&slab_lock);
	struct kmem_cache *s;
	int problems = 0;

	list_for_each_entry(s, &slab_caches, list)
		problems += kmem_cache_check(s);
	spin_unlock_irqrestore(&slab_lock, flags);
	return problems;
}

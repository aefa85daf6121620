/*
 * kmem_cache_check(): is a cache in the state the comment at the top of mm/slab.c promises?
 * It walks every slab of the cache under its list_lock and reports each broken promise on
 * one "slab check: <cache>: ..." line:
 *  - each slab is a naturally aligned buddy block of the cache's order, every page PG_slab
 *    and naming the cache, on the list its inuse says (or active on exactly one CPU);
 *  - every freelist link is the start of an object of the slab, no object is on a freelist
 *    twice (a loop or an undetected double free), and the lengths agree with inuse;
 *  - the list counters, nr_slabs, and objects in use (per-CPU counters) agree with the walk;
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

/* One slab; @c is the CPU holding it as its active slab, or NULL. */
static void check_slab(struct check *ck, struct page *head, struct kmem_cache_cpu *c)
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

/* One list: its links, each slab's inuse in [lo, hi], and its counter. Returns its length. */
static unsigned long check_list(struct check *ck, struct list_head *list, unsigned long count,
				const char *name, unsigned int lo, unsigned int hi)
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
		check_slab(ck, head, NULL);
	}
	if (n != count)
		problem(ck, "nr_%s is %lu but the list holds %lu slabs", name, count, n);
	return n;
}

int kmem_cache_check(struct kmem_cache *s)
{
	struct check ck = { .s = s };
	unsigned long flags, bugs = bugs_reported(), slabs, active = 0, counted = 0;

	flags = spin_lock_irqsave(&s->list_lock);
	slabs = check_list(&ck, &s->partial, s->nr_partial, "partial", 1, s->objects - 1);
	slabs += check_list(&ck, &s->full, s->nr_full, "full", s->objects, s->objects);
	slabs += check_list(&ck, &s->empty, s->nr_empty, "empty", 0, 0);
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct kmem_cache_cpu *c = &s->cpu_slab[cpu];

		counted += c->allocs - c->frees;
		if (!c->page) {
			if (c->freelist || c->base != SLAB_NO_BASE)
				problem(&ck, "cpu %d: freelist or base but no active slab", cpu);
			continue;
		}
		active++;
		if (!list_empty(&c->page->slab_list) ||
		    c->base != (unsigned long)slab_base(c->page))
			problem(&ck, "cpu %d: active slab %p on a list or with base %#lx", cpu,
				c->page, c->base);
		check_slab(&ck, c->page, c);
	}
	if (active && kmem_cache_debug(s))
		problem(&ck, "a debug cache has %lu active slabs", active);
	if (slabs + active != s->nr_slabs)
		problem(&ck, "nr_slabs %lu, but %lu on lists and %lu active", s->nr_slabs, slabs,
			active);
	if (counted + s->quarantined != ck.in_use)
		problem(&ck, "%lu objects in use by the counters (%lu quarantined), %lu in slabs",
			counted + s->quarantined, s->quarantined, ck.in_use);
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

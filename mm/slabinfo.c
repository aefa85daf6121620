/*
 * The slab allocator seen from outside, in the formats of Linux's tools, written into a
 * buffer (the shell commands in mm/slab_shell.c print it; host tests compare it):
 *
 *  - /proc/slabinfo, version 2.1: one row per cache, newest first, with Linux's header and
 *    columns. objsize is the slot size (metadata included), as SLUB shows it; the tunables
 *    and sharedavail columns are SLAB's and always 0 here, as in SLUB; active_slabs counts
 *    slabs that are not empty (a CPU's active slab counts as active).
 *  - procps `vmstat -m`: "Cache Num Total Size Pages" sorted by name, where, as in procps,
 *    Pages is really objects per slab.
 *  - the waste view (`slabinfo -w`), after Linux's tools/mm/slabinfo: per cache the bytes in
 *    slabs (Space) against the bytes the objects in use may hold (Used = objects x object
 *    size), and for the kmalloc caches the bytes callers asked for against the bytes handed
 *    out (Given = calls x class size): kmalloc(160) counts 160 requested, 192 given. That is
 *    the internal fragmentation ksize() shows one object at a time. Sorted by Loss, largest
 *    first; kmalloc's requests are counted since boot (a freed object's size is not kept).
 *
 * Numbers come from kmem_cache_get_info (mm/slab_common.c); nothing here changes a cache.
 */
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/slab.h>

int slabinfo_format_row(char *buf, size_t size, const struct slabinfo *si)
{
	return scnprintf(buf, size,
			 "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu "
			 "%6lu\n", si->name, si->active_objs, si->num_objs, si->objsize,
			 si->objperslab, (int)si->pagesperslab, 0u, 0u, 0u, si->active_slabs,
			 si->num_slabs, 0ul);
}

int slabinfo_format(char *buf, size_t size)
{
	struct slabinfo si;
	struct kmem_cache *s;
	unsigned long flags;
	int n;

	n = scnprintf(buf, size, "slabinfo - version: 2.1\n"
		      "# name            <active_objs> <num_objs> <objsize> <objperslab> "
		      "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
		      "<active_slabs> <num_slabs> <sharedavail>\n");
	flags = spin_lock_irqsave(&slab_lock);
	list_for_each_entry(s, &slab_caches, list) {
		kmem_cache_get_info(s, &si);
		n += slabinfo_format_row(buf + n, size - n, &si);
	}
	spin_unlock_irqrestore(&slab_lock, flags);
	return n;
}

/* Orders on caches, made total by the address: two caches may share a name. */
static bool before_by_name(struct kmem_cache *a, struct kmem_cache *b)
{
	int c = strcmp(a->name, b->name);

	return c < 0 || (c == 0 && a < b);
}

static unsigned long cache_loss(struct kmem_cache *s)
{
	struct slabinfo si;

	kmem_cache_get_info(s, &si);
	return si.num_slabs * (PAGE_SIZE << s->order) - si.active_objs * s->object_size;
}

static bool before_by_loss(struct kmem_cache *a, struct kmem_cache *b)
{
	unsigned long la = cache_loss(a), lb = cache_loss(b);

	return la > lb || (la == lb && before_by_name(a, b));
}

/* The first cache after @prev (NULL: the first of all) in the order @before. slab_lock held. */
static struct kmem_cache *next_cache(struct kmem_cache *prev,
				     bool (*before)(struct kmem_cache *, struct kmem_cache *))
{
	struct kmem_cache *s, *best = NULL;

	list_for_each_entry(s, &slab_caches, list)
		if ((!prev || before(prev, s)) && (!best || before(s, best)))
			best = s;
	return best;
}

int vmstat_m_format(char *buf, size_t size)
{
	struct kmem_cache *s = NULL;
	struct slabinfo si;
	unsigned long flags;
	int n;

	n = scnprintf(buf, size, "%-24s %6s %6s %6s %6s\n", "Cache", "Num", "Total", "Size",
		      "Pages");
	flags = spin_lock_irqsave(&slab_lock);
	while ((s = next_cache(s, before_by_name))) {
		kmem_cache_get_info(s, &si);
		n += scnprintf(buf + n, size - n, "%-24s %6u %6u %6u %6u\n", si.name,
			       (unsigned int)si.active_objs, (unsigned int)si.num_objs, si.objsize,
			       si.objperslab);
	}
	spin_unlock_irqrestore(&slab_lock, flags);
	return n;
}

static unsigned long long percent(unsigned long long part, unsigned long long whole)
{
	return whole ? part * 100 / whole : 0;
}

struct waste_totals {
	unsigned long long space, used, requested, given;
};

static int waste_row(char *buf, size_t size, struct kmem_cache *s, struct waste_totals *t)
{
	struct slabinfo si;
	unsigned long long space, used, given;
	char name[KMEM_CACHE_NAME_LEN + 1];
	int n;

	kmem_cache_get_info(s, &si);
	space = (unsigned long long)si.num_slabs * (PAGE_SIZE << s->order);
	used = (unsigned long long)si.active_objs * si.object_size;
	snprintf(name, sizeof(name), "%s%s", si.name, s->leaked ? "*" : "");
	n = scnprintf(buf, size, "%-17s %8lu %7u %9llu %9llu %9llu %3llu%%", name,
		      si.active_objs, si.object_size, space, used, space - used,
		      percent(used, space));
	t->space += space;
	t->used += used;
	if (!si.kmalloc)
		return n + scnprintf(buf + n, size - n, " %9s %11s %11s %5s\n", "-", "-", "-", "-");
	given = (unsigned long long)si.allocs * si.object_size;
	t->requested += si.requested;
	t->given += given;
	return n + scnprintf(buf + n, size - n, " %9lu %11llu %11llu %4llu%%\n", si.allocs,
			     si.requested, given, percent(given - si.requested, given));
}

int slabwaste_format(char *buf, size_t size)
{
	const struct kmalloc_large_stats *l = &kmalloc_large_stats;
	struct waste_totals t = { 0 };
	struct kmem_cache *s = NULL;
	unsigned long flags;
	int n;

	n = scnprintf(buf, size,
		      "# Space: bytes in slabs; Used: objects in use x object size; Loss = Space - "
		      "Used; Eff = Used / Space\n"
		      "# kmalloc, since boot: Calls; Requested bytes; Given = Calls x class size; "
		      "Frag = (Given - Requested) / Given\n"
		      "%-17s %8s %7s %9s %9s %9s %4s %9s %11s %11s %5s\n", "Name", "Objects",
		      "Objsize", "Space", "Used", "Loss", "Eff", "Calls", "Requested", "Given",
		      "Frag");
	flags = spin_lock_irqsave(&slab_lock);
	while ((s = next_cache(s, before_by_loss)))
		n += waste_row(buf + n, size - n, s, &t);
	spin_unlock_irqrestore(&slab_lock, flags);
	n += scnprintf(buf + n, size - n,
		       "%-17s %8s %7s %9lu %9s %9s %4s %9lu %11llu %11llu %4llu%%\n",
		       "kmalloc-large", "-", "-", l->pages * PAGE_SIZE, "-", "-", "-", l->calls,
		       l->requested, l->given, percent(l->given - l->requested, l->given));
	n += scnprintf(buf + n, size - n,
		       "%-17s %8s %7s %9llu %9llu %9llu %3llu%% %9s %11llu %11llu %4llu%%\n",
		       "Total (slabs)", "", "", t.space, t.used, t.space - t.used,
		       percent(t.used, t.space), "", t.requested, t.given,
		       percent(t.given - t.requested, t.given));
	return n;
}

/*
 * The page allocator's checks and messages, kept out of mm/page_alloc.c so its fast paths
 * read at a glance: classifying a bad free (double free, wrong order, a tail page ...),
 * the rate-limited "page allocation failure" warning, gfp_name() and page_alloc_check(),
 * which walks every free list, every per-CPU list and mem_map and reports each place
 * where the invariants stated at the top of mm/page_alloc.c do not hold.
 *
 * A bad free is reported and then ignored: leaking the block is safer than putting a
 * page on a free list twice, which would hand it to two owners later. What cannot be
 * caught: a stale pointer freed after its frames were allocated again, with the same
 * order, looks exactly like the new owner's free.
 */
#define pr_fmt(fmt) "page_alloc: " fmt

#include <kernel/ksyms.h>
#include <kernel/printk.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mmzone.h>

#include "internal.h"

const char *const bad_free_names[NR_BAD_FREE] = {
	[BAD_FREE_NULL] = "free of NULL",
	[BAD_FREE_RANGE] = "page outside mem_map",
	[BAD_FREE_RESERVED] = "free of a reserved frame",
	[BAD_FREE_DOUBLE] = "double free",
	[BAD_FREE_ORDER] = "wrong order",
	[BAD_FREE_TAIL] = "not the head of its block",
	[BAD_FREE_STATE] = "bad page state",
};

#define PAGE_OWNED_FLAGS ((1ul << PG_slab) | (1ul << PG_lru) | (1ul << PG_writeback))

/* ---- bad frees ---- */

static bool report_bad_free(enum bad_free_kind kind, unsigned long pfn, unsigned int order,
			    void *caller, const char *detail)
{
	char sym[KSYM_NAME_LEN + 32];

	sprint_symbol(sym, sizeof(sym), (uint64_t)(uintptr_t)caller);
	page_alloc_stats.bad_free[kind]++;
	if (kind == BAD_FREE_NULL)
		pr_err("BUG: %s: order %u, caller %s\n", bad_free_names[kind], order, sym);
	else
		pr_err("BUG: %s: pfn %#lx order %u%s, caller %s\n", bad_free_names[kind], pfn,
		       order, detail, sym);
	return true;
}

/*
 * For a page that is neither the head of an allocation nor on a list: the block holding
 * it is the one whose head is the nearest aligned page below it, of a big enough order.
 */
static const struct page *enclosing_block(unsigned long pfn)
{
	for (unsigned int o = 1; o < MAX_ORDER; o++) {
		const struct page *head = &mem_map[pfn & ~((1ul << o) - 1)];

		if ((PageFlag(head, PG_head) || PageFlag(head, PG_buddy)) && head->order >= o)
			return head;
	}
	return NULL;
}

bool free_page_is_bad(struct page *page, unsigned int order, void *caller)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)mem_map;
	char detail[64];
	unsigned long pfn;
	const struct page *head;

	if (!page)
		return report_bad_free(BAD_FREE_NULL, 0, order, caller, "");
	if (off % sizeof(struct page))
		return report_bad_free(BAD_FREE_RANGE, off / sizeof(struct page), order, caller,
				       " (not the start of a struct page)");
	if (off >= max_pfn * sizeof(struct page)) {
		snprintf(detail, sizeof(detail), " (max_pfn is %#lx)", max_pfn);
		return report_bad_free(BAD_FREE_RANGE, off / sizeof(struct page), order, caller,
				       detail);
	}
	pfn = off / sizeof(struct page);
	if (PageFlag(page, PG_reserved))
		return report_bad_free(BAD_FREE_RESERVED, pfn, order, caller, "");
	if (PageFlag(page, PG_buddy) || PageFlag(page, PG_pcp))
		return report_bad_free(BAD_FREE_DOUBLE, pfn, order, caller,
				       PageFlag(page, PG_pcp) ? " (on a per-CPU list)"
							      : " (on a free list)");
	if (!PageFlag(page, PG_head)) {
		head = enclosing_block(pfn);
		if (head && PageFlag(head, PG_head)) {
			snprintf(detail, sizeof(detail), " (inside the order-%u block at pfn %#lx)",
				 head->order, page_to_pfn(head));
			return report_bad_free(BAD_FREE_TAIL, pfn, order, caller, detail);
		}
		return report_bad_free(BAD_FREE_DOUBLE, pfn, order, caller,
				       head ? " (inside a free block)" : " (not allocated)");
	}
	if (page->refcount <= 0)
		return report_bad_free(BAD_FREE_DOUBLE, pfn, order, caller, " (refcount 0)");
	if (order != page->order) {
		snprintf(detail, sizeof(detail), " (allocated as order %u)", page->order);
		return report_bad_free(BAD_FREE_ORDER, pfn, order, caller, detail);
	}
	if ((page->flags & PAGE_OWNED_FLAGS) || page->mapcount) {
		snprintf(detail, sizeof(detail), " (flags %#lx mapcount %d)", page->flags,
			 page->mapcount);
		return report_bad_free(BAD_FREE_STATE, pfn, order, caller, detail);
	}
	return false;
}

/* ---- allocation failures ---- */

/* Linux's %pGg: the GFP_* combinations first, then single __GFP_* bits, then what is left. */
static const struct {
	gfp_t mask;
	const char *name;
} gfp_names[] = {
	{ GFP_KERNEL, "GFP_KERNEL" },	{ GFP_ATOMIC, "GFP_ATOMIC" },
	{ GFP_DMA32, "GFP_DMA32" },	{ GFP_DMA, "GFP_DMA" },
	{ __GFP_IO, "__GFP_IO" },	{ __GFP_FS, "__GFP_FS" },
	{ __GFP_ZERO, "__GFP_ZERO" },	{ __GFP_NOWARN, "__GFP_NOWARN" },
	{ __GFP_RECLAIM, "__GFP_RECLAIM" },
	{ __GFP_NORETRY, "__GFP_NORETRY" },
};

int gfp_name(char *buf, size_t size, gfp_t gfp)
{
	int len = 0;

	if (size)
		buf[0] = '\0';
	if (!gfp)
		return scnprintf(buf, size, "none");
	for (size_t i = 0; i < ARRAY_SIZE(gfp_names); i++) {
		if ((gfp & gfp_names[i].mask) != gfp_names[i].mask)
			continue;
		len += scnprintf(buf + len, size - len, "%s%s", len ? "|" : "", gfp_names[i].name);
		gfp &= ~gfp_names[i].mask;
	}
	if (gfp)
		len += scnprintf(buf + len, size - len, "%s%#x", len ? "|" : "", gfp);
	return len;
}

static void show_zone(const struct zone *z)
{
	pr_info("Node 0 %s free:%lukB min:%lukB low:%lukB high:%lukB managed:%lukB "
		"free_pcp:%lukB lowmem_reserve[]: %lu %lu %lu\n",
		z->name, z->free_pages * 4, z->watermark[WMARK_MIN] * 4,
		z->watermark[WMARK_LOW] * 4, z->watermark[WMARK_HIGH] * 4, z->managed_pages * 4,
		zone_pcp_pages(z) * 4, z->lowmem_reserve[0], z->lowmem_reserve[1],
		z->lowmem_reserve[2]);
}

/*
 * No clock here, so the limit counts: the first 10 failures, then every 1000th, each
 * saying how many were left out before it. One warning line, one info line per zone.
 */
static unsigned long failures, last_shown;	/* failures that wanted a message */

void warn_alloc_reset(void)
{
	failures = 0;
	last_shown = 0;
}

void warn_alloc(gfp_t gfp, unsigned int order)
{
	char name[96];

	failures++;
	if (failures > 10 && failures % 1000) {
		page_alloc_stats.warn_suppressed++;
		return;
	}
	if (failures - last_shown > 1)
		pr_warn("warn_alloc: %lu callbacks suppressed\n", failures - last_shown - 1);
	last_shown = failures;
	gfp_name(name, sizeof(name), gfp);
	pr_warn("page allocation failure: order:%u, mode:%#x(%s)\n", order, gfp, name);
	for (int zt = 0; zt < MAX_NR_ZONES; zt++)
		if (zone_populated(&zones[zt]))
			show_zone(&zones[zt]);
}

/* ---- the consistency check ---- */

#define CHECK_REPORT_MAX 20	/* report this many problems, count the rest */

static int problems;

static __printf(1, 2) void problem(const char *fmt, ...)
{
	char line[160];
	va_list ap;

	if (problems++ >= CHECK_REPORT_MAX)
		return;
	va_start(ap, fmt);
	vscnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pr_err("check: %s\n", line);
}

static bool in_mem_map(const struct page *page)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)mem_map;

	return off < max_pfn * sizeof(struct page) && off % sizeof(struct page) == 0;
}

/*
 * Walk one list (a free list or a per-CPU list) of @z: intact links, every entry in
 * mem_map with the marks @flags and @order, in the zone, aligned. Returns the entries.
 */
static unsigned long check_list(const struct zone *z, const struct list_head *head,
				unsigned long flags, unsigned int order, const char *what)
{
	const struct list_head *prev = head;
	unsigned long n = 0;

	for (const struct list_head *e = head->next; e != head; prev = e, e = e->next) {
		const struct page *page = list_entry(e, struct page, lru);
		unsigned long pfn;

		if (e->prev != prev || ++n > z->spanned_pages || !in_mem_map(page)) {
			problem("%s %s: list broken after %lu entries", z->name, what, n);
			break;
		}
		pfn = page_to_pfn(page);
		if (page->flags != flags || page->order != order || page->zone != zone_idx(z))
			problem("%s %s: pfn %#lx has flags %#lx order %u zone %u", z->name, what,
				pfn, page->flags, page->order, page->zone);
		if (pfn & ((1ul << order) - 1) || pfn < z->zone_start_pfn ||
		    pfn + (1ul << order) > zone_end_pfn(z))
			problem("%s %s: pfn %#lx misaligned or outside the zone", z->name, what,
				pfn);
	}
	return n;
}

/*
 * One pass over the zone's frames: count what the lists should hold, and check that the
 * pages inside a free block carry no marks (a mark there means two blocks overlap) and
 * that no free block has a free buddy of its own order (they should have merged).
 */
static void check_frames(const struct zone *z, unsigned long heads[MAX_ORDER],
			 unsigned long *pcp_pages, unsigned long *usable)
{
	unsigned long end = zone_end_pfn(z);

	for (unsigned long pfn = z->zone_start_pfn; pfn < end;) {
		const struct page *page = &mem_map[pfn];
		unsigned long size, buddy;

		if (page->zone != zone_idx(z))
			problem("%s: pfn %#lx says zone %u", z->name, pfn, page->zone);
		if (PageFlag(page, PG_reserved)) {
			pfn++;
			continue;
		}
		(*usable)++;
		*pcp_pages += PageFlag(page, PG_pcp);
		if (!PageFlag(page, PG_buddy) || page->order >= MAX_ORDER) {
			pfn++;
			continue;
		}
		heads[page->order]++;
		size = 1ul << page->order;
		buddy = pfn ^ size;
		if (page->order < MAX_ORDER - 1 && buddy < end && buddy >= z->zone_start_pfn &&
		    mem_map[buddy].flags == 1ul << PG_buddy && mem_map[buddy].order == page->order)
			problem("%s: free buddies %#lx and %#lx of order %u not merged", z->name,
				pfn, buddy, page->order);
		for (unsigned long i = 1; i < size && pfn + i < end; i++) {
			if (mem_map[pfn + i].flags)
				problem("%s: pfn %#lx inside the free order-%u block at %#lx has "
					"flags %#lx", z->name, pfn + i, page->order, pfn,
					mem_map[pfn + i].flags);
		}
		*usable += MIN(size, end - pfn) - 1;
		pfn += size;
	}
}

static void check_zone(const struct zone *z)
{
	unsigned long heads[MAX_ORDER] = { 0 };
	unsigned long pages = 0, pcp_listed = 0, pcp_pages = 0, usable = 0;

	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		const struct free_area *area = &z->free_area[o];
		unsigned long n = check_list(z, &area->free_list, 1ul << PG_buddy, o, "free list");

		if (n != area->nr_free)
			problem("%s order %u: nr_free %lu but %lu blocks on the list", z->name, o,
				area->nr_free, n);
		pages += n << o;
	}
	if (pages != z->free_pages)
		problem("%s: free_pages %lu but %lu pages on the free lists", z->name,
			z->free_pages, pages);
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		const struct per_cpu_pages *pcp = &z->pcp[cpu];
		unsigned long n = check_list(z, &pcp->list, 1ul << PG_pcp, 0, "per-CPU list");

		if (n != (unsigned long)pcp->count)
			problem("%s cpu %d: count %d but %lu pages on the per-CPU list", z->name,
				cpu, pcp->count, n);
		pcp_listed += n;
	}

	check_frames(z, heads, &pcp_pages, &usable);
	for (unsigned int o = 0; o < MAX_ORDER; o++)
		if (heads[o] != z->free_area[o].nr_free)
			problem("%s order %u: %lu free blocks in mem_map, %lu on the list", z->name,
				o, heads[o], z->free_area[o].nr_free);
	if (pcp_pages != pcp_listed)
		problem("%s: %lu PG_pcp pages in mem_map, %lu on per-CPU lists", z->name,
			pcp_pages, pcp_listed);
	if (usable != z->managed_pages)
		problem("%s: %lu unreserved frames but managed_pages %lu", z->name, usable,
			z->managed_pages);
}

int page_alloc_check(void)
{
	unsigned long flags = local_irq_save();

	problems = 0;
	for (int zt = 0; zt < MAX_NR_ZONES; zt++)
		spin_lock(&zones[zt].lock);
	for (int zt = 0; zt < MAX_NR_ZONES; zt++)
		check_zone(&zones[zt]);
	/* The fast path of alloc_pages relies on this to leave lowmem_reserve out. */
	for (gfp_t bits = 0; bits <= (__GFP_DMA | __GFP_DMA32); bits++) {
		const struct zone *z = gfp_preferred_zone(bits);
		enum zone_type high = gfp_zone(bits);

		if (z->lowmem_reserve[high])
			problem("%s: preferred zone for gfp %#x has lowmem_reserve %lu", z->name,
				bits, z->lowmem_reserve[high]);
	}
	for (int zt = MAX_NR_ZONES - 1; zt >= 0; zt--)
		spin_unlock(&zones[zt].lock);
	local_irq_restore(flags);
	if (problems > CHECK_REPORT_MAX)
		pr_err("check: %d more problems not shown\n", problems - CHECK_REPORT_MAX);
	return problems;
}

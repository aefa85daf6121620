/*
 * Host unit tests of the vmalloc range allocator (mm/vmap_area.c), Criterion under ASan/UBSan.
 *
 * The model: a window of NPAGES pages, each free or owned by one area (the area's pages,
 * its guard page included), areas in use, lazy (freed, waiting for the flush) or purging.
 * Random allocations of mixed sizes (1 page to 2 MiB) and alignments (1 to 64 pages), frees
 * now and lazy, purges (some released in two halves, with lookups in between) and lookups
 * run on both. "Best use of space" is defined and checked as: an allocation lands at the
 * lowest address, aligned as asked, where the area and its guard page fit in free space,
 * and fails with -ENOSPC only when no such address exists. Together with "free blocks are
 * exactly the maximal free runs" (gaps merged), no space is ever lost to the allocator: what
 * is not in an area is in one free block that any request of its size can use, and the only
 * unusable free space is what an alignment skips. After every step the trees must be the
 * model exactly: free blocks = maximal free runs, never touching; every augmented maximum
 * right; busy areas = the model's, each with its guard page; the lazy list and its page
 * count; no struct leaked. Allocation failures are injected: the call must return -ENOMEM
 * and change nothing. TEST_SEED replays; TEST_ITERS / 10 steps (default 30,000; `make soak`
 * runs a million).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/errno.h>
#include <lib/rbtree_augmented.h>
#include <mm/vmap_area.h>

#include "rng.h"

/* ---- struct vmap_area from calloc, counted, with injected failures ---- */

static long live;
static int fail_in;	/* > 0: the fail_in-th allocation from now fails */

static struct vmap_area *t_alloc(void)
{
	if (fail_in > 0 && --fail_in == 0)
		return NULL;
	live++;
	return calloc(1, sizeof(struct vmap_area));
}

static void t_free(struct vmap_area *va)
{
	live--;
	free(va);
}

static void setup(void)
{
	live = 0;
	fail_in = 0;
}

TestSuite(vmap_area, .init = setup);

#define PG		4096ul
#define BASE		0x40000000ul	/* aligned to every alignment used */
#define NPAGES		8192		/* 32 MiB window */
#define ADDR(p)		(BASE + (unsigned long)(p) * PG)
#define MAX_AREAS	2048

/* ---- targeted cases ---- */

static struct vmap_area *must_alloc(struct vmap_space *s, unsigned long pages, unsigned long align)
{
	struct vmap_area *va = NULL;

	cr_assert_eq(vmap_area_alloc(s, pages * PG, align * PG, &va), 0, "alloc %lu pages", pages);
	cr_assert_eq(vmap_area_size(va), pages * PG);
	cr_assert_eq(va->va_end - va->va_start, (pages + 1) * PG, "the guard page is in the area");
	return va;
}

static void teardown_space(struct vmap_space *s)
{
	struct list_head purge;
	struct vmap_area *va, *n;

	while ((va = vmap_area_first(s)))
		vmap_area_free(s, va);
	vmap_area_take_lazy(s, &purge);
	list_for_each_entry_safe(va, n, &purge, list)
		vmap_area_release(s, va);
	cr_assert_eq(s->nr_free, 1);
	cr_assert_eq(vmap_largest_free(s), s->end - s->start, "everything merged back");
	t_free(rb_entry(s->free_root.rb_node, struct vmap_area, rb_node));
	cr_assert_eq(live, 0, "no struct vmap_area leaked");
}

Test(vmap_area, init_and_argument_checks)
{
	struct vmap_space s;
	struct vmap_area *va;

	cr_assert_eq(vmap_space_init(&s, BASE, BASE, t_alloc, t_free), -EINVAL);
	cr_assert_eq(vmap_space_init(&s, BASE + 1, BASE + PG * 4, t_alloc, t_free), -EINVAL);
	fail_in = 1;
	cr_assert_eq(vmap_space_init(&s, BASE, ADDR(16), t_alloc, t_free), -ENOMEM);
	cr_assert_eq(vmap_space_init(&s, BASE, ADDR(16), t_alloc, t_free), 0);
	cr_assert_eq(vmap_largest_free(&s), 16 * PG);
	cr_assert_eq(vmap_area_alloc(&s, 0, PG, &va), -EINVAL);
	cr_assert_eq(vmap_area_alloc(&s, 100, PG, &va), -EINVAL, "size not page aligned");
	cr_assert_eq(vmap_area_alloc(&s, PG, 3 * PG, &va), -EINVAL, "alignment not a power of 2");
	cr_assert_eq(vmap_area_alloc(&s, PG, 512, &va), -EINVAL, "alignment below a page");
	cr_assert_eq(vmap_area_alloc(&s, 16 * PG, PG, &va), -ENOSPC, "no room for the guard");
	va = must_alloc(&s, 15, 1);
	cr_assert_eq(va->va_start, BASE);
	cr_assert_eq(s.nr_free, 0, "an exact fit uses up the block");
	cr_assert_eq(vmap_area_alloc(&s, PG, PG, &va), -ENOSPC);
	teardown_space(&s);
}

Test(vmap_area, first_fit_and_merging)
{
	struct vmap_space s;
	struct vmap_area *a, *b, *c, *d, *e;

	cr_assert_eq(vmap_space_init(&s, BASE, ADDR(64), t_alloc, t_free), 0);
	a = must_alloc(&s, 3, 1);
	b = must_alloc(&s, 3, 1);
	c = must_alloc(&s, 3, 1);
	cr_assert_eq(a->va_start, ADDR(0));
	cr_assert_eq(b->va_start, ADDR(4), "right after a's guard page");
	cr_assert_eq(c->va_start, ADDR(8));
	cr_assert_eq(vmap_area_find(&s, ADDR(7)), b, "the guard page belongs to its area");
	cr_assert_null(vmap_area_find(&s, ADDR(12)));
	vmap_area_free(&s, b);
	cr_assert_eq(s.nr_free, 2);
	d = must_alloc(&s, 5, 1);
	cr_assert_eq(d->va_start, ADDR(12), "too big for b's hole: after c");
	e = must_alloc(&s, 2, 1);
	cr_assert_eq(e->va_start, ADDR(4), "the lowest hole that fits");
	cr_assert_eq(s.nr_free, 2, "b's hole shrank: [7, 8) and the rest");
	vmap_area_free(&s, e);
	vmap_area_free(&s, a);
	vmap_area_free(&s, c);
	cr_assert_eq(s.nr_free, 2, "a, b, c merged into one block below d");
	cr_assert_eq(vmap_largest_free(&s), (64 - 18) * PG);
	vmap_area_free(&s, d);
	cr_assert_eq(s.nr_free, 1, "and with the rest once d is gone");
	teardown_space(&s);
}

Test(vmap_area, alignment_gap_stays_usable)
{
	struct vmap_space s;
	struct vmap_area *a, *b, *c;

	cr_assert_eq(vmap_space_init(&s, BASE, ADDR(128), t_alloc, t_free), 0);
	a = must_alloc(&s, 1, 1);
	b = must_alloc(&s, 4, 16);
	cr_assert_eq(b->va_start, ADDR(16), "aligned to 16 pages");
	cr_assert_eq(s.nr_free, 2, "the skipped pages [2, 16) stay a free block");
	c = must_alloc(&s, 13, 1);
	cr_assert_eq(c->va_start, ADDR(2), "and a later request uses all of them");
	cr_assert_eq(s.nr_free, 1);
	vmap_area_free(&s, a);
	vmap_area_free(&s, b);
	vmap_area_free(&s, c);
	teardown_space(&s);
}

Test(vmap_area, lazy_areas_are_not_reused_before_release)
{
	struct vmap_space s;
	struct vmap_area *a, *b, *va;
	struct list_head purge;

	cr_assert_eq(vmap_space_init(&s, BASE, ADDR(10), t_alloc, t_free), 0);
	a = must_alloc(&s, 4, 1);
	b = must_alloc(&s, 4, 1);
	vmap_area_free_lazy(&s, a);
	cr_assert_eq(s.lazy_pages, 5);
	cr_assert_eq(vmap_addr_state(&s, ADDR(2), &va), VMAP_LAZY);
	cr_assert_eq(va, a);
	cr_assert_eq(vmap_area_alloc(&s, PG, PG, &va), -ENOSPC, "a's range is not free yet");
	cr_assert_eq(vmap_area_take_lazy(&s, &purge), 5);
	cr_assert_eq(s.lazy_pages, 0);
	cr_assert_eq(vmap_addr_state(&s, ADDR(2), &va), VMAP_PURGING);
	cr_assert_eq(vmap_area_alloc(&s, PG, PG, &va), -ENOSPC, "nor while it is purged");
	vmap_area_release(&s, a);
	cr_assert(list_empty(&purge));
	cr_assert_eq(vmap_addr_state(&s, ADDR(2), &va), VMAP_FREE);
	cr_assert_eq(vmap_addr_state(&s, ADDR(6), &va), VMAP_BUSY);
	cr_assert_eq(va, b);
	cr_assert_eq(vmap_addr_state(&s, ADDR(10), &va), VMAP_OUTSIDE);
	va = must_alloc(&s, 4, 1);
	cr_assert_eq(va->va_start, BASE, "reusable after the release");
	vmap_area_free(&s, va);
	vmap_area_free(&s, b);
	teardown_space(&s);
}

Test(vmap_area, failed_struct_allocation_changes_nothing)
{
	struct vmap_space s;
	struct vmap_area *a, *b, *va;

	cr_assert_eq(vmap_space_init(&s, BASE, ADDR(64), t_alloc, t_free), 0);
	a = must_alloc(&s, 1, 1);
	b = must_alloc(&s, 1, 1);	/* [0, 4) in use, [4, 64) free */
	fail_in = 1;
	cr_assert_eq(vmap_area_alloc(&s, PG, PG, &va), -ENOMEM, "the area struct");
	fail_in = 2;
	cr_assert_eq(vmap_area_alloc(&s, PG, 16 * PG, &va), -ENOMEM, "the split's second block");
	cr_assert_eq(s.nr_free, 1);
	cr_assert_eq(vmap_largest_free(&s), 60 * PG);
	cr_assert_eq(s.nr_busy, 2);
	cr_assert_eq(live, 3);
	va = must_alloc(&s, 1, 16);
	cr_assert_eq(va->va_start, ADDR(16), "the same call works without the failure");
	cr_assert_eq(s.nr_free, 2);
	vmap_area_free(&s, va);
	vmap_area_free(&s, a);
	vmap_area_free(&s, b);
	teardown_space(&s);
}

/* ---- the model ---- */

struct marea {
	bool used, lazy, purging;
	unsigned long page, pages;	/* first page, pages with the guard */
	struct vmap_area *va;
};

struct model {
	struct vmap_space s;
	unsigned long allocs, nospace, injected, aligned, purges, max_busy, max_free_blocks;
	int owner[NPAGES];		/* -1 free, else the index in areas[] */
	struct marea areas[MAX_AREAS];
	unsigned long long seed;
	long step;
	struct list_head purging;	/* taken by the last take_lazy, not released yet */
};

#define require(m, cond, fmt, ...) \
	cr_assert(cond, "seed %llu step %ld: " fmt, (m)->seed, (m)->step, ##__VA_ARGS__)

/* The model's answer for an allocation: the first page, or -1. */
static long model_place(const struct model *m, unsigned long pages, unsigned long align)
{
	unsigned long p = 0;

	while (p + pages <= NPAGES) {
		unsigned long i = 0;

		while (i < pages && m->owner[p + i] < 0)
			i++;
		if (i == pages)
			return (long)p;
		p = ALIGN_UP(p + i + 1, align);	/* the next aligned page past the owned one */
	}
	return -1;
}

/* Check the subtree's maxima and in-order blocks against the model's runs. */
static unsigned long check_free_node(struct model *m, struct rb_node *n, unsigned long *cursor,
				     unsigned long *blocks)
{
	struct vmap_area *b;
	unsigned long max, l, r;

	if (!n)
		return 0;
	b = rb_entry(n, struct vmap_area, rb_node);
	l = check_free_node(m, n->rb_left, cursor, blocks);
	/* The next maximal free run of the model starts at *cursor's next free page. */
	while (*cursor < NPAGES && m->owner[*cursor] >= 0)
		(*cursor)++;
	require(m, b->va_start == ADDR(*cursor), "free block at %#lx, model run at page %lu",
		b->va_start, *cursor);
	while (*cursor < NPAGES && m->owner[*cursor] < 0)
		(*cursor)++;
	require(m, b->va_end == ADDR(*cursor), "free block %#lx-%#lx is not a maximal run",
		b->va_start, b->va_end);
	(*blocks)++;
	r = check_free_node(m, n->rb_right, cursor, blocks);
	max = MAX(b->va_end - b->va_start, MAX(l, r));
	require(m, b->subtree_max_size == max, "subtree max of %#lx: %lu, should be %lu",
		b->va_start, b->subtree_max_size, max);
	return max;
}

/* Areas of the model in each state. */
static void model_counts(const struct model *m, unsigned long *busy, unsigned long *lazy,
			 unsigned long *lazy_pages, unsigned long *purging)
{
	*busy = *lazy = *lazy_pages = *purging = 0;
	for (int i = 0; i < MAX_AREAS; i++) {
		const struct marea *a = &m->areas[i];

		if (!a->used)
			continue;
		if (a->purging) {
			(*purging)++;
		} else if (a->lazy) {
			(*lazy)++;
			*lazy_pages += a->pages;
		} else {
			(*busy)++;
		}
	}
}

static void check_all(struct model *m)
{
	unsigned long cursor = 0, blocks = 0, busy = 0, bytes = 0, lazy = 0, purging = 0;
	unsigned long m_busy, m_lazy, m_lazy_pages, m_purging;
	struct vmap_area *va, *prev = NULL;
	unsigned long max = check_free_node(m, m->s.free_root.rb_node, &cursor, &blocks);

	while (cursor < NPAGES && m->owner[cursor] >= 0)
		cursor++;
	require(m, cursor == NPAGES, "a free run at page %lu has no block", cursor);
	require(m, blocks == m->s.nr_free, "nr_free %lu, %lu blocks", m->s.nr_free, blocks);
	require(m, vmap_largest_free(&m->s) == max, "largest free block");
	for (va = vmap_area_first(&m->s); va; prev = va, va = vmap_area_next(va)) {
		const struct marea *a = va->vm;

		require(m, a && a->used && !a->lazy && a->va == va, "busy area %#lx unknown",
			va->va_start);
		require(m, va->va_start == ADDR(a->page) && va->va_end == ADDR(a->page + a->pages),
			"busy area %#lx-%#lx, model page %lu+%lu", va->va_start, va->va_end,
			a->page, a->pages);
		require(m, !prev || prev->va_end <= va->va_start, "busy areas overlap");
		busy++;
		bytes += va->va_end - va->va_start;
	}
	list_for_each_entry(va, &m->s.lazy_list, list) {
		const struct marea *a = va->vm;

		require(m, a->lazy && !a->purging && a->va == va, "lazy area %#lx unknown",
			va->va_start);
		lazy++;
	}
	list_for_each_entry(va, &m->purging, list) {
		const struct marea *a = va->vm;

		require(m, a->purging && a->va == va, "purging area %#lx unknown", va->va_start);
		purging++;
	}
	model_counts(m, &m_busy, &m_lazy, &m_lazy_pages, &m_purging);
	require(m, busy == m_busy && m->s.nr_busy == m_busy, "%lu busy areas in the tree, "
		"nr_busy %lu, model %lu", busy, m->s.nr_busy, m_busy);
	require(m, lazy == m_lazy && purging == m_purging, "lazy %lu/%lu, purging %lu/%lu",
		lazy, m_lazy, purging, m_purging);
	require(m, m->s.busy_bytes == bytes, "busy_bytes %lu, should be %lu", m->s.busy_bytes,
		bytes);
	require(m, m->s.lazy_pages == m_lazy_pages, "lazy_pages %lu, should be %lu",
		m->s.lazy_pages, m_lazy_pages);
	require(m, (unsigned long)live == blocks + busy + lazy + purging, "%ld structs live for "
		"%lu blocks and %lu areas", live, blocks, busy + lazy + purging);
}

/* A random size: mostly small, sometimes up to 2 MiB (and bigger than the largest gap). */
static unsigned long random_pages(void)
{
	unsigned long r = rnd_below(100);

	if (r < 50)
		return 1 + rnd_below(8);
	if (r < 85)
		return 9 + rnd_below(56);
	return 65 + rnd_below(448);
}

static unsigned long random_align(void)
{
	static const unsigned long aligns[] = { 1, 1, 1, 1, 1, 1, 2, 4, 8, 16, 64 };

	return aligns[rnd_below(ARRAY_SIZE(aligns))];
}

static int free_slot(const struct model *m)
{
	for (int i = 0; i < MAX_AREAS; i++)
		if (!m->areas[i].used)
			return i;
	return -1;
}

/* A random area in the state asked for, or -1. */
static int pick(const struct model *m, bool lazy)
{
	int start = (int)rnd_below(MAX_AREAS);

	for (int k = 0; k < MAX_AREAS; k++) {
		int i = (start + k) % MAX_AREAS;
		const struct marea *a = &m->areas[i];

		if (a->used && !a->purging && a->lazy == lazy)
			return i;
	}
	return -1;
}

static void set_owner(struct model *m, const struct marea *a, int who)
{
	for (unsigned long p = a->page; p < a->page + a->pages; p++)
		m->owner[p] = who;
}

static void op_alloc(struct model *m)
{
	unsigned long pages = random_pages(), align = random_align();
	long expect = model_place(m, pages + 1, align);
	int slot = free_slot(m), err;
	struct vmap_area *va = NULL;
	bool inject = rnd_below(20) == 0;

	if (slot < 0)
		return;
	fail_in = inject ? 1 + (int)rnd_below(2) : 0;
	err = vmap_area_alloc(&m->s, pages * PG, align * PG, &va);
	if (inject && fail_in == 0) {	/* the failure hit: nothing may have changed */
		require(m, err == -ENOMEM, "injected failure: %d", err);
		m->injected++;
		return;
	}
	fail_in = 0;
	if (expect < 0) {
		require(m, err == -ENOSPC, "%lu pages at %lu: model has no room, got %d", pages,
			align, err);
		m->nospace++;
		return;
	}
	require(m, err == 0, "%lu pages aligned %lu: model fits at page %ld, got %d", pages,
		align, expect, err);
	require(m, va->va_start == ADDR(expect), "%lu pages aligned %lu at %#lx, lowest fit is "
		"%#lx", pages, align, va->va_start, ADDR(expect));
	require(m, vmap_area_size(va) == pages * PG, "usable size");
	m->areas[slot] = (struct marea){ .used = true, .page = (unsigned long)expect,
					 .pages = pages + 1, .va = va };
	va->vm = &m->areas[slot];
	set_owner(m, &m->areas[slot], slot);
	m->allocs++;
	m->aligned += align > 1;
	m->max_busy = MAX(m->max_busy, m->s.nr_busy);
	m->max_free_blocks = MAX(m->max_free_blocks, m->s.nr_free);
}

static void op_free(struct model *m, bool lazily)
{
	int i = pick(m, false);
	struct marea *a;

	if (i < 0)
		return;
	a = &m->areas[i];
	if (lazily) {
		vmap_area_free_lazy(&m->s, a->va);
		a->lazy = true;
		return;
	}
	vmap_area_free(&m->s, a->va);
	set_owner(m, a, -1);
	*a = (struct marea){ 0 };
}

/* Release the areas being purged, all or about half of them. */
static void release_purging(struct model *m, bool all)
{
	struct vmap_area *va, *n;

	list_for_each_entry_safe(va, n, &m->purging, list) {
		struct marea *a = va->vm;

		if (!all && rnd_below(2))
			continue;
		vmap_area_release(&m->s, va);
		set_owner(m, a, -1);
		*a = (struct marea){ 0 };
	}
}

static void op_purge(struct model *m)
{
	unsigned long pages, m_busy, m_lazy, m_lazy_pages, m_purging;
	struct vmap_area *va;

	release_purging(m, true);
	model_counts(m, &m_busy, &m_lazy, &m_lazy_pages, &m_purging);
	pages = vmap_area_take_lazy(&m->s, &m->purging);
	m->purges++;
	require(m, pages == m_lazy_pages, "take_lazy gave %lu pages, model %lu", pages,
		m_lazy_pages);
	list_for_each_entry(va, &m->purging, list)
		((struct marea *)va->vm)->purging = true;
	if (rnd_below(2))
		release_purging(m, false);	/* the rest at the next purge, after more steps */
}

static void op_lookup(struct model *m)
{
	unsigned long p = rnd_below(NPAGES);
	int who = m->owner[p];
	const struct marea *a = who >= 0 ? &m->areas[who] : NULL;
	struct vmap_area *va, *found = vmap_area_find(&m->s, ADDR(p) + rnd_below(PG));
	enum vmap_state st = vmap_addr_state(&m->s, ADDR(p), &va);

	if (!a) {
		require(m, !found && st == VMAP_FREE, "page %lu is free: found %p, state %d", p,
			(void *)found, st);
	} else if (a->purging) {
		require(m, !found && st == VMAP_PURGING, "page %lu is purging: state %d", p, st);
	} else if (a->lazy) {
		require(m, !found && st == VMAP_LAZY && va == a->va, "page %lu is lazy: state %d",
			p, st);
	} else {
		require(m, found == a->va && st == VMAP_BUSY && va == a->va, "page %lu: area %p, "
			"found %p, state %d", p, (void *)a->va, (void *)found, st);
	}
}

static void model_run(long steps)
{
	static struct model m;

	memset(&m, 0, sizeof(m));
	m.seed = test_seed("vmap_area model");
	INIT_LIST_HEAD(&m.purging);
	for (int i = 0; i < NPAGES; i++)
		m.owner[i] = -1;
	cr_assert_eq(vmap_space_init(&m.s, BASE, ADDR(NPAGES), t_alloc, t_free), 0);
	for (m.step = 0; m.step < steps; m.step++) {
		unsigned long r = rnd_below(100);

		/* Phases of mostly filling, then mostly freeing: full and sparse states both. */
		bool filling = (m.step / 2000) % 2 == 0;

		if (r < (filling ? 45u : 20u))
			op_alloc(&m);
		else if (r < 60)
			op_free(&m, rnd_below(3) != 0);
		else if (r < 64)
			op_purge(&m);
		else
			op_lookup(&m);
		check_all(&m);
	}
	while (vmap_area_first(&m.s))
		op_free(&m, true);
	op_purge(&m);
	release_purging(&m, true);
	check_all(&m);
	fprintf(stderr, "vmap_area model: %ld steps: %lu allocations (%lu aligned above a page), "
		"%lu -ENOSPC, %lu injected -ENOMEM, %lu purges; up to %lu areas and %lu free "
		"blocks at once\n", steps, m.allocs, m.aligned, m.nospace, m.injected, m.purges,
		m.max_busy, m.max_free_blocks);
	teardown_space(&m.s);
}

/* A step checks the whole 8192-page window: it weighs like ten operations of the others. */
Test(vmap_area, random_against_model, .timeout = 600)
{
	model_run(test_iters(300000) / 10);
}

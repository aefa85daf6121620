/*
 * The randomized model test of the slab allocator and kmalloc (the plan is described at the
 * top of tests/host/test_slab.c, which boots the fake machine for it). Seeded: TEST_SEED
 * replays a run, TEST_ITERS sets its length; the seed is printed and is in every failure.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/percpu.h>
#include <mm/mmzone.h>
#include <mm/slab.h>

#include "printk_stub.h"
#include "rng.h"

/* tests/host/test_slab.c */
void slab_machine_boot(const char *slub_debug);
void slab_machine_teardown(void);
extern unsigned long slab_machine_free_pages;

TestSuite(slab_model, .fini = slab_machine_teardown);

#define MiB (1ul << 20)
#define NR_CPUS_USED 4
#define MAX_LIVE 6000
#define HASH_SIZE 16384	/* power of 2, > 2 * MAX_LIVE */
#define CTOR_BYTE 0xc5

static void ctor(void *p)
{
	memset(p, CTOR_BYTE, 117);
}

/* The caches under test; index NR_TEST_CACHES stands for kmalloc. */
static const struct {
	const char *name;
	unsigned int size, align;
	slab_flags_t flags;
	bool ctor;
} specs[] = {
	{ "m-small", 24, 0, 0, false },
	{ "m-ctor", 117, 0, 0, true },
	{ "m-aligned", 40, 64, SLAB_HWCACHE_ALIGN, false },
	{ "m-order3", 3000, 0, 0, false },
	{ "m-debug", 72, 0, SLAB_DEBUG, false },
	{ "m-dma", 200, 0, SLAB_CACHE_DMA, false },
};
#define NR_TEST_CACHES (sizeof(specs) / sizeof(specs[0]))
#define KMALLOC_KIND NR_TEST_CACHES

struct object {
	uint8_t *p;
	unsigned int kind;	/* a specs[] index or KMALLOC_KIND */
	size_t size;		/* bytes asked for (kmalloc) or the object size */
	size_t usable;		/* bytes the pattern covers */
	uint32_t tag;
};

struct model {
	struct kmem_cache *caches[NR_TEST_CACHES];
	struct object live[MAX_LIVE];
	size_t nlive;
	uint8_t *set[HASH_SIZE];	/* the live pointers, open addressing */
	unsigned long per_cache[NR_TEST_CACHES], large_pages;
	unsigned long long seed;
	long step;
	uint32_t next_tag;
	unsigned long allocs, frees, reallocs, shrinks, emptied, cpu_switches, interrupts;
};

static size_t hash_slot(const void *p)
{
	return (size_t)((((uintptr_t)p >> 3) * 0x9e3779b97f4a7c15ull) >> 40) & (HASH_SIZE - 1);
}

static void set_add(struct model *m, uint8_t *p)
{
	size_t i = hash_slot(p);

	while (m->set[i]) {
		cr_assert_neq(m->set[i], p, "seed %llu step %ld: %p handed out twice", m->seed,
			      m->step, p);
		i = (i + 1) & (HASH_SIZE - 1);
	}
	m->set[i] = p;
}

static void set_del(struct model *m, uint8_t *p)
{
	size_t i = hash_slot(p), j;

	while (m->set[i] != p)
		i = (i + 1) & (HASH_SIZE - 1);
	m->set[i] = NULL;
	/* Re-insert the rest of the cluster so lookups stay correct. */
	for (j = (i + 1) & (HASH_SIZE - 1); m->set[j]; j = (j + 1) & (HASH_SIZE - 1)) {
		uint8_t *q = m->set[j];

		m->set[j] = NULL;
		set_add(m, q);
	}
}

static uint8_t pattern(uint32_t tag, size_t i)
{
	return (uint8_t)((tag * 2654435761u + i * 131) >> 7);
}

/* Fill what the object owns; a constructed object is left constructed but for its tag. */
static void fill(struct object *o)
{
	if (o->kind < KMALLOC_KIND && specs[o->kind].ctor) {
		memcpy(o->p, &o->tag, sizeof(o->tag));
		return;
	}
	for (size_t i = 0; i < o->usable; i++)
		o->p[i] = pattern(o->tag, i);
}

static void verify(const struct model *m, const struct object *o)
{
	if (o->kind < KMALLOC_KIND && specs[o->kind].ctor) {
		cr_assert_eq(memcmp(o->p, &o->tag, sizeof(o->tag)), 0,
			     "seed %llu step %ld: tag of %p overwritten", m->seed, m->step, o->p);
		for (size_t i = sizeof(o->tag); i < 117; i++)
			cr_assert_eq(o->p[i], CTOR_BYTE, "seed %llu step %ld: %p byte %zu",
				     m->seed, m->step, o->p, i);
		return;
	}
	for (size_t i = 0; i < o->usable; i++)
		cr_assert_eq(o->p[i], pattern(o->tag, i),
			     "seed %llu step %ld: %p (kind %u, %zu bytes) byte %zu overwritten",
			     m->seed, m->step, o->p, o->kind, o->usable, i);
}

static size_t pick_kmalloc_size(void)
{
	unsigned int r = (unsigned int)rnd_below(100);

	if (r < 60)
		return 1 + rnd_below(256);
	if (r < 90)
		return 1 + rnd_below(2048);
	if (r < 98)
		return 1 + rnd_below(8192);
	return 8193 + rnd_below(12000);
}

/* Checks on a fresh object, then it joins the model. */
static void take(struct model *m, struct object *o, gfp_t gfp)
{
	uintptr_t a = (uintptr_t)o->p;

	cr_assert_not_null(o->p, "seed %llu step %ld: allocation failed", m->seed, m->step);
	set_add(m, o->p);
	if (o->kind < KMALLOC_KIND) {
		struct kmem_cache *s = m->caches[o->kind];

		cr_assert_eq(a % s->align, 0, "seed %llu step %ld: %p not %u-aligned", m->seed,
			     m->step, o->p, s->align);
		if (specs[o->kind].ctor && !(gfp & __GFP_ZERO))
			for (size_t i = 0; i < 117; i++)
				cr_assert_eq(o->p[i], CTOR_BYTE,
					     "seed %llu step %ld: not constructed", m->seed,
					     m->step);
		if (specs[o->kind].flags & SLAB_CACHE_DMA)
			cr_assert_leq(__pa(o->p) + o->usable, 16 * MiB);
		m->per_cache[o->kind]++;
	} else {
		size_t got = ksize(o->p);

		cr_assert_geq(got, o->size, "seed %llu step %ld: ksize", m->seed, m->step);
		cr_assert_eq(a % 8, 0);
		if (got > KMALLOC_MAX_CACHE_SIZE)	/* whole pages (krealloc may keep them) */
			m->large_pages += got / PAGE_SIZE;
		if (gfp & __GFP_DMA)
			cr_assert_leq(__pa(o->p) + got, 16 * MiB, "seed %llu step %ld", m->seed,
				      m->step);
		o->usable = got;
	}
	if (gfp & __GFP_ZERO)
		for (size_t i = 0; i < o->size; i++)
			cr_assert_eq(o->p[i], 0, "seed %llu step %ld: not zeroed", m->seed,
				     m->step);
	if (o->kind < KMALLOC_KIND && specs[o->kind].ctor && (gfp & __GFP_ZERO))
		memset(o->p, CTOR_BYTE, 117);	/* zalloc of a constructed object: rebuild */
	o->tag = m->next_tag++;
	fill(o);
	m->live[m->nlive++] = *o;
	m->allocs++;
}

static void model_alloc(struct model *m)
{
	struct object o = { 0 };
	unsigned int kind = (unsigned int)rnd_below(NR_TEST_CACHES + 3);
	gfp_t gfp = GFP_KERNEL | (rnd_below(5) == 0 ? __GFP_ZERO : 0);

	if (m->nlive >= MAX_LIVE)
		return;
	if (kind < NR_TEST_CACHES) {
		o.kind = kind;
		o.size = o.usable = specs[kind].size;
		o.p = kmem_cache_alloc(m->caches[kind], gfp);
	} else {
		o.kind = KMALLOC_KIND;
		o.size = pick_kmalloc_size();
		gfp |= rnd_below(10) == 0 ? GFP_DMA : 0;
		o.p = kmalloc(o.size, gfp);
	}
	take(m, &o, gfp);
}

static void model_free(struct model *m, size_t i)
{
	struct object o = m->live[i];

	verify(m, &o);
	set_del(m, o.p);
	m->live[i] = m->live[--m->nlive];
	if (o.kind < KMALLOC_KIND) {
		if (specs[o.kind].ctor)	/* give it back in the constructed state */
			memset(o.p, CTOR_BYTE, sizeof(o.tag));
		m->per_cache[o.kind]--;
		if (rnd() & 1)
			kmem_cache_free(m->caches[o.kind], o.p);
		else
			kfree(o.p);	/* kfree takes any slab object */
	} else {
		if (o.usable > KMALLOC_MAX_CACHE_SIZE)
			m->large_pages -= o.usable / PAGE_SIZE;
		kfree(o.p);
	}
	m->frees++;
}

static void model_realloc(struct model *m, size_t i)
{
	struct object o = m->live[i];
	size_t keep, n = pick_kmalloc_size();
	uint8_t *q;

	if (o.kind != KMALLOC_KIND)
		return;
	verify(m, &o);
	q = krealloc(o.p, n, GFP_KERNEL);
	cr_assert_not_null(q, "seed %llu step %ld: krealloc", m->seed, m->step);
	keep = MIN(n, o.usable);
	for (size_t b = 0; b < keep; b++)
		cr_assert_eq(q[b], pattern(o.tag, b), "seed %llu step %ld: krealloc lost byte %zu",
			     m->seed, m->step, b);
	set_del(m, o.p);
	m->live[i] = m->live[--m->nlive];
	if (o.usable > KMALLOC_MAX_CACHE_SIZE)
		m->large_pages -= o.usable / PAGE_SIZE;
	o.p = q;
	o.size = n;
	take(m, &o, GFP_KERNEL);
	m->allocs--;
	m->reallocs++;
}

/*
 * Pretend an interrupt came while this CPU was inside the allocator for every cache: the
 * operation then finds each cache's per-CPU part busy and must leave it alone.
 */
static void set_busy(unsigned long busy)
{
	struct kmem_cache *s;

	list_for_each_entry(s, &slab_caches, list)
		s->cpu_slab[cpus[0].id].busy = busy;
}

static void check_counts(struct model *m)
{
	for (size_t k = 0; k < NR_TEST_CACHES; k++) {
		struct slabinfo si;

		kmem_cache_get_info(m->caches[k], &si);
		cr_assert_eq(si.active_objs, m->per_cache[k],
			     "seed %llu step %ld: %s has %lu objects in use, the model %lu",
			     m->seed, m->step, specs[k].name, si.active_objs, m->per_cache[k]);
	}
	cr_assert_eq(kmalloc_large_stats.pages, m->large_pages, "seed %llu step %ld", m->seed,
		     m->step);
}

static void check_full(struct model *m)
{
	int problems = kmem_cache_check_all() + page_alloc_check();

	cr_assert_eq(problems, 0, "seed %llu step %ld: %s", m->seed, m->step, printk_captured());
	for (int i = 0; i < NR_SLAB_BUGS; i++)
		cr_assert_eq(slab_stats.bugs[i], 0, "seed %llu step %ld: %s reported: %s", m->seed,
			     m->step, slab_bug_names[i], printk_captured());
}

/* Free everything, shrink everything: every page but those of live caches must be back. */
static void empty_all(struct model *m)
{
	unsigned long held = 0;
	struct kmem_cache *s;

	while (m->nlive)
		model_free(m, (size_t)rnd_below(m->nlive));
	list_for_each_entry(s, &slab_caches, list) {
		kmem_cache_shrink(s);
		if (s != kmem_cache)
			cr_assert_eq(s->nr_slabs, 0, "seed %llu step %ld: %s kept slabs", m->seed,
				     m->step, s->name);
		held += s->nr_slabs << s->order;
	}
	cr_assert_eq(nr_free_pages() + held, slab_machine_free_pages,
		     "seed %llu step %ld: pages lost", m->seed, m->step);
	m->emptied++;
}

static void model_run(const char *name, const char *slub_debug, long dflt)
{
	long iters = test_iters(dflt), every = iters / 2000 > 250 ? iters / 2000 : 250;
	struct model *m = calloc(1, sizeof(*m));
	char what[64];

	cr_assert_not_null(m);
	snprintf(what, sizeof(what), "slab/%s", name);
	m->seed = test_seed(what);
	slab_machine_boot(slub_debug);
	for (size_t k = 0; k < NR_TEST_CACHES; k++) {
		m->caches[k] = kmem_cache_create(specs[k].name, specs[k].size, specs[k].align,
						 specs[k].flags, specs[k].ctor ? ctor : NULL);
		cr_assert_not_null(m->caches[k]);
	}
	long phase_left = 0;
	unsigned int alloc_share = 550;

	for (m->step = 0; m->step < iters; m->step++) {
		unsigned int r = (unsigned int)rnd_below(1000);

		if (--phase_left <= 0) {
			phase_left = 100 + (long)rnd_below(2000);
			alloc_share = rnd_below(3) ? 600 : 350;
		}
		if (r < 10) {
			cpus[0].id = (unsigned int)rnd_below(NR_CPUS_USED);
			m->cpu_switches++;
		} else if (r < 14) {
			kmem_cache_shrink(m->caches[rnd_below(NR_TEST_CACHES)]);
			m->shrinks++;
		} else if (r < 15 && rnd_below(3) == 0) {
			empty_all(m);
		} else {
			bool irq = rnd_below(20) == 0;

			if (irq) {
				set_busy(1);
				m->interrupts++;
			}
			if (r < 60 && m->nlive)
				model_realloc(m, (size_t)rnd_below(m->nlive));
			else if (rnd_below(1000) < alloc_share || !m->nlive)
				model_alloc(m);
			else
				model_free(m, (size_t)rnd_below(m->nlive));
			if (irq)
				set_busy(0);
		}
		check_counts(m);
		if (m->step % every == 0)
			check_full(m);
		if (m->step % 1024 == 0)
			printk_capture_reset();
	}
	check_full(m);
	empty_all(m);
	check_full(m);
	fprintf(stderr, "slab/%s: %ld steps: %lu allocations, %lu frees, %lu kreallocs, %lu "
		"shrinks, emptied %lu times, %lu CPU switches, %lu in pretend interrupts\n", name,
		iters, m->allocs, m->frees, m->reallocs, m->shrinks, m->emptied, m->cpu_switches,
		m->interrupts);
	free(m);
}

Test(slab_model, random_operations)
{
	model_run("random_operations", NULL, 20000);
}

Test(slab_model, random_operations_slub_debug)
{
	model_run("random_operations_slub_debug", "", 5000);
}

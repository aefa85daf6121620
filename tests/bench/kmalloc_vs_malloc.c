/*
 * kmalloc/kfree (the hosted core of mm/slab*.c and mm/kmalloc.c) against glibc malloc/free,
 * jemalloc and mimalloc, on one size trace, single thread, in one run. scripts/bench-kmalloc
 * builds and runs it (for `make bench`); the figures inform, nothing here fails on them.
 *
 * The trace. One generator, seeded and deterministic (the same seed gives the same trace on
 * any machine): a kernel-like mix of sizes, mostly small objects with some buffers and rare
 * multi-page ones,
 *      10%  1-16 bytes        62%  17-256 (half of them 16 "struct" sizes drawn from the seed)
 *      18%  257-1024           8%  1025-4096     1.7%  4097-8192     0.3%  8193-32768
 * and a live set that grows and shrinks: the target number of live objects follows a
 * triangle wave (3 periods, from 2% of the peak to the peak), each step allocates with a
 * probability that pulls the live count towards the target, and a free takes the newest live
 * object (60%, LIFO: temporaries) or a random one (40%, swap-removed, so LIFO is only
 * LIFO-ish afterwards). The trace ends by freeing what is left, in random order, so every
 * replay starts and ends with nothing allocated. Each allocation writes its first byte (the
 * caller initialising its object), the same work for every allocator.
 *
 * The replay. The trace is an array of operations (slot, size; size 0 frees the slot),
 * replayed against each allocator through a pair of function pointers. glibc, jemalloc and
 * mimalloc live in one process: Debian's libjemalloc and libmimalloc both export unprefixed
 * malloc/free (no je_ prefix; mimalloc also has mi_malloc/mi_free), so the script links libc
 * first (malloc in the program is glibc's) and each allocator's functions are looked up in
 * its own library with dlsym: libc.so.6 malloc/free, libjemalloc.so.2 malloc/free,
 * libmimalloc.so.2 mi_malloc/mi_free. kmalloc and kfree are called through two-instruction
 * wrappers (GFP_KERNEL as the second argument, then a jump). A "null" allocator (one static
 * buffer, free does nothing) gives the cost of the replay loop itself.
 *
 * Timing: CLOCK_MONOTONIC around each replay; every repetition runs all allocators (in a
 * rotating order), the best of the repetitions is printed, and the spread (worst over best).
 * The first repetition warms every allocator up (its slabs, arenas, page faults); it counts
 * like the others, the best is nearly always a later one.
 *
 * Memory. Per kmalloc cache: its slot layout (slot rounding, the slab's tail waste, the
 * shared struct page) from kmem_cache_get_info, and on one replay of the trace the calls,
 * the bytes requested and given (calls x class size: internal fragmentation), and how many
 * allocations and frees missed the fast path of include/mm/slab.h (read off the per-CPU
 * state before each call, in an untimed pass). For all four allocators: the bytes usable in
 * what they handed out (ksize, malloc_usable_size, mi_usable_size) against the bytes asked
 * for, and what each holds at the trace's peak live set.
 *
 * Usage: kmalloc_vs_malloc [-n OPS] [-p PEAK] [-r REPS] [-s SEED] [-a ALLOC] [-M]
 *   -n  operations before the final frees (default 4000000)
 *   -p  peak live objects (default 50000)
 *   -r  repetitions (default 7); -s seed (default 1)
 *   -a  replay only this allocator (glibc, jemalloc, mimalloc, kmalloc, null): for
 *       callgrind/perf; the first repetition warms up, the others go through
 *       replay_counted (callgrind --toggle-collect='replay_counted*' counts only those)
 *   -M  skip the memory figures
 * The fake machine's RAM is sized from the trace: 4 x the peak of live class-rounded bytes
 * plus 64 MiB, at least 256 MiB, from 1 MiB up (all below 4 GiB: DMA32 serves GFP_KERNEL).
 * Built like tests/bench/slab_bench.c (HOSTED_TEST, -O2, no sanitizers, the kernel's
 * -mgeneral-regs-only: so no floating point here, figures are fixed-point integers).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kernel/percpu.h>
#include <mm/mmzone.h>
#include <mm/slab.h>

#include "fake_machine.h"

#define KiB (1ul << 10)
#define MiB (1ul << 20)

/* ---- the trace ---- */

struct op {
	uint32_t slot;
	uint32_t size;		/* 0: free the object in slot */
};

struct trace {
	struct op *ops;
	unsigned long n_ops, n_allocs;
	unsigned int n_slots;		/* slots used: the peak number of live objects */
	unsigned long peak_op;		/* ops[0 .. peak_op) reach the peak of live bytes */
	unsigned long peak_live;	/* objects live then */
	unsigned long long peak_bytes;	/* bytes requested and live then */
	unsigned long long peak_class_bytes;	/* the most class-rounded bytes ever live */
	unsigned long long requested;	/* all allocations' sizes */
	unsigned long class_calls[KMALLOC_SHIFT_HIGH + 2];	/* [14]: larger than 8k */
};

static uint64_t rng_state;

static uint64_t rnd(void)	/* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned long rnd_range(unsigned long lo, unsigned long hi)	/* [lo, hi] */
{
	return lo + rnd() % (hi - lo + 1);
}

/* kmalloc's size classes, as mm/kmalloc.c has them (checked against ksize on the replay). */
static unsigned int class_index(size_t size)
{
	static const uint8_t size_index[24] = {
		3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1, 7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2,
	};

	if (size > KMALLOC_MAX_CACHE_SIZE)
		return KMALLOC_SHIFT_HIGH + 1;
	if (size <= 192)
		return size_index[(size - 1) / 8];
	return (unsigned int)(64 - __builtin_clzl(size - 1));
}

static unsigned long class_bytes(size_t size)
{
	unsigned int i = class_index(size);

	if (i > KMALLOC_SHIFT_HIGH)	/* whole pages, a power of two of them */
		return PAGE_SIZE << (64 - __builtin_clzl((size - 1) >> PAGE_SHIFT));
	return i == 1 ? 96 : i == 2 ? 192 : 1ul << i;
}

static unsigned int hot_sizes[16];

static uint32_t trace_size(void)
{
	unsigned long r = rnd() % 1000;

	if (r < 100)
		return (uint32_t)rnd_range(1, 16);
	if (r < 720)
		return (uint32_t)(rnd() & 1 ? hot_sizes[rnd() % 16] : rnd_range(17, 256));
	if (r < 900)
		return (uint32_t)rnd_range(257, 1024);
	if (r < 980)
		return (uint32_t)rnd_range(1025, 4096);
	if (r < 997)
		return (uint32_t)rnd_range(4097, 8192);
	return (uint32_t)rnd_range(8193, 32768);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		perror("kmalloc_vs_malloc: malloc");
		exit(1);
	}
	return p;
}

static void make_trace(struct trace *t, unsigned long n, unsigned long peak, uint64_t seed)
{
	uint32_t *live = xmalloc(peak * 2 * sizeof(*live));	/* slots, oldest first */
	uint32_t *free_slots = xmalloc(peak * 2 * sizeof(*free_slots));
	uint32_t *slot_size = xmalloc(peak * 2 * sizeof(*slot_size));
	unsigned long n_live = 0, n_free_slots = 0, floor = peak / 50, period = n / 3;
	unsigned long long bytes = 0, class_live = 0;
	unsigned long cap = n + peak * 2;

	memset(t, 0, sizeof(*t));
	rng_state = seed;
	for (int i = 0; i < 16; i++)
		hot_sizes[i] = (unsigned int)rnd_range(17, 256);
	t->ops = xmalloc(cap * sizeof(*t->ops));
	for (unsigned long i = 0; i < n; i++) {
		unsigned long ph = i % period, half = period / 2;
		unsigned long tri = ph < half ? ph : period - ph;	/* 0 .. half */
		long target = (long)(floor + (peak - floor) * tri / half);
		long pa = 500 + (target - (long)n_live) * 450 / (long)(peak / 10 + 1);
		struct op *o = &t->ops[t->n_ops++];

		if (pa < 50)
			pa = 50;
		if (pa > 950)
			pa = 950;
		if (n_live == 0 || (n_live < peak * 2 && (long)(rnd() % 1000) < pa)) {
			uint32_t slot = n_free_slots ? free_slots[--n_free_slots] : t->n_slots++;

			o->slot = slot;
			o->size = trace_size();
			slot_size[slot] = o->size;
			live[n_live++] = slot;
			bytes += o->size;
			class_live += class_bytes(o->size);
			t->requested += o->size;
			t->n_allocs++;
			t->class_calls[class_index(o->size)]++;
			if (bytes > t->peak_bytes) {
				t->peak_bytes = bytes;
				t->peak_op = t->n_ops;
				t->peak_live = n_live;
			}
			if (class_live > t->peak_class_bytes)
				t->peak_class_bytes = class_live;
		} else {
			unsigned long k = n_live - 1;

			if (rnd() % 100 >= 60) {	/* random: swap it to the end */
				unsigned long j = rnd() % n_live;
				uint32_t tmp = live[j];

				live[j] = live[k];
				live[k] = tmp;
			}
			o->slot = live[k];
			o->size = 0;
			n_live--;
			bytes -= slot_size[o->slot];
			class_live -= class_bytes(slot_size[o->slot]);
			free_slots[n_free_slots++] = o->slot;
		}
	}
	while (n_live) {	/* free the rest, in random order */
		unsigned long j = rnd() % n_live;

		t->ops[t->n_ops++] = (struct op){ .slot = live[j], .size = 0 };
		live[j] = live[--n_live];
	}
	free(live);
	free(free_slots);
	free(slot_size);
}

/* ---- the allocators ---- */

struct allocator {
	const char *name;
	void *(*alloc)(size_t size);
	void (*free)(void *p);
	size_t (*usable)(void *p);	/* bytes usable at p */
	unsigned long long best_ns, worst_ns;
};

static __attribute__((noinline)) void *k_malloc(size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

static __attribute__((noinline)) void k_free(void *p)
{
	kfree(p);
}

static size_t k_usable(void *p)
{
	return ksize(p);
}

static char null_buf[64 * KiB] __attribute__((aligned(64)));

static __attribute__((noinline)) void *null_malloc(size_t size)
{
	return null_buf + (size & 63);	/* one hot buffer: what the loop costs by itself */
}

static __attribute__((noinline)) void null_free(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

enum { A_GLIBC, A_JEMALLOC, A_MIMALLOC, A_KMALLOC, A_NULL, NR_ALLOCATORS };

static struct allocator allocators[NR_ALLOCATORS] = {
	[A_GLIBC] = { .name = "glibc" },
	[A_JEMALLOC] = { .name = "jemalloc" },
	[A_MIMALLOC] = { .name = "mimalloc" },
	[A_KMALLOC] = { .name = "kmalloc", .alloc = k_malloc, .free = k_free, .usable = k_usable },
	[A_NULL] = { .name = "null (loop)", .alloc = null_malloc, .free = null_free },
};

static void *libc_h, *je_h, *mi_h;

static void *sym(void *h, const char *lib, const char *name)
{
	void *p = dlsym(h, name);

	if (!p) {
		fprintf(stderr, "kmalloc_vs_malloc: %s has no %s\n", lib, name);
		exit(1);
	}
	return p;
}

static void *lib(const char *name)
{
	void *h = dlopen(name, RTLD_NOW | RTLD_NOLOAD);

	if (!h) {	/* the script links it; not loaded means a build mistake */
		fprintf(stderr, "kmalloc_vs_malloc: %s is not loaded: %s\n", name, dlerror());
		exit(1);
	}
	return h;
}

static void setup_libraries(void)
{
	libc_h = lib("libc.so.6");
	je_h = lib("libjemalloc.so.2");
	mi_h = lib("libmimalloc.so.2");
	allocators[A_GLIBC].alloc = sym(libc_h, "libc", "malloc");
	allocators[A_GLIBC].free = sym(libc_h, "libc", "free");
	allocators[A_GLIBC].usable = sym(libc_h, "libc", "malloc_usable_size");
	allocators[A_JEMALLOC].alloc = sym(je_h, "jemalloc", "malloc");
	allocators[A_JEMALLOC].free = sym(je_h, "jemalloc", "free");
	allocators[A_JEMALLOC].usable = sym(je_h, "jemalloc", "malloc_usable_size");
	allocators[A_MIMALLOC].alloc = sym(mi_h, "mimalloc", "mi_malloc");
	allocators[A_MIMALLOC].free = sym(mi_h, "mimalloc", "mi_free");
	allocators[A_MIMALLOC].usable = sym(mi_h, "mimalloc", "mi_usable_size");
	/* Each pointer must be in its own library, and the program's malloc glibc's. */
	for (int a = A_GLIBC; a <= A_MIMALLOC; a++) {
		static const char *const want[] = { "libc.so", "libjemalloc.so", "libmimalloc.so" };
		Dl_info info;

		if (!dladdr((void *)allocators[a].alloc, &info) || !info.dli_fname ||
		    !strstr(info.dli_fname, want[a])) {
			fprintf(stderr, "kmalloc_vs_malloc: %s's malloc resolves into %s\n",
				allocators[a].name, info.dli_fname ? info.dli_fname : "?");
			exit(1);
		}
	}
	{	/* the program's own malloc must be glibc's, not an overriding library's */
		struct mallinfo2 (*mi2)(void) = sym(libc_h, "libc", "mallinfo2");
		size_t before = mi2().hblkhd;
		void *p = malloc(1 << 20);	/* above glibc's mmap threshold: counted in hblkhd */

		__asm__ volatile("" : : "r"(p) : "memory");	/* (clang drops unused mallocs) */
		if (!p || mi2().hblkhd < before + (1 << 20)) {
			fprintf(stderr, "kmalloc_vs_malloc: the program's malloc is not glibc's\n");
			exit(1);
		}
		free(p);
	}
}

/* ---- the fake machine ---- */

/* RAM at [1 MiB, @end) (tests/host/fake_machine.c), then the slab allocator. */
static void boot(unsigned long end)
{
	const struct fake_range ram[] = { { MiB, end } };

	fake_machine_boot(ram, 1);
	kmem_cache_init();
}

/* ---- the replay ---- */

static void **slots;

static void replay_out_of_memory(const struct allocator *a, unsigned long i, uint32_t size)
{
	fprintf(stderr, "kmalloc_vs_malloc: %s: allocation %lu of %u bytes failed%s\n", a->name,
		i, size, a == &allocators[A_KMALLOC] ? " (fake machine too small?)" : "");
	exit(1);
}

/* ops[from .. to) against @a; out of line, so callgrind can count it alone. */
static __attribute__((noinline)) void replay(const struct allocator *a, const struct op *ops,
					    unsigned long from, unsigned long to)
{
	void *(*alloc)(size_t) = a->alloc;
	void (*release)(void *) = a->free;

	for (unsigned long i = from; i < to; i++) {
		const struct op o = ops[i];

		if (o.size) {
			char *p = alloc(o.size);

			if (__builtin_expect(!p, 0))
				replay_out_of_memory(a, i, o.size);
			*(volatile char *)p = (char)i;
			slots[o.slot] = p;
		} else {
			release(slots[o.slot]);
		}
	}
}

static __attribute__((noinline)) void replay_counted(const struct allocator *a,
						     const struct trace *t)
{
	replay(a, t->ops, 0, t->n_ops);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* ---- fixed-point printing (no floating point under -mgeneral-regs-only) ---- */

/* @num / @den with @dec decimals, into @buf. */
static const char *fx(char *buf, size_t size, unsigned long long num, unsigned long long den,
		      int dec)
{
	unsigned long long scale = 1, q;

	for (int i = 0; i < dec; i++)
		scale *= 10;
	if (!den) {
		snprintf(buf, size, "-");
		return buf;
	}
	q = (num * scale + den / 2) / den;
	if (dec)
		snprintf(buf, size, "%llu.%0*llu", q / scale, dec, q % scale);
	else
		snprintf(buf, size, "%llu", q);
	return buf;
}

#define FX(num, den, dec) fx((char[32]){ 0 }, 32, (num), (den), (dec))

/* ---- memory figures ---- */

struct cache_row {
	struct kmem_cache *s;
	struct slabinfo before, after;
	unsigned long alloc_slow, free_slow, frees, class_mismatch;
};

static struct cache_row rows[KMALLOC_SHIFT_HIGH + 1];
static const unsigned int row_order[] = { 3, 4, 5, 6, 1, 7, 2, 8, 9, 10, 11, 12, 13 };
#define NR_ROWS (sizeof(row_order) / sizeof(row_order[0]))

/*
 * One untimed replay of kmalloc that reads the per-CPU state before each call and counts
 * what include/mm/slab.h's fast paths would not take: an allocation when this CPU's freelist
 * is empty, a free outside this CPU's active slab (or of the object just freed).
 */
static void kmalloc_inspect(const struct trace *t, unsigned long *large_allocs,
			    unsigned long *large_frees)
{
	for (unsigned long i = 0; i < t->n_ops; i++) {
		const struct op o = t->ops[i];

		if (o.size) {
			unsigned int ci = class_index(o.size);
			struct cache_row *r = ci <= KMALLOC_SHIFT_HIGH ? &rows[ci] : NULL;
			bool slow = r && !this_cpu_slab(r->s)->freelist;
			char *p = kmalloc(o.size, GFP_KERNEL);
			struct page *pg;

			if (!p)
				replay_out_of_memory(&allocators[A_KMALLOC], i, o.size);
			*(volatile char *)p = (char)i;
			slots[o.slot] = p;
			pg = slab_virt_to_page(p);
			if (!r) {
				(*large_allocs)++;
				continue;
			}
			if (!pg || !PageFlag(pg, PG_slab) || pg->slab_cache != r->s)
				r->class_mismatch++;
			r->alloc_slow += slow;
		} else {
			char *p = slots[o.slot];
			struct page *pg = slab_virt_to_page(p);

			if (pg && PageFlag(pg, PG_slab)) {
				struct kmem_cache *s = pg->slab_cache;
				struct kmem_cache_cpu *c = this_cpu_slab(s);
				unsigned int ci = class_index(s->object_size);

				rows[ci].frees++;
				rows[ci].free_slow += !((unsigned long)p - c->base < s->slab_bytes &&
							 (void *)p != c->freelist);
			} else {
				(*large_frees)++;
			}
			kfree(p);
		}
	}
}

/* Bytes kmalloc holds: slabs of the kmalloc caches, and large kmalloc's pages. */
static unsigned long long kmalloc_footprint(void)
{
	unsigned long long bytes = kmalloc_large_stats.pages * PAGE_SIZE;

	for (unsigned int k = 0; k < NR_ROWS; k++) {
		struct slabinfo si;

		kmem_cache_get_info(rows[row_order[k]].s, &si);
		bytes += (unsigned long long)si.num_slabs * si.pagesperslab * PAGE_SIZE;
	}
	return bytes;
}

/* What each allocator holds, by its own statistics; 0 when unknown. */
static unsigned long long footprint(int a, const char **how)
{
	switch (a) {
	case A_GLIBC: {
		struct mallinfo2 (*mi2)(void) = dlsym(libc_h, "mallinfo2");
		struct mallinfo2 m;

		*how = "mallinfo2 arena+hblkhd";
		if (!mi2)
			return 0;
		m = mi2();
		return m.arena + m.hblkhd;
	}
	case A_JEMALLOC: {
		int (*ctl)(const char *, void *, size_t *, void *, size_t) =
			dlsym(je_h, "mallctl");
		uint64_t epoch = 1;
		size_t active = 0, len = sizeof(active), elen = sizeof(epoch);

		*how = "mallctl stats.active";
		if (!ctl || ctl("epoch", &epoch, &elen, &epoch, elen) ||
		    ctl("stats.active", &active, &len, NULL, 0))
			return 0;
		return active;
	}
	case A_MIMALLOC: {
		void (*info)(size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *,
			     size_t *) = dlsym(mi_h, "mi_process_info");
		size_t e, u, s, rss, prss, commit = 0, pcommit, pf;

		*how = "mi_process_info commit";
		if (!info)
			return 0;
		info(&e, &u, &s, &rss, &prss, &commit, &pcommit, &pf);
		return commit;
	}
	case A_KMALLOC:
		*how = "slabs + large pages";
		return kmalloc_footprint();
	}
	return 0;
}

static void memory_figures(const struct trace *t)
{
	unsigned long long req = 0, given = 0, peak_given = 0;
	unsigned long large_allocs = 0, large_frees = 0, slow_a = 0, slow_f = 0, frees = 0;
	struct kmalloc_large_stats l0 = kmalloc_large_stats;

	for (unsigned int k = 0; k < NR_ROWS; k++) {
		struct cache_row *r = &rows[row_order[k]];

		r->s = kmalloc_caches[KMALLOC_NORMAL][row_order[k]];
		kmem_cache_get_info(r->s, &r->before);
	}
	kmalloc_inspect(t, &large_allocs, &large_frees);
	printf("\nkmalloc caches on one replay of the trace (layout from kmem_cache_get_info; "
	       "slow = missed include/mm/slab.h's fast path):\n");
	printf("  %-12s %5s %4s %4s %5s %5s %6s %9s %12s %12s %6s %8s %8s\n", "cache", "slot",
	       "pad", "objs", "pages", "tail", "page/o", "calls", "requested", "given", "frag",
	       "slow-al", "slow-fr");
	for (unsigned int k = 0; k < NR_ROWS; k++) {
		struct cache_row *r = &rows[row_order[k]];
		struct slabinfo *si = &r->after;
		unsigned long calls, slab_bytes, tail;
		unsigned long long rq, gv;

		kmem_cache_get_info(r->s, si);
		calls = si->allocs - r->before.allocs;
		rq = si->requested - r->before.requested;
		gv = (unsigned long long)calls * si->object_size;
		slab_bytes = (unsigned long)si->pagesperslab * PAGE_SIZE;
		tail = slab_bytes - (unsigned long)si->objperslab * si->objsize;
		req += rq;
		given += gv;
		slow_a += r->alloc_slow;
		slow_f += r->free_slow;
		frees += r->frees;
		printf("  %-12s %5u %4u %4u %5u %5s %6s %9lu %12llu %12llu %5s%% %7s%% %7s%%\n",
		       si->name, si->objsize, si->objsize - si->object_size, si->objperslab,
		       si->pagesperslab, FX(tail, si->objperslab, 1),
		       FX(sizeof(struct page) * si->pagesperslab, si->objperslab, 1), calls, rq,
		       gv, FX((gv - rq) * 100, gv, 1), FX(r->alloc_slow * 100, calls, 1),
		       FX(r->free_slow * 100, r->frees, 1));
		if (r->class_mismatch)
			printf("  !! %lu allocations of %s came from another cache: class table "
			       "here is out of date\n", r->class_mismatch, si->name);
	}
	{
		unsigned long long lr = kmalloc_large_stats.requested - l0.requested;
		unsigned long long lg = kmalloc_large_stats.given - l0.given;

		printf("  %-12s %5s %4s %4s %5s %5s %6s %9lu %12llu %12llu %5s%%\n", "large (>8k)",
		       "-", "-", "-", "-", "-", "-", large_allocs, lr, lg,
		       FX((lg - lr) * 100, lg, 1));
		printf("  %-12s %5s %4s %4s %5s %5s %6s %9lu %12llu %12llu %5s%% %7s%% %7s%%\n",
		       "all slabs", "", "", "", "", "", "", t->n_allocs - large_allocs, req, given,
		       FX((given - req) * 100, given, 1), FX(slow_a * 100, t->n_allocs - large_allocs,
							      1), FX(slow_f * 100, frees, 1));
	}
	printf("  slot = bytes per object in the slab (class size: no header, no padding for "
	       "non-debug caches, pad = slot - class);\n"
	       "  tail = bytes per object lost at the end of each slab; page/o = struct page "
	       "bytes per object (mem_map\n"
	       "  exists for every page anyway: shared with the page allocator, 0 extra); frag = "
	       "(given - requested) / given.\n");

	/* Usable bytes and the footprint at the peak, for all four. */
	printf("\nall allocators on the trace: bytes usable in what was handed out against bytes "
	       "requested (%llu),\nand what each holds at the peak live set (%lu objects, %llu "
	       "bytes requested, op %lu of %lu):\n", t->requested, t->peak_live, t->peak_bytes,
	       t->peak_op, t->n_ops);
	printf("  %-9s %14s %7s %8s %14s %8s  %s\n", "allocator", "usable bytes", "frag",
	       "hdr/obj", "held at peak", "x live", "(held measured as)");
	for (int a = A_GLIBC; a <= A_KMALLOC; a++) {
		static const char *const hdr[] = { "8", "0", "0", "0" };
		const struct allocator *al = &allocators[a];
		unsigned long long usable = 0, held = 0;
		const char *how = "";

		for (unsigned long i = 0; i < t->n_ops; i++) {
			const struct op o = t->ops[i];

			if (o.size) {
				char *p = al->alloc(o.size);

				if (!p)
					replay_out_of_memory(al, i, o.size);
				*p = 1;
				usable += al->usable(p);
				slots[o.slot] = p;
			} else {
				al->free(slots[o.slot]);
			}
			if (i + 1 == t->peak_op) {
				held = footprint(a, &how);
				if (a == A_KMALLOC)
					peak_given = held;
			}
		}
		printf("  %-9s %14llu %6s%% %8s %14llu %7s  (%s)\n", al->name, usable,
		       FX((usable - t->requested) * 100, usable, 1), hdr[a], held,
		       FX(held, t->peak_bytes, 2), how);
	}
	(void)peak_given;
	printf("  frag = (usable - requested) / usable; hdr/obj: bytes of header per object "
	       "(glibc: the chunk's size word);\n"
	       "  held: each allocator's own statistic (glibc and mimalloc count free memory they "
	       "keep, jemalloc's active\n  pages do not count its dirty pages; kmalloc: pages of "
	       "its slabs, partial and empty ones included).\n");
}

/* ---- main ---- */

static int parse_allocator(const char *name)
{
	for (int a = 0; a < NR_ALLOCATORS; a++)
		if (!strncmp(allocators[a].name, name, strlen(name)) && *name)
			return a;
	fprintf(stderr, "kmalloc_vs_malloc: unknown allocator %s\n", name);
	exit(2);
}

static void usage(void)
{
	fprintf(stderr, "usage: kmalloc_vs_malloc [-n OPS] [-p PEAK] [-r REPS] [-s SEED] "
		"[-a glibc|jemalloc|mimalloc|kmalloc|null] [-M]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long n = 4000000, peak = 50000, reps = 7;
	uint64_t seed = 1;
	int only = -1, opt, mem = 1;
	unsigned long long ram;
	struct trace t;
	cpu_set_t cpu;

	while ((opt = getopt(argc, argv, "n:p:r:s:a:M")) != -1) {
		switch (opt) {
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 'p': peak = strtoul(optarg, NULL, 0); break;
		case 'r': reps = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'a': only = parse_allocator(optarg); break;
		case 'M': mem = 0; break;
		default: usage();
		}
	}
	if (optind != argc || reps < 1)
		usage();
	if (n < 1000 || peak < 100 || peak > n / 4) {
		fprintf(stderr, "kmalloc_vs_malloc: want -n of at least 1000 and a -p peak of 100 "
			"to a quarter of -n\n");
		return 2;
	}
	/* Stay on the CPU we started on: no migrations in the middle of a replay. */
	CPU_ZERO(&cpu);
	CPU_SET(sched_getcpu(), &cpu);
	sched_setaffinity(0, sizeof(cpu), &cpu);

	setup_libraries();
	make_trace(&t, n, peak, seed);
	slots = xmalloc(t.n_slots * sizeof(*slots));
	ram = 4 * t.peak_class_bytes + 64 * MiB;
	if (ram < 256 * MiB)
		ram = 256 * MiB;
	ram = (ram + 2 * MiB - 1) & ~(2 * MiB - 1);
	if (ram > (4ul << 30)) {
		fprintf(stderr, "kmalloc_vs_malloc: the trace needs %llu MiB of fake RAM, more than "
			"the 4 GiB this program sets up\n", ram / MiB);
		return 1;
	}
	boot(ram);

	printf("kmalloc vs malloc: one trace, seed %llu: %lu operations (%lu allocations, %llu "
	       "bytes), peak %lu live objects\n", (unsigned long long)seed, t.n_ops, t.n_allocs,
	       t.requested, t.peak_live);
	printf("  peak %llu bytes live requested, %llu class-rounded; fake RAM for kmalloc: "
	       "%llu MiB\n", t.peak_bytes, t.peak_class_bytes, ram / MiB);
	printf("  sizes by kmalloc class:");
	for (unsigned int k = 0; k < NR_ROWS; k++) {
		unsigned int i = row_order[k];
		unsigned int sz = i == 1 ? 96 : i == 2 ? 192 : 1u << i;

		printf(" %u%s:%s%%", sz >= 1024 ? sz >> 10 : sz, sz >= 1024 ? "k" : "",
		       FX(t.class_calls[i] * 100, t.n_allocs, 1));
	}
	printf(" >8k:%s%%\n", FX(t.class_calls[KMALLOC_SHIFT_HIGH + 1] * 100, t.n_allocs, 2));

	if (only >= 0) {	/* for callgrind and perf: one allocator, nothing else */
		unsigned long long t0 = now_ns();

		replay(&allocators[only], t.ops, 0, t.n_ops);	/* warm-up */
		for (unsigned long r = 1; r < reps; r++)
			replay_counted(&allocators[only], &t);
		printf("%s: %lu replays in %llu ms\n", allocators[only].name, reps,
		       (now_ns() - t0) / 1000000);
		if (only == A_KMALLOC && kmem_cache_check_all() != 0)
			return 1;
		return 0;
	}

	for (int a = 0; a < NR_ALLOCATORS; a++)
		allocators[a].best_ns = ~0ull;
	for (unsigned long r = 0; r < reps; r++) {
		for (int k = 0; k < NR_ALLOCATORS; k++) {
			struct allocator *a = &allocators[(k + r) % NR_ALLOCATORS];
			unsigned long long t0 = now_ns(), dt;

			replay(a, t.ops, 0, t.n_ops);
			dt = now_ns() - t0;
			if (dt < a->best_ns)
				a->best_ns = dt;
			if (dt > a->worst_ns)
				a->worst_ns = dt;
		}
	}
	if (kmem_cache_check_all() != 0) {
		fprintf(stderr, "kmalloc_vs_malloc: slab state wrong after the replays\n");
		return 1;
	}

	printf("\ntime per operation (alloc or free, replay loop included), best of %lu "
	       "repetitions; spread = worst / best:\n", reps);
	printf("  %-11s %8s %8s %9s %11s %7s  %s\n", "allocator", "ns/op", "net", "vs glibc",
	       "vs mimalloc", "spread", "target");
	{
		unsigned long long g = allocators[A_GLIBC].best_ns;
		unsigned long long m = allocators[A_MIMALLOC].best_ns;
		unsigned long long z = allocators[A_NULL].best_ns;

		for (int a = 0; a < NR_ALLOCATORS; a++) {
			const struct allocator *al = &allocators[a];
			unsigned long long b = al->best_ns;
			const char *verdict = "";

			if (a == A_KMALLOC)
				verdict = b <= g && b * 2 <= m * 3 ? "PASS (<= glibc, <= 1.5x mimalloc)"
				    : b > g && b * 2 > m * 3 ? "MISS (slower than glibc, > 1.5x mimalloc)"
				    : b > g ? "MISS (slower than glibc; <= 1.5x mimalloc)"
					    : "MISS (> 1.5x mimalloc; <= glibc)";
			char vg[32] = "-", vm[32] = "-";

			if (a != A_NULL) {
				snprintf(vg, sizeof(vg), "%sx", FX(b, g, 2));
				snprintf(vm, sizeof(vm), "%sx", FX(b, m, 2));
			}
			printf("  %-11s %8s %8s %9s %11s %6sx  %s\n", al->name,
			       FX(b, t.n_ops, 2), a == A_NULL ? "-" : FX(b > z ? b - z : 0, t.n_ops, 2),
			       vg, vm, FX(al->worst_ns, b, 2), verdict);
		}
	}
	printf("  net = ns/op less the null allocator's (the loop, the calls, the first-byte "
	       "write); ratios are on ns/op.\n");
	if (mem)
		memory_figures(&t);
	if (kmem_cache_check_all() != 0) {
		fprintf(stderr, "kmalloc_vs_malloc: slab state wrong after the memory pass\n");
		return 1;
	}
	return 0;
}

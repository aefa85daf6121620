/*
 * The slab allocator's common operations, counted in instructions by scripts/bench-slab under
 * callgrind. Usage: slab_bench SHAPE N, which runs N alloc+free pairs of SHAPE:
 *   cache        kmem_cache_alloc + kmem_cache_free of a 117-byte object (the course's struct
 *                foo) on a warm cache: this CPU's freelist, both ways (the fast path);
 *   kmalloc      kmalloc(100) + kfree: the same, plus the size class and the page lookup;
 *   debug        the 117-byte cache with SLAB_DEBUG: the slow path, checks and all;
 *   refill       256 allocations then 256 frees of the 117-byte cache per 256 pairs, so slabs
 *                are filled, retired to the full list, emptied and taken again;
 *   large        kmalloc(10000) + kfree: a block of 4 pages from the buddy allocator.
 * The loop is run_pairs(), out of line, so the script can count the whole loop or only the
 * allocator's own functions; it subtracts a run with N = 0, so setup cancels out. Built like
 * tests/host (HOSTED_TEST) but at -O2 without sanitizers; not part of the Criterion binary.
 * The fake machine (tests/host/fake_machine.c): RAM at [1 MiB, 256 MiB).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/percpu.h>
#include <mm/mmzone.h>
#include <mm/slab.h>

#include "fake_machine.h"

#define MiB (1ul << 20)
#define BATCH 256

static void boot(void)
{
	static const struct fake_range ram[] = { { MiB, 256 * MiB } };

	fake_machine_boot(ram, 1);
	kmem_cache_init();
}

static void *objs[BATCH];

static __attribute__((noinline)) void run_pairs(long n, struct kmem_cache *s, size_t kmalloc_size)
{
	for (long i = 0; i < n; i++) {
		if (s) {
			void *p = kmem_cache_alloc(s, GFP_KERNEL);

			kmem_cache_free(s, p);
		} else {
			void *p = kmalloc(kmalloc_size, GFP_KERNEL);

			kfree(p);
		}
	}
}

static __attribute__((noinline)) void run_batches(long n, struct kmem_cache *s)
{
	for (long i = 0; i < n; i += BATCH) {
		for (int j = 0; j < BATCH; j++)
			objs[j] = kmem_cache_alloc(s, GFP_KERNEL);
		for (int j = 0; j < BATCH; j++)
			kmem_cache_free(s, objs[j]);
	}
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : -1;
	struct kmem_cache *foo, *dbg;

	if (argc != 3 || n < 0) {
		fprintf(stderr, "usage: slab_bench cache|kmalloc|debug|refill|large N\n");
		return 2;
	}
	boot();
	foo = kmem_cache_create("foo", 117, 0, 0, NULL);
	dbg = kmem_cache_create("foo-debug", 117, 0, SLAB_DEBUG, NULL);
	/* Warm up: the first allocations take a slab from the buddy allocator. */
	kmem_cache_free(foo, kmem_cache_alloc(foo, GFP_KERNEL));
	kmem_cache_free(dbg, kmem_cache_alloc(dbg, GFP_KERNEL));
	kfree(kmalloc(100, GFP_KERNEL));
	if (!strcmp(argv[1], "cache"))
		run_pairs(n, foo, 0);
	else if (!strcmp(argv[1], "kmalloc"))
		run_pairs(n, NULL, 100);
	else if (!strcmp(argv[1], "debug"))
		run_pairs(n, dbg, 0);
	else if (!strcmp(argv[1], "refill"))
		run_batches(n, foo);
	else if (!strcmp(argv[1], "large"))
		run_pairs(n, NULL, 10000);
	else {
		fprintf(stderr, "slab_bench: unknown shape %s\n", argv[1]);
		return 2;
	}
	if (kmem_cache_check_all() != 0) {
		fprintf(stderr, "slab_bench: allocator state wrong after the loop\n");
		return 1;
	}
	return 0;
}

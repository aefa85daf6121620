/*
 * The page allocator's common operations, counted in instructions by scripts/bench-page-alloc
 * under callgrind. Usage: page_alloc_bench SHAPE N, which runs N alloc+free pairs of SHAPE:
 *   order0       alloc_page(GFP_KERNEL) + __free_page: the per-CPU list fast path both ways;
 *   order3       alloc_pages(GFP_KERNEL, 3) + __free_pages: under zone->lock; the smallest
 *                free block is order 4, so the alloc splits once and the free merges once;
 *   order3-deep  the same when the smallest free block is order 10: 7 splits, 7 merges.
 * The loop is run_pairs(), out of line, so the script can count either the whole loop
 * (callgrind --toggle-collect=run_pairs) or only the allocator's own instructions
 * (--toggle-collect=alloc_pages --toggle-collect=__free_pages); it subtracts a run with
 * N = 0 so setup cancels out. Built like tests/host (HOSTED_TEST) but at -O2 without
 * sanitizers; not part of the Criterion binary.
 *
 * The fake machine (tests/host/fake_machine.c): RAM at [1 MiB, 256 MiB) and [4 GiB, 4 GiB + 256 MiB), so GFP_KERNEL is
 * served by the Normal zone, whose free memory starts as order-10 blocks only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/percpu.h>
#include <mm/mmzone.h>

#include "fake_machine.h"

#define MiB (1ul << 20)
#define GiB (1ul << 30)

static void boot(void)
{
	static const struct fake_range ram[] = {
		{ MiB, 256 * MiB }, { 4 * GiB, 4 * GiB + 256 * MiB },
	};

	fake_machine_boot(ram, 2);
}

static __attribute__((noinline)) void run_pairs(long n, unsigned int order)
{
	for (long i = 0; i < n; i++) {
		struct page *p = alloc_pages(GFP_KERNEL, order);

		__free_pages(p, order);
	}
}

/* The smallest free block of at least @order in the Normal zone. */
static int smallest_free(unsigned int order)
{
	for (int o = (int)order; o < MAX_ORDER; o++)
		if (zones[ZONE_NORMAL].free_area[o].nr_free)
			return o;
	return -1;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : -1;
	struct page *keep[2];

	if (argc != 3 || n < 0) {
		fprintf(stderr, "usage: page_alloc_bench order0|order3|order3-deep N\n");
		return 2;
	}
	boot();
	if (!strcmp(argv[1], "order0")) {
		/* Warm up: the first allocation fills this CPU's list from the buddy lists. */
		__free_page(alloc_page(GFP_KERNEL));
		run_pairs(n, 0);
	} else if (!strcmp(argv[1], "order3")) {
		/* Two order-3 buddies stay allocated: the smallest free block is then order 4. */
		keep[0] = alloc_pages(GFP_KERNEL, 3);
		keep[1] = alloc_pages(GFP_KERNEL, 3);
		if (!keep[0] || !keep[1] || smallest_free(3) != 4) {
			fprintf(stderr, "page_alloc_bench: order3 setup: smallest free block %d\n",
				smallest_free(3));
			return 1;
		}
		run_pairs(n, 3);
		__free_pages(keep[1], 3);
		__free_pages(keep[0], 3);
	} else if (!strcmp(argv[1], "order3-deep")) {
		if (smallest_free(3) != MAX_ORDER - 1) {
			fprintf(stderr, "page_alloc_bench: a free block below order 10\n");
			return 1;
		}
		run_pairs(n, 3);
	} else {
		fprintf(stderr, "page_alloc_bench: unknown shape %s\n", argv[1]);
		return 2;
	}
	drain_all_pages();
	if (page_alloc_check() != 0 || nr_free_pages() != totalram_pages()) {
		fprintf(stderr, "page_alloc_bench: allocator state wrong after the loop\n");
		return 1;
	}
	return 0;
}

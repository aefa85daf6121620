/*
 * The fake machine the host tests and the host benchmarks run the memory manager on:
 * "physical memory" is one anonymous MAP_NORESERVE mapping (host_phys_base, so __va works),
 * mem_map another, and usable RAM handed over as mm_init does it (zones_init, then
 * account_present_pages and free_pages_core per range, then setup_zone_watermarks).
 * This file and fake_machine.c own host_phys_base and cpus[]. No Criterion here: the
 * benchmarks (tests/bench, built by scripts/bench-*) link it without the test framework.
 */
#ifndef TESTS_HOST_FAKE_MACHINE_H
#define TESTS_HOST_FAKE_MACHINE_H

#include <stddef.h>
#include <stdint.h>

struct fake_range {
	uint64_t start, end;	/* bytes of usable RAM; partial pages at the edges stay reserved */
};

/*
 * Map RAM and mem_map up to the page holding the highest range end, then hand the ranges
 * over in the order given and set the watermarks. Exits the process if mmap fails.
 */
void fake_machine_boot(const struct fake_range *ranges, size_t n);

/* Unmap what fake_machine_boot mapped (if anything) and clear host_phys_base and mem_map. */
void fake_machine_teardown(void);

#endif

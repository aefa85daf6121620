/* The fake machine of the host tests and benchmarks: see fake_machine.h. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <kernel/percpu.h>
#include <mm/mmzone.h>

#include "fake_machine.h"

/* The fake machine's RAM (see layout.h) and the per-CPU area this_cpu() reads. */
char *host_phys_base;
struct cpu cpus[NR_CPUS];

static size_t phys_bytes, map_bytes;

void fake_machine_boot(const struct fake_range *ranges, size_t n)
{
	uint64_t top = 0;
	unsigned long end_pfn;

	for (size_t i = 0; i < n; i++)
		top = ranges[i].end > top ? ranges[i].end : top;
	end_pfn = PFN_DOWN(top);

	phys_bytes = end_pfn << PAGE_SHIFT;
	map_bytes = end_pfn * sizeof(struct page);
	host_phys_base = mmap(NULL, phys_bytes, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	mem_map = mmap(NULL, map_bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (host_phys_base == MAP_FAILED || mem_map == MAP_FAILED) {
		perror("fake_machine: mmap");
		exit(1);
	}
	zones_init(end_pfn);
	for (size_t i = 0; i < n; i++) {
		unsigned long s = PFN_UP(ranges[i].start), e = PFN_DOWN(ranges[i].end);

		if (s < e) {
			account_present_pages(s, e);
			free_pages_core(s, e);
		}
	}
	setup_zone_watermarks();
}

void fake_machine_teardown(void)
{
	if (host_phys_base && host_phys_base != MAP_FAILED)
		munmap(host_phys_base, phys_bytes);
	if (mem_map && mem_map != MAP_FAILED)
		munmap(mem_map, map_bytes);
	host_phys_base = NULL;
	mem_map = NULL;
}

/*
 * memblock: the boot-time physical memory allocator (mm/memblock.c), as in Linux.
 *
 * Two sorted tables of physical ranges: "memory" (RAM the firmware reported usable) and
 * "reserved" (ranges in use or never to be used: the low 1 MiB, the kernel image, the
 * multiboot2 information, modules, and everything memblock_phys_alloc() handed out).
 * Free memory is memory minus reserved. The buddy allocator takes over the free ranges
 * once it is up; until then, page tables and the struct page array come from here.
 * docs/memory.md walks through it with a real boot log.
 *
 * All addresses are physical, in bytes; a range is [base, base + size). Not thread-safe:
 * it runs before the other CPUs and interrupts are up.
 */
#ifndef MM_MEMBLOCK_H
#define MM_MEMBLOCK_H

#include <kernel/bootinfo.h>
#include <kernel/compiler.h>

#define MEMBLOCK_MAX_REGIONS	128		/* per type; the boot map has at most 128 entries */
#define MEMBLOCK_ALLOC_ANYWHERE	UINT64_MAX	/* current_limit: no limit */
#define MEMBLOCK_LOW_LIMIT	0x100000ull	/* memblock_phys_alloc() stays above 1 MiB */

struct memblock_region {
	uint64_t base;		/* bytes */
	uint64_t size;		/* bytes, never 0 */
};

/*
 * One table. Invariant after every call: regions[0 .. cnt) are sorted by base, non-empty,
 * and neither overlap nor touch (touching ranges are merged into one), and cnt <= max.
 */
struct memblock_type {
	unsigned long cnt;
	unsigned long max;	/* slots in regions[] */
	struct memblock_region *regions;
	const char *name;	/* "memory" or "reserved", for memblock_dump() */
};

struct memblock {
	struct memblock_type memory;
	struct memblock_type reserved;
	uint64_t current_limit;	/* allocations end below it; MEMBLOCK_ALLOC_ANYWHERE: none */
};

extern struct memblock memblock;

/*
 * Changing the tables. A size of 0 does nothing; a range that would run past 2^64 is clipped
 * to end at UINT64_MAX. Return 0, or -ENOMEM (logged with pr_err) when the result needs more
 * than max regions: the call then changes nothing.
 */
int memblock_add(uint64_t base, uint64_t size);
int memblock_remove(uint64_t base, uint64_t size);
int memblock_reserve(uint64_t base, uint64_t size);
int memblock_phys_free(uint64_t base, uint64_t size);	/* un-reserve */

/* memblock_reserve() that also logs "memblock: reserved [mem a-b] @name" at KERN_INFO. */
int memblock_reserve_named(uint64_t base, uint64_t size, const char *name);

/*
 * Finds @size free bytes aligned to @align (a power of two) inside [@start, @end) and below
 * current_limit, the highest such address first (top-down, as in Linux, so that low memory
 * stays for whoever needs it: DMA, the AP trampoline), reserves them and returns their
 * address. Returns 0 with a pr_warn when there is no room, or @size is 0, or @align is not a
 * power of two. The memory is not cleared and not mapped: the caller uses __va() if the
 * direct map covers it.
 */
uint64_t memblock_phys_alloc_range(uint64_t size, uint64_t align, uint64_t start, uint64_t end);

/* The same over [MEMBLOCK_LOW_LIMIT, current_limit): so 0 is never a valid result. */
uint64_t memblock_phys_alloc(uint64_t size, uint64_t align);

/* Allocations end below @limit from now on (e.g. the end of the early direct map). */
void memblock_set_current_limit(uint64_t limit);

/*
 * Iterating over the free ranges (memory minus reserved), in address order, each maximal.
 * *@cursor is an address: start it at 0. Each call stores in [*@start, *@end) the first free
 * range that ends above *@cursor (clipped to start at *@cursor), moves *@cursor to *@end and
 * returns true; it returns false when there is none left. Because the cursor is an address,
 * not an index, the loop body may reserve or free memory: later ranges then reflect it.
 *
 *	uint64_t cursor, start, end;
 *
 *	for_each_free_mem_range(cursor, start, end)
 *		pr_info("free [mem %#llx-%#llx]\n", start, end - 1);
 */
bool memblock_next_free_range(uint64_t *cursor, uint64_t *start, uint64_t *end);

#define for_each_free_mem_range(cursor, start, end) \
	for ((cursor) = 0; memblock_next_free_range(&(cursor), &(start), &(end));)

/* Sums, in bytes. reserved_size counts only reserved bytes that are also memory. */
uint64_t memblock_phys_mem_size(void);
uint64_t memblock_reserved_size(void);

/* The lowest memory address and the end (exclusive) of the highest; 0 with no memory. */
uint64_t memblock_start_of_DRAM(void);
uint64_t memblock_end_of_DRAM(void);

bool memblock_is_memory(uint64_t addr);
bool memblock_is_reserved(uint64_t addr);

/* Both tables, at KERN_INFO, in the format of Linux's memblock=debug. */
void memblock_dump(void);

/*
 * Builds the tables from the boot loader's map (@n entries of @map, in any order, possibly
 * overlapping): usable entries shrunk inward to whole pages are memory, every other entry
 * grown outward to whole pages is taken out of it, so reserved wins over usable whatever the
 * order. Then reserves the low 1 MiB and logs a summary. Empties both tables first.
 */
void memblock_init_from_map(const struct mem_region *map, unsigned int n);

/* Empties both tables and lifts current_limit (memblock_init_from_map() and tests). */
void memblock_reset(void);

#endif

/*
 * Host unit tests of mm/memblock.c (Criterion, ASan/UBSan).
 *
 * Hand-written cases pin the table operations in every overlap configuration (disjoint,
 * touching, overlapping one side, inside, covering, bridging several), zero sizes and ranges
 * wrapping past 2^64, table overflow (-ENOMEM, nothing changed), building the tables from
 * QEMU's real e820 maps (BIOS 128 MiB and 6 GiB with memory above 4 GiB) and from hostile
 * maps (unsorted, overlapping, tiny, zero-length, unaligned), top-down allocation with its
 * alignment and limits, free-range iteration, the queries and the log formats.
 *
 * Two randomized tests compare with a reference model written differently from the code: a
 * byte map ("is this byte memory / reserved?") over a small window of the address space, and
 * a page map for memblock_init_from_map(). The table invariants (sorted, non-empty, not
 * overlapping, not touching, cnt <= max) are checked after every step, and the tables must
 * equal the runs of the byte map exactly, which also proves that touching regions merge.
 * Seed: TEST_SEED or the clock, printed and put in every failure message; TEST_ITERS sets the
 * number of random steps (default 30000), as in the other host tests.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/errno.h>
#include <mm/memblock.h>

#include "printk_stub.h"
#include "rng.h"

#define KiB 1024ull
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)
#define PG 4096ull

static void setup(void)
{
	memblock_reset();
	memblock.memory.max = MEMBLOCK_MAX_REGIONS;
	memblock.reserved.max = MEMBLOCK_MAX_REGIONS;
	printk_capture_reset();
}

TestSuite(memblock, .init = setup);

/* ---- helpers ---- */

struct range {
	uint64_t base, end;	/* [base, end) */
};

/* The invariant every table keeps after every call (include/mm/memblock.h). */
static void check_type(const struct memblock_type *t, const char *where)
{
	unsigned long i;

	cr_assert_leq(t->cnt, t->max, "%s: %s.cnt %lu > max %lu", where, t->name, t->cnt, t->max);
	for (i = 0; i < t->cnt; i++) {
		const struct memblock_region *r = &t->regions[i];

		cr_assert_neq(r->size, 0, "%s: %s[%lu] is empty", where, t->name, i);
		cr_assert_leq(r->size, UINT64_MAX - r->base, "%s: %s[%lu] wraps", where, t->name,
			      i);
		if (i > 0) {
			const struct memblock_region *p = &t->regions[i - 1];

			cr_assert_gt(r->base, p->base + p->size,
				     "%s: %s[%lu] at %#lx overlaps or touches [%lu] ending %#lx",
				     where, t->name, i, r->base, i - 1, p->base + p->size);
		}
	}
}

static void check_invariants(const char *where)
{
	check_type(&memblock.memory, where);
	check_type(&memblock.reserved, where);
}

static void expect_ranges(const struct memblock_type *t, const struct range *want, unsigned long n,
			  const char *where)
{
	unsigned long i;

	check_type(t, where);
	cr_assert_eq(t->cnt, n, "%s: %s.cnt %lu, want %lu", where, t->name, t->cnt, n);
	for (i = 0; i < n; i++)
		cr_assert(t->regions[i].base == want[i].base &&
				  t->regions[i].base + t->regions[i].size == want[i].end,
			  "%s: %s[%lu] = [%#lx-%#lx), want [%#lx-%#lx)", where, t->name, i,
			  t->regions[i].base, t->regions[i].base + t->regions[i].size, want[i].base,
			  want[i].end);
}

#define R(b, e) ((struct range){ (b), (e) })
#define EXPECT(type, where, ...)                                                                  \
	expect_ranges(&memblock.type, (const struct range[]){ __VA_ARGS__ },                      \
		      sizeof((const struct range[]){ __VA_ARGS__ }) / sizeof(struct range), where)
#define EXPECT_EMPTY(type, where) expect_ranges(&memblock.type, NULL, 0, where)

/* Sets memory to exactly the given ranges (which must be sorted and apart). */
static void set_memory(const struct range *r, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		cr_assert_eq(memblock_add(r[i].base, r[i].end - r[i].base), 0);
}

/* ---- memblock_add: merging ---- */

/* The starting table for the overlap cases: [0x10000-0x20000) and [0x40000-0x50000). */
static void two_regions(void)
{
	set_memory((const struct range[]){ R(0x10000, 0x20000), R(0x40000, 0x50000) }, 2);
}

Test(memblock, add_to_empty)
{
	cr_assert_eq(memblock_add(0x1000, 0x2000), 0);
	EXPECT(memory, "add", R(0x1000, 0x3000));
	EXPECT_EMPTY(reserved, "add");
}

Test(memblock, add_disjoint_keeps_order)
{
	two_regions();
	cr_assert_eq(memblock_add(0x30000, 0x1000), 0);	/* between */
	cr_assert_eq(memblock_add(0x1000, 0x1000), 0);		/* before all */
	cr_assert_eq(memblock_add(0x60000, 0x1000), 0);	/* after all */
	EXPECT(memory, "disjoint", R(0x1000, 0x2000), R(0x10000, 0x20000), R(0x30000, 0x31000),
	       R(0x40000, 0x50000), R(0x60000, 0x61000));
}

Test(memblock, add_touching_merges)
{
	two_regions();
	cr_assert_eq(memblock_add(0xf000, 0x1000), 0);		/* touches [0] on the left */
	EXPECT(memory, "left", R(0xf000, 0x20000), R(0x40000, 0x50000));
	cr_assert_eq(memblock_add(0x50000, 0x1000), 0);	/* touches [1] on the right */
	EXPECT(memory, "right", R(0xf000, 0x20000), R(0x40000, 0x51000));
	cr_assert_eq(memblock_add(0x20000, 0x20000), 0);	/* fills the gap exactly */
	EXPECT(memory, "bridge", R(0xf000, 0x51000));
}

Test(memblock, add_overlapping_one_side)
{
	two_regions();
	cr_assert_eq(memblock_add(0x8000, 0x10000), 0);	/* over [0]'s start */
	EXPECT(memory, "start", R(0x8000, 0x20000), R(0x40000, 0x50000));
	cr_assert_eq(memblock_add(0x48000, 0x10000), 0);	/* over [1]'s end */
	EXPECT(memory, "end", R(0x8000, 0x20000), R(0x40000, 0x58000));
}

Test(memblock, add_inside_or_equal_changes_nothing)
{
	two_regions();
	cr_assert_eq(memblock_add(0x11000, 0x1000), 0);
	cr_assert_eq(memblock_add(0x10000, 0x10000), 0);
	cr_assert_eq(memblock_add(0x40000, 1), 0);
	cr_assert_eq(memblock_add(0x4ffff, 1), 0);
	EXPECT(memory, "inside", R(0x10000, 0x20000), R(0x40000, 0x50000));
}

Test(memblock, add_covering_several)
{
	two_regions();
	cr_assert_eq(memblock_add(0x30000, 0x1000), 0);
	cr_assert_eq(memblock_add(0x8000, 0x50000), 0);	/* covers all three, and more */
	EXPECT(memory, "cover", R(0x8000, 0x58000));
}

Test(memblock, add_overlapping_two_partially)
{
	two_regions();
	cr_assert_eq(memblock_add(0x18000, 0x30000), 0);
	EXPECT(memory, "partial", R(0x10000, 0x50000));
}

Test(memblock, add_byte_granular)
{
	/* Nothing in memblock itself is page based; only init rounds. */
	cr_assert_eq(memblock_add(5, 3), 0);
	cr_assert_eq(memblock_add(8, 1), 0);
	cr_assert_eq(memblock_add(10, 1), 0);
	EXPECT(memory, "bytes", R(5, 9), R(10, 11));
	cr_assert_eq(memblock_add(9, 1), 0);
	EXPECT(memory, "bytes", R(5, 11));
}

Test(memblock, zero_size_is_ignored)
{
	two_regions();
	cr_assert_eq(memblock_add(0x30000, 0), 0);
	cr_assert_eq(memblock_remove(0x10000, 0), 0);
	cr_assert_eq(memblock_reserve(0x30000, 0), 0);
	cr_assert_eq(memblock_phys_free(0x30000, 0), 0);
	cr_assert_eq(memblock_reserve_named(0x30000, 0, "nothing"), 0);
	EXPECT(memory, "zero", R(0x10000, 0x20000), R(0x40000, 0x50000));
	EXPECT_EMPTY(reserved, "zero");
	cr_assert_eq(printk_count(6), 0, "a zero-size named reservation is not logged");
}

Test(memblock, wrapping_range_is_clipped)
{
	uint64_t top = UINT64_MAX - 0xfff;	/* 0xffff_ffff_ffff_f000 */

	cr_assert_eq(memblock_add(top, 0x2000), 0);
	EXPECT(memory, "wrap", R(top, UINT64_MAX));
	cr_assert_eq(memblock_add(UINT64_MAX, 10), 0);	/* nothing left after clipping */
	cr_assert_eq(memblock_add(0x1000, UINT64_MAX), 0);	/* up to the end of everything */
	EXPECT(memory, "all", R(0x1000, UINT64_MAX));
	cr_assert_eq(memblock_remove(0x10000, UINT64_MAX), 0);
	EXPECT(memory, "cut", R(0x1000, 0x10000));
	cr_assert_eq(memblock_end_of_DRAM(), 0x10000);
}

/* ---- memblock_remove: trimming and splitting ---- */

Test(memblock, remove_not_overlapping_changes_nothing)
{
	two_regions();
	cr_assert_eq(memblock_remove(0x20000, 0x20000), 0);	/* the gap, touching both */
	cr_assert_eq(memblock_remove(0, 0x10000), 0);
	cr_assert_eq(memblock_remove(0x50000, 0x10000), 0);
	EXPECT(memory, "gap", R(0x10000, 0x20000), R(0x40000, 0x50000));
}

Test(memblock, remove_exact_region)
{
	two_regions();
	cr_assert_eq(memblock_remove(0x10000, 0x10000), 0);
	EXPECT(memory, "exact", R(0x40000, 0x50000));
	cr_assert_eq(memblock_remove(0x40000, 0x10000), 0);
	EXPECT_EMPTY(memory, "exact");
	cr_assert_eq(memblock_start_of_DRAM(), 0);
	cr_assert_eq(memblock_end_of_DRAM(), 0);
}

Test(memblock, remove_trims_either_side)
{
	two_regions();
	cr_assert_eq(memblock_remove(0x8000, 0x9000), 0);	/* over [0]'s start */
	cr_assert_eq(memblock_remove(0x4f000, 0x9000), 0);	/* over [1]'s end */
	EXPECT(memory, "trim", R(0x11000, 0x20000), R(0x40000, 0x4f000));
	cr_assert_eq(memblock_remove(0x11000, 0x1000), 0);	/* flush with the start */
	cr_assert_eq(memblock_remove(0x4e000, 0x1000), 0);	/* flush with the end */
	EXPECT(memory, "flush", R(0x12000, 0x20000), R(0x40000, 0x4e000));
}

Test(memblock, remove_middle_splits)
{
	two_regions();
	cr_assert_eq(memblock_remove(0x14000, 0x1000), 0);
	EXPECT(memory, "split", R(0x10000, 0x14000), R(0x15000, 0x20000), R(0x40000, 0x50000));
}

Test(memblock, remove_across_several)
{
	two_regions();
	cr_assert_eq(memblock_add(0x30000, 0x1000), 0);
	/* The tail of [0], all of [1], the head of [2]. */
	cr_assert_eq(memblock_remove(0x18000, 0x30000), 0);
	EXPECT(memory, "across", R(0x10000, 0x18000), R(0x48000, 0x50000));
	cr_assert_eq(memblock_remove(0, UINT64_MAX), 0);
	EXPECT_EMPTY(memory, "all");
}

/* ---- reserved works the same way, independently of memory ---- */

Test(memblock, reserve_and_free)
{
	two_regions();
	cr_assert_eq(memblock_reserve(0x1000, 0x1000), 0);	/* outside memory is allowed */
	cr_assert_eq(memblock_reserve(0x12000, 0x2000), 0);
	cr_assert_eq(memblock_reserve(0x14000, 0x1000), 0);	/* touches: merges */
	EXPECT(reserved, "reserve", R(0x1000, 0x2000), R(0x12000, 0x15000));
	cr_assert_eq(memblock_phys_free(0x13000, 0x1000), 0);	/* splits */
	EXPECT(reserved, "free", R(0x1000, 0x2000), R(0x12000, 0x13000), R(0x14000, 0x15000));
	EXPECT(memory, "untouched", R(0x10000, 0x20000), R(0x40000, 0x50000));
	cr_assert_eq(memblock_reserved_size(), 0x2000, "only reserved bytes inside memory count");
	cr_assert(memblock_is_reserved(0x1000) && memblock_is_reserved(0x12fff));
	cr_assert(!memblock_is_reserved(0x13000) && !memblock_is_reserved(0x15000));
}

Test(memblock, reserve_named_logs_what_it_is_for)
{
	cr_assert_eq(memblock_reserve_named(0x200000, 0x123456, "kernel image"), 0);
	cr_assert_str_eq(printk_captured(),
			 "memblock: reserved [mem 0x0000000000200000-0x0000000000323455] "
			 "kernel image\n");
	cr_assert_eq(printk_count(6), 1, "at KERN_INFO");
	printk_capture_reset();
	cr_assert_eq(memblock_reserve(0x400000, 0x1000), 0);
	cr_assert_str_eq(printk_captured(), "", "plain memblock_reserve logs nothing");
	EXPECT(reserved, "named", R(0x200000, 0x323456), R(0x400000, 0x401000));
}

/* ---- overflow: reported, nothing changed, never a crash ---- */

static void fill_memory_table(void)
{
	unsigned long i;

	for (i = 0; i < MEMBLOCK_MAX_REGIONS; i++)
		cr_assert_eq(memblock_add(0x100000 + i * 0x2000, 0x1000), 0);
	cr_assert_eq(memblock.memory.cnt, MEMBLOCK_MAX_REGIONS);
}

Test(memblock, overflow_on_add_is_reported_and_dropped)
{
	struct memblock_region before[MEMBLOCK_MAX_REGIONS];

	fill_memory_table();
	memcpy(before, memblock.memory.regions, sizeof(before));
	cr_assert_eq(memblock_add(0x10000, 0x1000), -ENOMEM);
	cr_assert_eq(memblock_add(UINT64_MAX - 0x10000, 0x1000), -ENOMEM);
	cr_assert_eq(printk_count(3), 2, "each overflow is a pr_err");
	cr_assert_not_null(strstr(printk_captured(), "memory table full (128 regions): "
						     "[mem 0x0000000000010000-0x0000000000010fff] "
						     "not added"),
			   "log: %s", printk_captured());
	cr_assert_eq(memblock.memory.cnt, MEMBLOCK_MAX_REGIONS);
	cr_assert(!memcmp(before, memblock.memory.regions, sizeof(before)), "table changed");

	/* What needs no new slot still works: merging, and filling a gap (one fewer). */
	cr_assert_eq(memblock_add(0x101000, 0x800), 0);
	cr_assert_eq(memblock_add(0x101800, 0x800), 0);
	cr_assert_eq(memblock.memory.cnt, MEMBLOCK_MAX_REGIONS - 1);
	cr_assert_eq(memblock_add(0x10000, 0x1000), 0, "the freed slot is usable");
	check_invariants("overflow");
}

Test(memblock, overflow_on_split_is_reported_and_dropped)
{
	struct memblock_region before[MEMBLOCK_MAX_REGIONS];

	fill_memory_table();
	memcpy(before, memblock.memory.regions, sizeof(before));
	cr_assert_eq(memblock_remove(0x100400, 0x100), -ENOMEM);
	cr_assert_eq(printk_count(3), 1);
	cr_assert_not_null(strstr(printk_captured(), "not removed"));
	cr_assert(!memcmp(before, memblock.memory.regions, sizeof(before)), "table changed");
	cr_assert_eq(memblock_remove(0x100000, 0x400), 0, "a trim needs no slot");
	cr_assert_eq(memblock_remove(0x102000, 0x1000), 0, "a deletion needs no slot");
	cr_assert_eq(memblock.memory.cnt, MEMBLOCK_MAX_REGIONS - 1);
	check_invariants("split");
}

Test(memblock, overflow_of_reserved_on_alloc_returns_0)
{
	unsigned long i;

	cr_assert_eq(memblock_add(0x100000, 0x1000000), 0);
	for (i = 0; i < MEMBLOCK_MAX_REGIONS; i++)
		cr_assert_eq(memblock_reserve(0x100000 + i * 0x2000, 0x1000), 0);
	/* The top of memory is free but reserving it would need a 129th region. */
	cr_assert_eq(memblock_phys_alloc(0x1000, 0x1000), 0);
	cr_assert_eq(printk_count(3), 1);
	/* Next to an existing reservation it merges, so it fits. */
	cr_assert_eq(memblock_phys_alloc_range(0x1000, 0x1000, 0, 0x102000), 0x101000);
	check_invariants("alloc overflow");
}

/* ---- building from the boot loader's map ---- */

static void init_map(const struct mem_region *map, unsigned int n)
{
	memblock_init_from_map(map, n);
	check_invariants("init");
	for (unsigned long i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];

		cr_assert(r->base % PG == 0 && r->size % PG == 0, "memory[%lu] not in pages", i);
	}
}

/* QEMU 'pc' with SeaBIOS and -m 128, as GRUB passes it on. */
static const struct mem_region qemu_bios_128m[] = {
	{ 0x0, 0x9fc00, MEM_USABLE },
	{ 0x9fc00, 0x400, MEM_RESERVED },
	{ 0xf0000, 0x10000, MEM_RESERVED },
	{ 0x100000, 0x7ee0000, MEM_USABLE },
	{ 0x7fe0000, 0x20000, MEM_RESERVED },
	{ 0xfffc0000, 0x40000, MEM_RESERVED },
	{ 0xfd00000000, 0x300000000, MEM_RESERVED },
};

Test(memblock, qemu_bios_128m)
{
	uint64_t cursor, s, e;
	unsigned int n = 0;

	init_map(qemu_bios_128m, ARRAY_SIZE(qemu_bios_128m));
	/* 0x9fc00 is not page aligned: the last partial page of low memory is dropped. */
	EXPECT(memory, "128m", R(0, 0x9f000), R(0x100000, 0x7fe0000));
	EXPECT(reserved, "128m", R(0, 0x100000));
	cr_assert_eq(memblock_phys_mem_size(), 0x9f000 + 0x7ee0000);
	cr_assert_eq(memblock_reserved_size(), 0x9f000);
	cr_assert_eq(memblock_start_of_DRAM(), 0);
	cr_assert_eq(memblock_end_of_DRAM(), 0x7fe0000);
	cr_assert_not_null(strstr(printk_captured(),
				  "memblock: reserved [mem 0x0000000000000000-0x00000000000fffff] "
				  "low 1 MiB: BIOS data, EBDA, legacy ROM\n"),
			   "log: %s", printk_captured());
	cr_assert_not_null(strstr(printk_captured(),
				  "memblock: 127 MiB of RAM in 2 ranges, highest 0x7fe0000\n"),
			   "log: %s", printk_captured());
	for_each_free_mem_range(cursor, s, e) {
		cr_assert(s == 0x100000 && e == 0x7fe0000, "free [%#lx-%#lx)", s, e);
		n++;
	}
	cr_assert_eq(n, 1);
	cr_assert_eq(memblock_phys_alloc(PG, PG), 0x7fdf000, "top-down");
}

/* QEMU with -m 6G: RAM split around the PCI hole, 2 GiB of it above 4 GiB. */
static const struct mem_region qemu_bios_6g[] = {
	{ 0x0, 0x9fc00, MEM_USABLE },
	{ 0x9fc00, 0x400, MEM_RESERVED },
	{ 0xf0000, 0x10000, MEM_RESERVED },
	{ 0x100000, 0xbfee0000, MEM_USABLE },
	{ 0xbffe0000, 0x20000, MEM_RESERVED },
	{ 0xfeffc000, 0x4000, MEM_RESERVED },
	{ 0xfffc0000, 0x40000, MEM_RESERVED },
	{ 0x100000000, 0xc0000000, MEM_USABLE },
	{ 0xfd00000000, 0x300000000, MEM_RESERVED },
};

Test(memblock, qemu_bios_6g_above_4g)
{
	init_map(qemu_bios_6g, ARRAY_SIZE(qemu_bios_6g));
	EXPECT(memory, "6g", R(0, 0x9f000), R(0x100000, 0xbffe0000), R(0x100000000, 0x1c0000000));
	cr_assert_eq(memblock_end_of_DRAM(), 0x1c0000000);
	cr_assert(memblock_is_memory(0x1bfffffff) && !memblock_is_memory(0xc0000000));
	cr_assert_not_null(strstr(printk_captured(), "memblock: 6143 MiB of RAM in 3 ranges, "
						     "highest 0x1c0000000\n"),
			   "log: %s", printk_captured());

	/* With no limit the top of high memory is used first ... */
	cr_assert_eq(memblock_phys_alloc(2 * MiB, 2 * MiB), 0x1c0000000 - 2 * MiB);
	/* ... and below the early direct map's end only low memory. */
	memblock_set_current_limit(4 * GiB);
	cr_assert_eq(memblock_phys_alloc(2 * MiB, 2 * MiB), 0xbfc00000);
	cr_assert_eq(memblock_phys_alloc(PG, PG), 0xbffdf000);
	EXPECT(reserved, "6g", R(0, 0x100000), R(0xbfc00000, 0xbfe00000), R(0xbffdf000, 0xbffe0000),
	       R(0x1c0000000 - 2 * MiB, 0x1c0000000));
}

Test(memblock, hostile_map)
{
	/* Unsorted, overlapping, tiny, empty and unaligned entries, in a bad order. */
	static const struct mem_region map[] = {
		{ 0x500000, 0x100000, MEM_USABLE },		/* [5M, 6M) */
		{ 0x580800, 0x10, MEM_ACPI_NVS },		/* tiny, inside: punches a page */
		{ 0x200000, 0x1000, MEM_RESERVED },		/* before its usable entry */
		{ 0x100000, 0x300000, MEM_USABLE },		/* [1M, 4M) */
		{ 0x280000, 0x0, MEM_RESERVED },		/* zero length: nothing */
		{ 0x300000, 0x0, MEM_USABLE },
		{ 0x3ff000, 0x2000, MEM_BAD },			/* across the end of [1M, 4M) */
		{ 0x700800, 0xf800, MEM_USABLE },		/* unaligned: from 0x701000 */
		{ 0x720000, 0x800, MEM_USABLE },		/* less than a page: dropped */
		{ 0x730800, 0x1000, MEM_USABLE },		/* a page, but not a whole one */
		{ 0x150000, 0x20000, MEM_USABLE },		/* inside [1M, 4M): no change */
		{ 0x5ff000, 0x100000, MEM_USABLE },		/* overlaps [5M, 6M): merges */
		{ 0x6fe000, 0x1001, MEM_RESERVED },		/* grows to 0x700000 */
		{ 0x900000, 0x1000, 99 },			/* unknown type: reserved */
		{ 0x800000, 0x200000, MEM_USABLE },
		{ 0x8ff800, 0x1, MEM_ACPI_RECLAIMABLE },
	};

	init_map(map, ARRAY_SIZE(map));
	EXPECT(memory, "hostile", R(0x100000, 0x200000), R(0x201000, 0x3ff000),
	       R(0x500000, 0x580000), R(0x581000, 0x6fe000), R(0x701000, 0x710000),
	       R(0x800000, 0x8ff000), R(0x901000, 0xa00000));
	cr_assert_gt(printk_count(7), 1, "the dropped entries are noted at debug level");
	cr_assert_not_null(strstr(printk_captured(), "usable entry at 0x720000, 2048 bytes, "
						     "holds no whole page\n"));
}

Test(memblock, usable_covering_reserved_loses_in_any_order)
{
	static const struct mem_region a[] = {
		{ 0x100000, 0x400000, MEM_USABLE },
		{ 0x200000, 0x100000, MEM_RESERVED },
	};
	static const struct mem_region b[] = {
		{ 0x200000, 0x100000, MEM_RESERVED },
		{ 0x100000, 0x400000, MEM_USABLE },
	};

	init_map(a, 2);
	EXPECT(memory, "usable first", R(0x100000, 0x200000), R(0x300000, 0x500000));
	init_map(b, 2);
	EXPECT(memory, "reserved first", R(0x100000, 0x200000), R(0x300000, 0x500000));
}

Test(memblock, map_at_the_top_of_the_address_space)
{
	static const struct mem_region map[] = {
		{ 0xffffffffffff0000, 0x20000, MEM_USABLE },		/* wraps: clipped */
		{ 0xfffffffffffff800, 0x10000, MEM_RESERVED },		/* wraps too */
		{ 0xfffffffffffffc00, 0x1000, MEM_USABLE },		/* no whole page */
	};

	init_map(map, ARRAY_SIZE(map));
	EXPECT(memory, "top", R(0xffffffffffff0000, 0xfffffffffffff000));
}

Test(memblock, empty_map)
{
	init_map(NULL, 0);
	EXPECT_EMPTY(memory, "empty");
	cr_assert_eq(memblock_phys_alloc(PG, PG), 0);
	cr_assert_not_null(strstr(printk_captured(), "0 MiB of RAM in 0 ranges, highest 0x0"));
}

Test(memblock, init_starts_afresh)
{
	cr_assert_eq(memblock_add(0x40000000, 0x1000), 0);
	cr_assert_eq(memblock_reserve(0x40000000, 0x1000), 0);
	init_map(qemu_bios_128m, ARRAY_SIZE(qemu_bios_128m));
	EXPECT(memory, "afresh", R(0, 0x9f000), R(0x100000, 0x7fe0000));
	EXPECT(reserved, "afresh", R(0, 0x100000));
}

/* ---- allocation ---- */

Test(memblock, alloc_top_down_and_merged)
{
	cr_assert_eq(memblock_add(0x100000, 0x100000), 0);
	cr_assert_eq(memblock_phys_alloc(0x1000, 0x1000), 0x1ff000);
	cr_assert_eq(memblock_phys_alloc(0x1000, 0x1000), 0x1fe000);
	cr_assert_eq(memblock_phys_alloc(0x10, 1), 0x1fdff0);
	EXPECT(reserved, "merged", R(0x1fdff0, 0x200000));
	cr_assert_eq(memblock_reserved_size(), 0x2010);
}

Test(memblock, alloc_alignment)
{
	cr_assert_eq(memblock_add(0x100000, 0x123456), 0);	/* ends at 0x223456 */
	cr_assert_eq(memblock_phys_alloc(0x100, 0x1000), 0x223000);
	cr_assert_eq(memblock_phys_alloc(0x100, 0x10000), 0x220000);
	cr_assert_eq(memblock_phys_alloc(0x10001, 0x100000), 0x200000, "below the first two");
	cr_assert_eq(memblock_phys_alloc(0x10, 1 << 21), 0, "no 2 MiB boundary is free");
	cr_assert_eq(memblock_phys_alloc(0x100, 1ull << 63), 0);
	check_invariants("align");
}

Test(memblock, alloc_rejects_bad_alignment_and_size)
{
	cr_assert_eq(memblock_add(0x100000, 0x100000), 0);
	cr_assert_eq(memblock_phys_alloc(0x1000, 0), 0);
	cr_assert_eq(memblock_phys_alloc(0x1000, 0x3000), 0);
	cr_assert_eq(memblock_phys_alloc(0x1000, UINT64_MAX), 0);
	cr_assert_eq(memblock_phys_alloc(0, 0x1000), 0);
	cr_assert_eq(printk_count(4), 4, "each refusal is a pr_warn");
	cr_assert_not_null(strstr(printk_captured(), "alignment 0x3000 is not a power of two"));
	EXPECT_EMPTY(reserved, "refused");
}

Test(memblock, alloc_skips_reserved)
{
	cr_assert_eq(memblock_add(0x100000, 0x10000), 0);
	cr_assert_eq(memblock_reserve(0x10c000, 0x4000), 0);	/* the top */
	cr_assert_eq(memblock_reserve(0x104000, 0x6000), 0);	/* [0x10a000, 0x10c000) is left */
	cr_assert_eq(memblock_phys_alloc(0x3000, 0x1000), 0x101000, "the gap above is too small");
	cr_assert_eq(memblock_phys_alloc(0x2000, 0x1000), 0x10a000);
	cr_assert_eq(memblock_phys_alloc(0x1000, 0x1000), 0x100000);
	cr_assert_eq(memblock_phys_alloc(0x1000, 0x1000), 0, "exhausted");
	cr_assert_eq(memblock_phys_alloc(1, 1), 0);
	EXPECT(reserved, "full", R(0x100000, 0x110000));
	cr_assert_eq(printk_count(4), 2);
	cr_assert_not_null(strstr(printk_captured(), "out of memory: 4096 bytes aligned 0x1000 in "
						     "[mem 0x0000000000100000-0xffffffffffffffff)"),
			   "log: %s", printk_captured());
}

Test(memblock, alloc_reserved_outside_memory_does_not_matter)
{
	cr_assert_eq(memblock_add(0x200000, 0x1000), 0);
	cr_assert_eq(memblock_reserve(0x100000, 0x100000), 0);	/* touching, from outside */
	cr_assert_eq(memblock_reserve(0x201000, 0x100000), 0);
	cr_assert_eq(memblock_phys_alloc(0x1000, 0x1000), 0x200000);
	EXPECT(reserved, "one", R(0x100000, 0x301000));
}

Test(memblock, alloc_range_limits)
{
	cr_assert_eq(memblock_add(0, 0x400000), 0);
	cr_assert_eq(memblock_phys_alloc_range(0x1000, 0x1000, 0x100000, 0x200000), 0x1ff000);
	cr_assert_eq(memblock_phys_alloc_range(0x1000, 0x1000, 0x100000, 0x100fff), 0, "too small");
	cr_assert_eq(memblock_phys_alloc_range(0x1000, 0x1000, 0x100000, 0x101000), 0x100000);
	cr_assert_eq(memblock_phys_alloc_range(0x1000, 0x1000, 0x300000, 0x200000), 0,
		     "start above end");
	cr_assert_eq(memblock_phys_alloc_range(0x800, 0x1000, 0x1800, 0x3000), 0x2000,
		     "start not aligned");
	memblock_set_current_limit(0x380000);
	cr_assert_eq(memblock_phys_alloc_range(0x1000, 0x1000, 0, UINT64_MAX), 0x37f000);
	cr_assert_eq(memblock_phys_alloc_range(0x1000, 0x1000, 0x380000, UINT64_MAX), 0,
		     "above current_limit");
	cr_assert_eq(memblock_phys_alloc_range(0x1000, 0x1000, 0, 0x300000), 0x2ff000,
		     "end below current_limit wins");
	check_invariants("limits");
}

Test(memblock, phys_alloc_never_below_1m)
{
	cr_assert_eq(memblock_add(0x1000, 0x100000), 0);	/* [4K, 1M + 4K) */
	cr_assert_eq(memblock_phys_alloc(0x1000, 0x1000), 0x100000);
	cr_assert_eq(memblock_phys_alloc(0x1000, 0x1000), 0, "the rest is below 1 MiB");
	cr_assert_eq(memblock_phys_alloc_range(0x1000, 0x1000, 0, 0x100000), 0xff000);
}

Test(memblock, alloc_at_the_top_of_the_address_space)
{
	cr_assert_eq(memblock_add(UINT64_MAX - 0x2fff, UINT64_MAX), 0);	/* clipped */
	cr_assert_eq(memblock_phys_alloc(0x1000, 0x1000), UINT64_MAX - 0x1fff,
		     "the top page is one byte short of whole");
	cr_assert_eq(memblock_phys_alloc(0xfff, 1), UINT64_MAX - 0xfff);
	check_invariants("top");
}

/* ---- iteration and queries ---- */

Test(memblock, free_ranges_are_memory_minus_reserved)
{
	static const struct range want[] = {
		R(0x1000, 0x2000), R(0x3000, 0x4000), R(0x6000, 0x8000), R(0x20000, 0x21000),
	};
	uint64_t cursor, s, e;
	unsigned int n = 0;

	set_memory((const struct range[]){ R(0x1000, 0x8000), R(0x10000, 0x18000),
					   R(0x20000, 0x30000) }, 3);
	cr_assert_eq(memblock_reserve(0, 0x1000), 0);		/* touches memory only */
	cr_assert_eq(memblock_reserve(0x2000, 0x1000), 0);
	cr_assert_eq(memblock_reserve(0x4000, 0x2000), 0);
	cr_assert_eq(memblock_reserve(0xf000, 0x9000), 0);	/* covers memory[1] and beyond */
	cr_assert_eq(memblock_reserve(0x21000, 0x10000), 0);	/* past memory[2]'s end */
	for_each_free_mem_range(cursor, s, e) {
		cr_assert_lt(n, ARRAY_SIZE(want));
		cr_assert(s == want[n].base && e == want[n].end, "range %u: [%#lx-%#lx)", n, s, e);
		n++;
	}
	cr_assert_eq(n, ARRAY_SIZE(want));

	/* The cursor is an address: start it anywhere. */
	cursor = 0x6800;
	cr_assert(memblock_next_free_range(&cursor, &s, &e));
	cr_assert(s == 0x6800 && e == 0x8000 && cursor == 0x8000);
	cursor = 0x21000;
	cr_assert(!memblock_next_free_range(&cursor, &s, &e));
}

Test(memblock, free_range_loop_may_reserve)
{
	uint64_t cursor, s, e, total = 0;

	cr_assert_eq(memblock_add(0x100000, 0x10000), 0);
	cr_assert_eq(memblock_add(0x200000, 0x10000), 0);
	for_each_free_mem_range(cursor, s, e) {
		total += e - s;
		/* Reserving inside the loop, as a user taking the ranges over would. */
		cr_assert_eq(memblock_reserve(s, e - s), 0);
		if (s == 0x100000)
			cr_assert_eq(memblock_reserve(0x208000, 0x1000), 0);
	}
	cr_assert_eq(total, 0x10000 + 0x10000 - 0x1000);
	cr_assert_eq(memblock_reserved_size(), memblock_phys_mem_size());
}

Test(memblock, queries_at_the_edges)
{
	cr_assert(!memblock_is_memory(0) && !memblock_is_reserved(0), "empty tables");
	cr_assert_eq(memblock_phys_mem_size(), 0);
	cr_assert_eq(memblock_reserved_size(), 0);
	two_regions();
	cr_assert_eq(memblock_reserve(0x1f000, 0x22000), 0);	/* [0x1f000, 0x41000) */
	cr_assert(!memblock_is_memory(0xffff) && memblock_is_memory(0x10000));
	cr_assert(memblock_is_memory(0x1ffff) && !memblock_is_memory(0x20000));
	cr_assert(memblock_is_memory(0x4ffff) && !memblock_is_memory(0x50000));
	cr_assert(!memblock_is_reserved(0x1efff) && memblock_is_reserved(0x1f000));
	cr_assert(memblock_is_reserved(0x40fff) && !memblock_is_reserved(0x41000));
	cr_assert_eq(memblock_phys_mem_size(), 0x20000);
	cr_assert_eq(memblock_reserved_size(), 0x2000);
	cr_assert_eq(memblock_start_of_DRAM(), 0x10000);
	cr_assert_eq(memblock_end_of_DRAM(), 0x50000);
}

Test(memblock, dump_format)
{
	cr_assert_eq(memblock_add(0x1000, 0x9e000), 0);
	cr_assert_eq(memblock_add(0x100000, 0x7ee0000), 0);
	cr_assert_eq(memblock_reserve(0x1000, 0x1000), 0);
	printk_capture_reset();
	memblock_dump();
	cr_assert_str_eq(printk_captured(),
			 "MEMBLOCK configuration:\n"
			 " memory size = 0x0000000007f7e000 reserved size = 0x0000000000001000\n"
			 " memory.cnt  = 0x2\n"
			 "  memory[0x0]\t[0x0000000000001000-0x000000000009efff], "
			 "0x000000000009e000 bytes\n"
			 "  memory[0x1]\t[0x0000000000100000-0x0000000007fdffff], "
			 "0x0000000007ee0000 bytes\n"
			 " reserved.cnt  = 0x1\n"
			 "  reserved[0x0]\t[0x0000000000001000-0x0000000000001fff], "
			 "0x0000000000001000 bytes\n");
	cr_assert_eq(printk_count(6), 7, "every line at KERN_INFO");
}

/* ---- randomized: against a byte map ---- */

/*
 * The model: one flag per byte of a window [WIN, WIN + WIN_SIZE) that straddles 1 MiB, so
 * memblock_phys_alloc()'s floor is inside it. Every operation stays inside the window.
 */
#define WIN	 (MiB - 512)
#define WIN_SIZE 1024

struct model {
	bool mem[WIN_SIZE], rsv[WIN_SIZE];
	uint64_t limit;		/* current_limit */
};

/* Runs of set flags: what the table must hold, exactly. */
static unsigned long runs(const bool *map, struct range *out)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < WIN_SIZE; i++) {
		if (!map[i] || (i > 0 && map[i - 1]))
			continue;
		if (out)
			out[n].base = WIN + i;
		while (i < WIN_SIZE && map[i])
			i++;
		if (out)
			out[n].end = WIN + i;
		n++;
	}
	return n;
}

static void set_flags(bool *map, uint64_t base, uint64_t size, bool v)
{
	memset(map + (base - WIN), v, size);
}

static void compare(const struct model *m, unsigned long long seed, long step, const char *op)
{
	static struct range want[WIN_SIZE];
	bool free_map[WIN_SIZE];
	uint64_t mem = 0, rsv = 0, cursor, s, e, a;
	unsigned long n;
	unsigned int i;
	char where[128];

	snprintf(where, sizeof(where), "seed %llu step %ld (%s)", seed, step, op);
	n = runs(m->mem, want);
	expect_ranges(&memblock.memory, want, n, where);
	n = runs(m->rsv, want);
	expect_ranges(&memblock.reserved, want, n, where);

	for (i = 0; i < WIN_SIZE; i++) {
		mem += m->mem[i];
		rsv += m->mem[i] && m->rsv[i];
		free_map[i] = m->mem[i] && !m->rsv[i];
	}
	cr_assert_eq(memblock_phys_mem_size(), mem, "%s: phys_mem_size", where);
	cr_assert_eq(memblock_reserved_size(), rsv, "%s: reserved_size", where);

	n = runs(free_map, want);
	i = 0;
	for_each_free_mem_range(cursor, s, e) {
		cr_assert_lt(i, n, "%s: extra free range [%#lx-%#lx)", where, s, e);
		cr_assert(s == want[i].base && e == want[i].end,
			  "%s: free range %u [%#lx-%#lx), want [%#lx-%#lx)", where, i, s, e,
			  want[i].base, want[i].end);
		i++;
	}
	cr_assert_eq(i, n, "%s: %u free ranges, want %lu", where, i, n);

	a = WIN + rnd_below(WIN_SIZE);
	cr_assert_eq(memblock_is_memory(a), m->mem[a - WIN], "%s: is_memory(%#lx)", where, a);
	cr_assert_eq(memblock_is_reserved(a), m->rsv[a - WIN], "%s: is_reserved(%#lx)", where, a);
}

/*
 * Where the model would allocate: the highest @align-aligned address a in [start, end) and
 * below the limit with all of [a, a + size) free, found by brute force from the top.
 */
static uint64_t model_alloc(const struct model *m, uint64_t size, uint64_t align, uint64_t start,
			    uint64_t end)
{
	uint64_t hi = MIN(MIN(end, m->limit), (uint64_t)WIN + WIN_SIZE);
	uint64_t lo = MAX(start, (uint64_t)WIN), a, b;

	if (!size || !align || (align & (align - 1)) || hi < lo || hi - lo < size)
		return 0;
	for (a = (hi - size) & ~(align - 1); a >= lo; a -= align) {
		for (b = a; b < a + size && m->mem[b - WIN] && !m->rsv[b - WIN]; b++)
			;
		if (b == a + size)
			return a;
		if (a < align)
			break;
	}
	return 0;
}

/* A range inside the window, mostly short, sometimes empty, sometimes long. */
static void random_range(uint64_t *base, uint64_t *size)
{
	uint64_t off = rnd_below(WIN_SIZE), room = WIN_SIZE - off, len;

	*base = WIN + off;
	switch (rnd_below(8)) {
	case 0:
		*size = 0;
		break;
	case 1:
		*size = 1 + rnd_below(room);
		break;
	default:
		len = 1 + rnd_below(64);	/* not inside MIN(): it evaluates twice */
		*size = MIN(room, len);
		break;
	}
}

static uint64_t random_align(void)
{
	if (rnd_below(16) == 0)
		return rnd_below(300);	/* mostly not a power of two: refused */
	return 1ull << rnd_below(rnd_below(4) ? 5 : 10);
}

/* Applies add/remove to the model unless the table would overflow; returns the expected rc. */
static int model_change(bool *map, unsigned long max, uint64_t base,
			uint64_t size, bool v)
{
	bool next[WIN_SIZE];

	memcpy(next, map, sizeof(next));
	set_flags(next, base, size, v);
	if (runs(next, NULL) > max)
		return -ENOMEM;
	memcpy(map, next, sizeof(next));
	return 0;
}

Test(memblock, random_against_byte_map)
{
	unsigned long long seed = test_seed("memblock/random_against_byte_map");
	long steps = test_iters(30000), step;
	static struct model m;

	for (step = 0; step < steps; step++) {
		uint64_t base, size, align, start, end, want, got;
		const char *op;
		int rc, want_rc;

		if (step % 500 == 0) {
			/* A fresh start, sometimes with tiny tables so overflow happens. */
			unsigned long max = rnd_below(3) ? MEMBLOCK_MAX_REGIONS : 2 + rnd_below(8);

			memblock_reset();
			memblock.memory.max = max;
			memblock.reserved.max = max;
			memset(&m, 0, sizeof(m));
			m.limit = MEMBLOCK_ALLOC_ANYWHERE;
			printk_capture_reset();
		}
		random_range(&base, &size);
		switch (rnd_below(20)) {
		case 0 ... 4:
			op = "add";
			want_rc = model_change(m.mem, memblock.memory.max, base, size, true);
			rc = memblock_add(base, size);
			break;
		case 5 ... 7:
			op = "remove";
			want_rc = model_change(m.mem, memblock.memory.max, base, size, false);
			rc = memblock_remove(base, size);
			break;
		case 8 ... 10:
			op = "reserve";
			want_rc = model_change(m.rsv, memblock.reserved.max, base, size, true);
			rc = memblock_reserve(base, size);
			break;
		case 11 ... 13:
			op = "free";
			want_rc = model_change(m.rsv, memblock.reserved.max, base, size, false);
			rc = memblock_phys_free(base, size);
			break;
		case 14 ... 17:
		case 18:
			align = random_align();
			if (rnd_below(5) == 0) {
				op = "phys_alloc";
				start = MEMBLOCK_LOW_LIMIT;
				end = MEMBLOCK_ALLOC_ANYWHERE;
			} else {
				op = "alloc_range";
				start = WIN + rnd_below(WIN_SIZE + 1);
				end = WIN + rnd_below(WIN_SIZE + 1);
				if (rnd_below(8) && start > end) {	/* mostly a sane window */
					uint64_t t = start;

					start = end;
					end = t;
				}
				if (rnd_below(4) == 0)
					end = UINT64_MAX;
			}
			size = MIN(size, (uint64_t)256);
			want = model_alloc(&m, size, align, start, end);
			if (want && model_change(m.rsv, memblock.reserved.max, want, size, true))
				want = 0;	/* found, but no slot to reserve it in */
			got = memblock_phys_alloc_range(size, align, start, end);
			cr_assert_eq(got, want,
				     "seed %llu step %ld: %s(%#lx, %#lx, %#lx, %#lx) = %#lx, want "
				     "%#lx", seed, step, op, size, align, start, end, got, want);
			rc = want_rc = 0;
			break;
		default:
			op = "limit";
			m.limit = WIN + rnd_below(WIN_SIZE + 1);
			if (rnd_below(3))
				m.limit = MEMBLOCK_ALLOC_ANYWHERE;
			memblock_set_current_limit(m.limit);
			rc = want_rc = 0;
			break;
		}
		cr_assert_eq(rc, want_rc, "seed %llu step %ld: %s(%#lx, %#lx) = %d, want %d", seed,
			     step, op, base, size, rc, want_rc);
		compare(&m, seed, step, op);
	}
}

/* ---- randomized: init against a page map ---- */

/*
 * The rule, restated per page: a page is memory if some usable entry covers all of it and no
 * other entry covers any byte of it. Maps are drawn over 64 pages just below 4 GiB and just
 * above it, in random order, with unaligned and zero-length entries.
 */
#define MAP_PAGES 64
#define MAP_BASE  (4 * GiB - 32 * PG)

Test(memblock, random_maps_against_page_map)
{
	unsigned long long seed = test_seed("memblock/random_maps_against_page_map");
	long rounds = test_iters(30000) / 10, round;

	for (round = 0; round < rounds; round++) {
		struct mem_region map[24];
		bool page[MAP_PAGES];
		static struct range want[MAP_PAGES];
		unsigned int n = 1 + rnd_below(ARRAY_SIZE(map)), i, p;
		char where[96];

		for (i = 0; i < n; i++) {
			uint64_t off = rnd_below(MAP_PAGES * PG);

			map[i].base = MAP_BASE + (rnd_below(2) ? off & ~(PG - 1) : off);
			map[i].length = rnd_below(5) ? rnd_below(MAP_PAGES * PG - off) : 0;
			if (rnd_below(3) == 0)
				map[i].length &= ~(PG - 1);
			map[i].type = rnd_below(3) ? MEM_USABLE : 2 + rnd_below(5);
		}
		for (p = 0; p < MAP_PAGES; p++) {
			uint64_t lo = MAP_BASE + p * PG, hi = lo + PG;
			bool usable = false, other = false;

			for (i = 0; i < n; i++) {
				uint64_t b = map[i].base, e = b + map[i].length;

				if (map[i].type == MEM_USABLE)
					usable |= b <= lo && e >= hi;
				else if (map[i].length)
					other |= b < hi && e > lo;
			}
			page[p] = usable && !other;
		}
		/* Pages to ranges, then compare. */
		unsigned long nr = 0;

		for (p = 0; p < MAP_PAGES; p++) {
			if (!page[p])
				continue;
			if (nr && want[nr - 1].end == MAP_BASE + p * PG)
				want[nr - 1].end += PG;
			else
				want[nr++] = R(MAP_BASE + p * PG, MAP_BASE + (p + 1) * PG);
		}
		snprintf(where, sizeof(where), "seed %llu round %ld (%u entries)", seed, round, n);
		printk_capture_reset();
		memblock_init_from_map(map, n);
		expect_ranges(&memblock.memory, want, nr, where);
		expect_ranges(&memblock.reserved, (const struct range[]){ R(0, MiB) }, 1, where);
	}
}

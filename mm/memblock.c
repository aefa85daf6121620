/*
 * memblock: the boot-time physical memory allocator (interface in include/mm/memblock.h).
 *
 * What: two tables of physical ranges, "memory" and "reserved", each a sorted array of
 * [base, base + size) regions in a static array of MEMBLOCK_MAX_REGIONS slots. Free memory
 * is memory minus reserved; an allocation finds a free range top-down and reserves it.
 *
 * How: every change to a table is "replace the regions i .. j-1 that the new range touches
 * with at most two regions": adding keeps one region covering all of them plus the range,
 * removing keeps the pieces sticking out on the left and right. Free ranges are never
 * stored; they are computed by walking both tables side by side, so there is nothing that
 * could drift out of step.
 *
 * Invariant (each table, after every call): regions sorted by base, non-empty, not
 * overlapping and not touching (touching ones are merged), cnt <= max. memblock_init_from_map
 * adds memory in whole pages only. An allocation returns only bytes that are memory and were
 * not reserved, and reserves them before it returns.
 *
 * Limits: linear scans (a table holds at most 128 regions, and this runs a few hundred times
 * at boot); a table that would need more than max regions makes the call fail with -ENOMEM
 * and a pr_err, changing nothing (a lost reservation would be the dangerous case; the boot
 * map needs at most 128 memory regions and a dozen reservations). The byte at UINT64_MAX cannot be described (ends are
 * exclusive), which no machine will notice. Not thread-safe: boot runs on one CPU.
 * docs/memory.md explains where memblock sits in the boot and shows a real dump.
 */
#define pr_fmt(fmt) "memblock: " fmt

#include <asm/layout.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/memblock.h>

static struct memblock_region memory_regions[MEMBLOCK_MAX_REGIONS];
static struct memblock_region reserved_regions[MEMBLOCK_MAX_REGIONS];

struct memblock memblock = {
	.memory = {
		.max = MEMBLOCK_MAX_REGIONS, .regions = memory_regions, .name = "memory",
	},
	.reserved = {
		.max = MEMBLOCK_MAX_REGIONS, .regions = reserved_regions, .name = "reserved",
	},
	.current_limit = MEMBLOCK_ALLOC_ANYWHERE,
};

/* Exclusive end of a region; the size was clipped on the way in, so this cannot wrap. */
static inline uint64_t reg_end(const struct memblock_region *r)
{
	return r->base + r->size;
}

/* Clips @size so that base + size does not pass 2^64 (it then ends at UINT64_MAX). */
static inline uint64_t cap_size(uint64_t base, uint64_t size)
{
	return MIN(size, UINT64_MAX - base);
}

/*
 * Replaces regions[i .. j) of @type with the @k regions in @with (k <= 2), keeping the
 * order; the caller computed @with so that the invariant holds afterwards. Fails with
 * -ENOMEM, changing nothing, if the table would grow past max slots.
 */
static int replace_regions(struct memblock_type *type, unsigned long i, unsigned long j,
			   const struct memblock_region *with, unsigned long k)
{
	unsigned long cnt = type->cnt - (j - i) + k;

	if (k > j - i && cnt > type->max)
		return -ENOMEM;
	memmove(&type->regions[i + k], &type->regions[j],
		(type->cnt - j) * sizeof(type->regions[0]));
	memcpy(&type->regions[i], with, k * sizeof(with[0]));
	type->cnt = cnt;
	return 0;
}

/* Overflow is a configuration problem (a firmware map with hundreds of holes), not a bug. */
static int table_full(const struct memblock_type *type, uint64_t base, uint64_t end,
		      const char *what)
{
	pr_err("%s table full (%lu regions): [mem 0x%016llx-0x%016llx] not %s\n", type->name,
	       type->max, (unsigned long long)base, (unsigned long long)(end - 1), what);
	return -ENOMEM;
}

/* Adds [base, base + size) to @type, merging it with every region it overlaps or touches. */
static int type_add(struct memblock_type *type, uint64_t base, uint64_t size)
{
	struct memblock_region merged;
	uint64_t end, lo, hi;
	unsigned long i, j;

	size = cap_size(base, size);
	if (!size)
		return 0;
	end = base + size;

	/*
	 * Regions i .. j-1 overlap or touch the range: i is the first ending at or after base,
	 * j the first starting after end.
	 */
	for (i = 0; i < type->cnt && reg_end(&type->regions[i]) < base; i++)
		;
	for (j = i; j < type->cnt && type->regions[j].base <= end; j++)
		;
	lo = i < j ? MIN(base, type->regions[i].base) : base;
	hi = i < j ? MAX(end, reg_end(&type->regions[j - 1])) : end;
	merged = (struct memblock_region){ .base = lo, .size = hi - lo };
	if (replace_regions(type, i, j, &merged, 1))
		return table_full(type, base, end, "added");
	return 0;
}

/* Takes [base, base + size) out of @type; a region sticking out on both sides splits in two. */
static int type_remove(struct memblock_type *type, uint64_t base, uint64_t size)
{
	struct memblock_region keep[2];
	unsigned long i, j, k = 0;
	uint64_t end;

	size = cap_size(base, size);
	if (!size)
		return 0;
	end = base + size;

	/* Regions i .. j-1 overlap the range (touching is not overlapping here). */
	for (i = 0; i < type->cnt && reg_end(&type->regions[i]) <= base; i++)
		;
	for (j = i; j < type->cnt && type->regions[j].base < end; j++)
		;
	if (i == j)
		return 0;
	if (type->regions[i].base < base)
		keep[k++] = (struct memblock_region){ type->regions[i].base,
						      base - type->regions[i].base };
	if (reg_end(&type->regions[j - 1]) > end)
		keep[k++] = (struct memblock_region){ end, reg_end(&type->regions[j - 1]) - end };
	/* Only a split (one region in, two out) can need a new slot. */
	if (replace_regions(type, i, j, keep, k))
		return table_full(type, base, end, "removed");
	return 0;
}

int memblock_add(uint64_t base, uint64_t size)
{
	return type_add(&memblock.memory, base, size);
}

int memblock_remove(uint64_t base, uint64_t size)
{
	return type_remove(&memblock.memory, base, size);
}

int memblock_reserve(uint64_t base, uint64_t size)
{
	return type_add(&memblock.reserved, base, size);
}

int memblock_phys_free(uint64_t base, uint64_t size)
{
	return type_remove(&memblock.reserved, base, size);
}

int memblock_reserve_named(uint64_t base, uint64_t size, const char *name)
{
	size = cap_size(base, size);
	if (size && name)
		pr_info("reserved [mem 0x%016llx-0x%016llx] %s\n", (unsigned long long)base,
			(unsigned long long)(base + size - 1), name);
	return memblock_reserve(base, size);
}

void memblock_set_current_limit(uint64_t limit)
{
	memblock.current_limit = limit;
}

void memblock_reset(void)
{
	memblock.memory.cnt = 0;
	memblock.reserved.cnt = 0;
	memblock.current_limit = MEMBLOCK_ALLOC_ANYWHERE;
}

/* ---- free ranges: memory minus reserved, computed on demand ---- */

bool memblock_next_free_range(uint64_t *cursor, uint64_t *start, uint64_t *end)
{
	const struct memblock_type *mem = &memblock.memory, *rsv = &memblock.reserved;
	unsigned long i, k = 0;

	for (i = 0; i < mem->cnt; i++) {
		uint64_t s = MAX(*cursor, mem->regions[i].base);
		uint64_t e = reg_end(&mem->regions[i]);

		if (e <= *cursor)
			continue;
		/*
		 * Step over reserved regions ending before s. k never moves back: both tables
		 * are sorted, so what ended before this memory region ends before the next.
		 */
		for (; k < rsv->cnt; k++) {
			const struct memblock_region *r = &rsv->regions[k];

			if (reg_end(r) <= s)
				continue;
			if (r->base > s) {	/* free from s up to this reservation */
				e = MIN(e, r->base);
				break;
			}
			s = reg_end(r);		/* s is reserved: skip the reservation */
			if (s >= e)
				break;
		}
		if (s < e) {
			*start = s;
			*end = e;
			*cursor = e;
			return true;
		}
	}
	return false;
}

/*
 * The free range that ends highest at or below @limit, clipped to end there: the mirror of
 * memblock_next_free_range(), for top-down allocation. Free ranges are maximal, so calling
 * again with @limit = *start finds the next one down.
 */
static bool prev_free_range(uint64_t limit, uint64_t *start, uint64_t *end)
{
	const struct memblock_type *mem = &memblock.memory, *rsv = &memblock.reserved;
	unsigned long i, k = rsv->cnt;	/* regions[k .. cnt) lie at or above the current e */

	for (i = mem->cnt; i-- > 0;) {
		uint64_t s = mem->regions[i].base;
		uint64_t e = MIN(limit, reg_end(&mem->regions[i]));

		if (s >= limit)
			continue;
		/*
		 * Walk reservations down from e. k never moves up: what starts above this
		 * memory region starts above the next one down; the reservation we stop at may
		 * reach into that one, so k stays just past it.
		 */
		for (; k > 0; k--) {
			const struct memblock_region *r = &rsv->regions[k - 1];

			if (r->base >= e)
				continue;
			if (reg_end(r) < e) {	/* free from this reservation's end up to e */
				s = MAX(s, reg_end(r));
				break;
			}
			e = r->base;		/* e - 1 is reserved: skip the reservation */
			if (e <= s)
				break;
		}
		if (s < e) {
			*start = s;
			*end = e;
			return true;
		}
	}
	return false;
}

static inline bool is_power_of_2(uint64_t x)
{
	return x && !(x & (x - 1));
}

uint64_t memblock_phys_alloc_range(uint64_t size, uint64_t align, uint64_t start, uint64_t end)
{
	uint64_t limit = MIN(end, memblock.current_limit);
	uint64_t s, e;

	if (!is_power_of_2(align)) {
		pr_warn("alloc of %llu bytes: alignment %#llx is not a power of two\n",
			(unsigned long long)size, (unsigned long long)align);
		return 0;
	}
	if (!size) {
		pr_warn("alloc of 0 bytes refused\n");
		return 0;
	}
	/* Highest free range first; in each, the highest aligned block that fits. */
	while (limit > start && prev_free_range(limit, &s, &e)) {
		uint64_t lo = MAX(s, start);

		if (e > lo && e - lo >= size) {
			uint64_t addr = ALIGN_DOWN(e - size, align);

			if (addr >= lo)
				return memblock_reserve(addr, size) ? 0 : addr;
		}
		limit = s;
	}
	pr_warn("out of memory: %llu bytes aligned %#llx in [mem 0x%016llx-0x%016llx)\n",
		(unsigned long long)size, (unsigned long long)align, (unsigned long long)start,
		(unsigned long long)MIN(end, memblock.current_limit));
	return 0;
}

uint64_t memblock_phys_alloc(uint64_t size, uint64_t align)
{
	return memblock_phys_alloc_range(size, align, MEMBLOCK_LOW_LIMIT, MEMBLOCK_ALLOC_ANYWHERE);
}

/* ---- queries ---- */

static uint64_t type_size(const struct memblock_type *type)
{
	uint64_t sum = 0;
	unsigned long i;

	for (i = 0; i < type->cnt; i++)
		sum += type->regions[i].size;
	return sum;
}

uint64_t memblock_phys_mem_size(void)
{
	return type_size(&memblock.memory);
}

/* Reserved bytes that are also memory: the intersection of two sorted lists, walked once. */
uint64_t memblock_reserved_size(void)
{
	const struct memblock_type *mem = &memblock.memory, *rsv = &memblock.reserved;
	unsigned long i = 0, k = 0;
	uint64_t sum = 0;

	while (i < mem->cnt && k < rsv->cnt) {
		const struct memblock_region *m = &mem->regions[i], *r = &rsv->regions[k];
		uint64_t lo = MAX(m->base, r->base), hi = MIN(reg_end(m), reg_end(r));

		if (lo < hi)
			sum += hi - lo;
		/* Drop whichever ends first: it cannot overlap anything later in the other list. */
		if (reg_end(m) < reg_end(r))
			i++;
		else
			k++;
	}
	return sum;
}

uint64_t memblock_start_of_DRAM(void)
{
	return memblock.memory.cnt ? memblock.memory.regions[0].base : 0;
}

uint64_t memblock_end_of_DRAM(void)
{
	unsigned long cnt = memblock.memory.cnt;

	return cnt ? reg_end(&memblock.memory.regions[cnt - 1]) : 0;
}

static bool type_contains(const struct memblock_type *type, uint64_t addr)
{
	unsigned long i;

	for (i = 0; i < type->cnt && type->regions[i].base <= addr; i++)
		if (addr < reg_end(&type->regions[i]))
			return true;
	return false;
}

bool memblock_is_memory(uint64_t addr)
{
	return type_contains(&memblock.memory, addr);
}

bool memblock_is_reserved(uint64_t addr)
{
	return type_contains(&memblock.reserved, addr);
}

static void dump_type(const struct memblock_type *type)
{
	unsigned long i;

	printk(KERN_INFO " %s.cnt  = 0x%lx\n", type->name, type->cnt);
	for (i = 0; i < type->cnt; i++) {
		const struct memblock_region *r = &type->regions[i];

		printk(KERN_INFO "  %s[0x%lx]\t[0x%016llx-0x%016llx], 0x%016llx bytes\n",
		       type->name, i, (unsigned long long)r->base,
		       (unsigned long long)(reg_end(r) - 1), (unsigned long long)r->size);
	}
}

void memblock_dump(void)
{
	printk(KERN_INFO "MEMBLOCK configuration:\n");
	printk(KERN_INFO " memory size = 0x%016llx reserved size = 0x%016llx\n",
	       (unsigned long long)memblock_phys_mem_size(),
	       (unsigned long long)memblock_reserved_size());
	dump_type(&memblock.memory);
	dump_type(&memblock.reserved);
}

/* ---- building the tables from the boot loader's map ---- */

#define LAST_PAGE ALIGN_DOWN(UINT64_MAX, PAGE_SIZE)	/* rounding up past it would wrap to 0 */

/* [*base, *end) grown outward to page boundaries; an end past the last page saturates. */
static void grow_to_pages(uint64_t *base, uint64_t *end)
{
	*base = ALIGN_DOWN(*base, PAGE_SIZE);
	*end = *end > LAST_PAGE ? UINT64_MAX : ALIGN_UP(*end, PAGE_SIZE);
}

void memblock_init_from_map(const struct mem_region *map, unsigned int n)
{
	unsigned int i;

	memblock_reset();

	/*
	 * Two passes, so the order of the map does not matter: first all usable RAM, in whole
	 * pages only (a partial page cannot be handed to the page allocator), then every other
	 * entry punched out, grown to whole pages, so that a usable entry overlapping a
	 * reserved one loses, whichever comes first. At most one region is added per map
	 * entry, usable or not, so a map of <= MEMBLOCK_MAX_REGIONS entries always fits.
	 */
	for (i = 0; i < n; i++) {
		uint64_t base = map[i].base, end = base + cap_size(base, map[i].length);
		uint64_t lo, hi;

		if (map[i].type != MEM_USABLE)
			continue;
		lo = base > LAST_PAGE ? UINT64_MAX : ALIGN_UP(base, PAGE_SIZE);
		hi = ALIGN_DOWN(end, PAGE_SIZE);
		if (lo >= hi) {
			pr_debug("usable entry at 0x%llx, %llu bytes, holds no whole page\n",
				 (unsigned long long)base, (unsigned long long)(end - base));
			continue;
		}
		memblock_add(lo, hi - lo);
	}
	for (i = 0; i < n; i++) {
		uint64_t base = map[i].base, end = base + cap_size(base, map[i].length);

		if (map[i].type == MEM_USABLE || base == end)
			continue;
		grow_to_pages(&base, &end);
		memblock_remove(base, end - base);
	}

	/*
	 * As Linux does: the BIOS data area, the EBDA and option ROMs live below 1 MiB, and
	 * firmware that scribbles on low memory it called usable is common enough not to bet
	 * on. A user of low memory (the AP trampoline) picks its page knowingly: memblock will
	 * not hand it out.
	 */
	memblock_reserve_named(0, MEMBLOCK_LOW_LIMIT, "low 1 MiB: BIOS data, EBDA, legacy ROM");

	/* "highest" is memblock_end_of_DRAM(): one past the last byte of RAM. */
	pr_info("%llu MiB of RAM in %lu ranges, highest 0x%llx\n",
		(unsigned long long)(memblock_phys_mem_size() >> 20), memblock.memory.cnt,
		(unsigned long long)memblock_end_of_DRAM());
}

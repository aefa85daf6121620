/*
 * Symbol lookup over the generated table (include/kernel/ksyms.h): a binary search
 * for the last symbol at or below an address. Pure code: it is unit-tested on the
 * host with a hand-made table. The table holds text symbols only, sorted by address,
 * with the end of the kernel text as a final sentinel so the last function has a size.
 */
#include <kernel/ksyms.h>
#include <lib/printf.h>
#include <lib/string.h>

const char *ksym_lookup(uint64_t addr, uint64_t *offset, uint64_t *size)
{
	uint32_t lo = 0, hi = ksym_count;

	/* Entries 0..count-2 are symbols; entry count-1 is the end-of-text sentinel. */
	if (ksym_count < 2 || addr < ksym_addrs[0] || addr >= ksym_addrs[ksym_count - 1])
		return NULL;
	/* Invariant: ksym_addrs[lo] <= addr, and addr < ksym_addrs[hi] or hi == ksym_count. */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ksym_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (offset)
		*offset = addr - ksym_addrs[lo];
	if (size)
		*size = ksym_addrs[lo + 1] - ksym_addrs[lo];
	return ksym_names + ksym_name_offs[lo];
}

uint64_t ksym_address(const char *name)
{
	for (uint32_t i = 0; i + 1 < ksym_count; i++)
		if (strcmp(ksym_names + ksym_name_offs[i], name) == 0)
			return ksym_addrs[i];
	return 0;
}

int sprint_symbol(char *buf, size_t size, uint64_t addr)
{
	uint64_t off, sz;
	const char *name = ksym_lookup(addr, &off, &sz);

	if (!name)
		return snprintf(buf, size, "0x%016llx", (unsigned long long)addr);
	return snprintf(buf, size, "%s+0x%llx/0x%llx", name, (unsigned long long)off,
			(unsigned long long)sz);
}

/*
 * `pagewalk ADDR`: the walk the MMU does for one virtual address, printed level by
 * level, as the course draws it. The address is split into four 9-bit indexes and a
 * 12-bit offset; each level's entry is shown with its flags decoded, and the walk
 * stops at a large page (PS), at a non-present entry, or at the 4 KiB page. The last
 * line gives the physical address and the effective rights, which combine all levels:
 * writable only if every level says RW, user only if every level says U, executable
 * only if no level says NX. It reads the tables of the address space loaded in CR3.
 * docs/paging.md walks through an example.
 */
#include <asm/x86.h>
#include <kernel/console.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/pgtable.h>

static const char *const level_name[] = { "PTE", "PMD", "PUD", "PGD" };

/* "P RW U PWT PCD A D PS G NX" for the bits set in @e; bit 7 is PAT in a PTE, PS above. */
static void decode_flags(char *buf, size_t size, pteval_t e, bool pte_level)
{
	static const struct { pteval_t bit; const char *name; } bits[] = {
		{ _PAGE_PRESENT, "P" }, { _PAGE_RW, "RW" }, { _PAGE_USER, "U" },
		{ _PAGE_PWT, "PWT" }, { _PAGE_PCD, "PCD" }, { _PAGE_ACCESSED, "A" },
		{ _PAGE_DIRTY, "D" }, { _PAGE_PSE, "PS" }, { _PAGE_GLOBAL, "G" },
		{ _PAGE_NX, "NX" },
	};
	size_t n = 0;

	buf[0] = 0;
	for (unsigned int i = 0; i < ARRAY_SIZE(bits); i++) {
		const char *name = bits[i].bit == _PAGE_PSE && pte_level ? "PAT" : bits[i].name;

		if (!(e & bits[i].bit))
			continue;
		n += snprintf(buf + n, size - n, "%s%s", n ? " " : "", name);
		if (n >= size)
			break;
	}
}

static void print_entry(int level, unsigned int index, pteval_t e, bool leaf)
{
	char flags[48];

	decode_flags(flags, sizeof(flags), e, level == 0);
	if (!(e & _PAGE_PRESENT))
		console_printf("  %s[%3u] = %016llx  not present\n", level_name[level], index,
			       (unsigned long long)e);
	else
		console_printf("  %s[%3u] = %016llx  %-9s %s\n", level_name[level], index,
			       (unsigned long long)e, leaf ? "-> page" : "-> table", flags);
}

void pagewalk_print(const pteval_t *pgd, uint64_t va)
{
	unsigned int idx[4] = { pte_index(va), pmd_index(va), pud_index(va), pgd_index(va) };
	const pteval_t *table = pgd;
	bool writable = true, user = true, exec = true;

	console_printf("%016llx: PGD %u, PUD %u, PMD %u, PTE %u, offset 0x%03llx\n",
		       (unsigned long long)va, idx[3], idx[2], idx[1], idx[0],
		       (unsigned long long)(va & (PAGE_SIZE - 1)));
	for (int level = 3; level >= 0; level--) {
		pteval_t e = table[idx[level]];
		bool leaf = level == 0 || (e & _PAGE_PSE);
		uint64_t page_size = 1ull << (PAGE_SHIFT + 9 * level);

		print_entry(level, idx[level], e, leaf);
		if (!(e & _PAGE_PRESENT)) {
			console_printf("not mapped: an access faults (#PF, error code bit P = 0)\n");
			return;
		}
		writable &= !!(e & _PAGE_RW);
		user &= !!(e & _PAGE_USER);
		exec &= !(e & _PAGE_NX);
		if (leaf) {
			uint64_t pa = (e & PTE_ADDR_MASK & ~(page_size - 1)) | (va & (page_size - 1));

			console_printf("physical %016llx in a %s page; effective rights: %s%s%s, %s\n",
				       (unsigned long long)pa,
				       level == 2 ? "1 GiB" : level == 1 ? "2 MiB" : "4 KiB",
				       "r", writable ? "w" : "-", exec ? "x" : "-",
				       user ? "user" : "kernel only");
			return;
		}
		table = __va(e & PTE_ADDR_MASK);
	}
}

static int cmd_pagewalk(int argc, char **argv)
{
	uint64_t va;

	if (argc != 2 || kstrtoull(argv[1], 16, (unsigned long long *)&va))
		return -EINVAL;
	if ((uint64_t)((int64_t)(va << 16) >> 16) != va) {
		console_printf("pagewalk: %llx is not canonical (bits 63..48 must copy bit 47): "
			       "an access raises #GP, not #PF\n", (unsigned long long)va);
		return 0;
	}
	pagewalk_print(__va(read_cr3() & PTE_ADDR_MASK), va);
	return 0;
}
SHELL_COMMAND(pagewalk, cmd_pagewalk, "pagewalk HEXADDR",
	      "walk the page tables for an address, level by level");

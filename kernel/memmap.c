/*
 * Showing the boot memory map: one line per region in Linux's e820 format
 * ("BIOS-e820: [mem 0x...-0x...] usable"), the EFI memory map at debug level, and a
 * summary line whose totals count every byte once even when the firmware's map is
 * unsorted or overlapping (reserved wins over usable, as in Linux's e820 cleanup).
 * Pure code: tests/host checks the arithmetic against a model.
 * docs/boot.md shows what QEMU's maps look like.
 */
#include <kernel/bootinfo.h>
#include <kernel/printk.h>
#include <lib/printf.h>

const char *mem_type_name(uint32_t type)
{
	switch (type) {
	case MEM_USABLE:
		return "usable";
	case MEM_ACPI_RECLAIMABLE:
		return "ACPI data";
	case MEM_ACPI_NVS:
		return "ACPI NVS";
	case MEM_BAD:
		return "unusable";
	default:
		return "reserved";	/* type 2, and any type we do not know must not be used */
	}
}

/* Exclusive end of @r, saturated so a hand-made region cannot wrap. */
static uint64_t region_end(const struct mem_region *r)
{
	return r->length > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->length;
}

/* The smallest region boundary above @x, or @x when there is none. */
static uint64_t next_boundary(const struct boot_info *bi, uint64_t x)
{
	uint64_t next = UINT64_MAX;
	bool found = false;
	unsigned int i;

	for (i = 0; i < bi->nr_mem; i++) {
		uint64_t b[2] = { bi->mem[i].base, region_end(&bi->mem[i]) };
		unsigned int k;

		for (k = 0; k < 2; k++) {
			if (b[k] > x && b[k] <= next) {
				next = b[k];
				found = true;
			}
		}
	}
	return found ? next : x;
}

/*
 * What covers the byte at @x: 0 (nothing), MEM_USABLE, or MEM_RESERVED when any other type
 * does. Reserved wins over usable, as in Linux's e820 sanitizer: using memory the firmware
 * claims is the dangerous mistake.
 */
static uint32_t cover_at(const struct boot_info *bi, uint64_t x)
{
	uint32_t kind = 0;
	unsigned int i;

	for (i = 0; i < bi->nr_mem; i++) {
		const struct mem_region *r = &bi->mem[i];

		if (x < r->base || x >= region_end(r))
			continue;
		if (r->type != MEM_USABLE)
			return MEM_RESERVED;
		kind = MEM_USABLE;
	}
	return kind;
}

struct mem_summary {
	uint64_t usable, reserved;	/* bytes, each byte counted once */
	uint64_t top;			/* highest exclusive end of a usable region */
	unsigned int nr_usable;		/* usable regions as listed, overlaps included */
};

/*
 * The map may be unsorted and overlapping. Every region boundary splits the address space
 * into pieces that are covered uniformly; visiting the pieces in address order counts each
 * byte once. O(n^2) for n <= BOOT_MAX_MEM_REGIONS, and no copy of the map on the stack.
 */
static void mem_summary(const struct boot_info *bi, struct mem_summary *s)
{
	uint64_t cur = 0, next;
	unsigned int i;

	*s = (struct mem_summary){ 0 };
	for (i = 0; i < bi->nr_mem; i++) {
		if (bi->mem[i].type != MEM_USABLE)
			continue;
		s->nr_usable++;
		s->top = MAX(s->top, region_end(&bi->mem[i]));
	}
	for (; (next = next_boundary(bi, cur)) != cur; cur = next) {
		uint32_t kind = cover_at(bi, cur);

		if (kind == MEM_USABLE)
			s->usable += next - cur;
		else if (kind == MEM_RESERVED)
			s->reserved += next - cur;
	}
}

static const char *efi_type_name(uint32_t type)
{
	/* UEFI memory types 0..14, in the specification's order. */
	static const char *const names[] = {
		"Reserved", "Loader Code", "Loader Data", "Boot Code", "Boot Data",
		"Runtime Code", "Runtime Data", "Conventional", "Unusable", "ACPI Reclaim",
		"ACPI NVS", "MMIO", "MMIO Port", "PAL Code", "Persistent",
	};

	return type < ARRAY_SIZE(names) ? names[type] : "Unknown";
}

static void print_efi_map(const struct boot_info *bi)
{
	unsigned int i;

	printk(KERN_INFO "efi: %u descriptors (version %u, size %u)\n", bi->efi_nr_desc,
		bi->efi_desc_version, bi->efi_desc_size);
	for (i = 0; i < bi->efi_nr_desc; i++) {
		const uint8_t *raw = (const uint8_t *)bi->efi_mmap + (size_t)i * bi->efi_desc_size;
		const struct efi_memory_desc *d = (const void *)raw;
		uint64_t start = d->phys_start, pages = d->num_pages;
		/* Saturate: a page count this large is nonsense, but must not wrap the end. */
		uint64_t bytes = pages >= (1ull << 52) ? UINT64_MAX : pages << 12;
		uint64_t last = bytes ? start + MIN(bytes - 1, UINT64_MAX - start) : start;

		printk(KERN_DEBUG "efi: mem%02u: [%s] range=[0x%016llx-0x%016llx] (%llu MB)\n", i,
			 efi_type_name(d->type), (unsigned long long)start,
			 (unsigned long long)last, (unsigned long long)(bytes >> 20));
	}
}

int e820_format_region(char *buf, size_t size, const struct mem_region *r)
{
	unsigned long long first = r->base, last = region_end(r) - (r->length ? 1 : 0);

	if (r->type >= MEM_USABLE && r->type <= MEM_BAD)
		return scnprintf(buf, size, "BIOS-e820: [mem 0x%016llx-0x%016llx] %s", first, last,
				 mem_type_name(r->type));
	return scnprintf(buf, size, "BIOS-e820: [mem 0x%016llx-0x%016llx] type %u", first, last,
			 r->type);
}

void boot_print_memory_map(const struct boot_info *bi)
{
	struct mem_summary s;
	char line[80];

	for (unsigned int i = 0; i < bi->nr_mem; i++) {
		e820_format_region(line, sizeof(line), &bi->mem[i]);
		printk(KERN_INFO "%s\n", line);
	}
	if (bi->efi_nr_desc)
		print_efi_map(bi);

	mem_summary(bi, &s);
	printk(KERN_INFO "Memory: %llu KiB usable in %u regions, %llu KiB reserved, top of RAM 0x%llx\n",
		(unsigned long long)(s.usable >> 10), s.nr_usable,
		(unsigned long long)(s.reserved >> 10), (unsigned long long)s.top);
}

/*
 * What the boot loader told us, in our own words. kernel/multiboot2.c fills one
 * struct boot_info from the multiboot2 information structure, validating every tag
 * it uses; the rest of the kernel reads only this, never the raw tags.
 * All addresses here are physical. Strings point into the (still mapped)
 * multiboot2 information, or are NULL when the tag was missing or malformed;
 * cmdline alone is never NULL ("" then), so it can be parsed without a check.
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include <kernel/compiler.h>

#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289u

/* Memory region types, as in the e820 map (and multiboot2's mmap tag). */
enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIMABLE = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
};

struct mem_region {
	uint64_t base;		/* bytes */
	uint64_t length;	/* bytes */
	uint32_t type;		/* enum mem_type; other values are reserved memory */
};

struct boot_module {
	uint64_t start, end;	/* [start, end) physical */
	const char *cmdline;
};

struct boot_framebuffer {
	uint64_t addr;
	uint32_t pitch, width, height;	/* bytes per line, pixels, pixels */
	uint8_t bpp, type;		/* type: 0 indexed, 1 RGB, 2 EGA text */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

/* One UEFI memory descriptor (the EFI memory map tag holds efi_desc_size-byte slots). */
struct efi_memory_desc {
	uint32_t type, pad;
	uint64_t phys_start, virt_start, num_pages, attribute;	/* pages of 4 KiB */
} __packed;

#define BOOT_MAX_MEM_REGIONS 128
#define BOOT_MAX_MODULES 16

struct boot_info {
	bool valid;			/* magic and total size were sane */
	const char *cmdline;
	const char *loader_name;

	struct mem_region mem[BOOT_MAX_MEM_REGIONS];	/* in the order given, not sorted */
	unsigned int nr_mem;
	bool mem_from_basic;		/* no mmap tag: built from mem_lower/mem_upper */
	bool mem_truncated;		/* more entries than BOOT_MAX_MEM_REGIONS */

	/* EFI memory map, kept raw: descriptors of efi_desc_size bytes each. */
	const void *efi_mmap;
	uint32_t efi_desc_size, efi_desc_version;
	unsigned int efi_nr_desc;

	struct boot_module modules[BOOT_MAX_MODULES];
	unsigned int nr_modules;

	bool has_framebuffer;
	struct boot_framebuffer fb;

	/* ACPI RSDP copied out of the tag: revision 0 (20 bytes) or 2+ (36 bytes). */
	bool has_rsdp;
	uint8_t rsdp[36];
	unsigned int rsdp_len;

	uint64_t info_phys;		/* where the information structure is, and its size */
	uint32_t info_size;
	unsigned int nr_warnings;	/* malformed or unexpected tags reported */
};

/*
 * Parse the multiboot2 information at @info (a mapped pointer to @avail readable
 * bytes, at physical address @info_phys). Never reads past @avail or past the
 * structure's own total_size; each problem is logged with pr_warn and counted.
 * Returns 0, or -EINVAL when the structure as a whole is unusable.
 */
int multiboot2_parse(const void *info, size_t avail, uint64_t info_phys, struct boot_info *bi);

/* Logs the memory map in Linux's "BIOS-e820: [mem 0x...-0x...] usable" format. */
void boot_print_memory_map(const struct boot_info *bi);

/* One region as a line of that format (no newline); returns its length. */
int e820_format_region(char *buf, size_t size, const struct mem_region *r);

/* Name of a memory type as Linux's e820 code prints it ("usable", "ACPI NVS" ...). */
const char *mem_type_name(uint32_t type);

extern struct boot_info boot_info;

#endif

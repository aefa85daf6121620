/*
 * Showing memory the way Linux's tools do: the boot summary line ("Memory:
 * 123456K/131072K available (...)"), and the shell's `free` (procps columns),
 * `meminfo` (/proc/meminfo's first lines, the vmalloc totals, DirectMap sizes, and per-zone
 * counters and watermarks as /proc/zoneinfo shows them) and `buddyinfo` (/proc/buddyinfo).
 * Numbers come straight from the zones; nothing here changes state.
 */
#include <kernel/console.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <mm/swap.h>
#include <mm/vmalloc.h>

#define K(pages) ((unsigned long long)(pages) << (PAGE_SHIFT - 10))

/*
 * Pages that allocations could have without swapping: the free pages beyond the
 * reserves, plus the page cache's clean pages (dropping them costs only a later re-read),
 * Linux's MemAvailable without its "keep half the file pages" margin. The reserve of a
 * zone is its HIGH watermark plus the largest lowmem_reserve it keeps (totalreserve_pages).
 */
unsigned long si_mem_available(void)
{
	unsigned long reserve = 0, free = nr_free_pages(), clean;
	struct pagecache_stats pc;

	pagecache_get_stats(&pc);
	clean = pc.buffers + pc.cached - pc.dirty - pc.writeback;

	for (int i = 0; i < MAX_NR_ZONES; i++) {
		unsigned long most = 0;

		for (int j = 0; j < MAX_NR_ZONES; j++)
			most = MAX(most, zones[i].lowmem_reserve[j]);
		reserve += zones[i].watermark[WMARK_HIGH] + most;
	}
	return (free > reserve ? free - reserve : 0) + clean;
}

void mem_print_summary(void)
{
	const struct mem_boot_stats *s = &mem_boot_stats;

	printk(KERN_INFO "Zone ranges:\n");
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone *z = &zones[i];

		if (!z->spanned_pages)
			printk(KERN_INFO "  %-8s empty\n", z->name);
		else
			printk(KERN_INFO "  %-8s [mem 0x%016llx-0x%016llx]\n", z->name,
			       (unsigned long long)PFN_PHYS(z->zone_start_pfn),
			       (unsigned long long)PFN_PHYS(z->zone_start_pfn + z->spanned_pages) - 1);
	}
	printk(KERN_INFO "mm: direct map: %lluK in 4K pages, %lluM in 2M pages, %lluG in 1G pages\n",
	       (unsigned long long)s->direct_map[0] >> 10, (unsigned long long)s->direct_map[1] >> 20,
	       (unsigned long long)s->direct_map[2] >> 30);
	printk(KERN_INFO "mm: mm_init took %llu TSC ticks for %lu struct pages\n",
	       (unsigned long long)s->mm_init_tsc, max_pfn);
	printk(KERN_INFO "Memory: %lluK/%lluK available (%lluK kernel code, %lluK rodata, "
			 "%lluK data+bss, %lluK mem_map, %lluK page tables, %lluK reserved)\n",
	       K(totalram_pages()), K(s->ram_pages), K(s->kernel_code), K(s->kernel_rodata),
	       K(s->kernel_data), K(s->mem_map_pages), K(s->pgtable_pages), K(s->reserved_pages));
}

static unsigned long long scaled(unsigned long pages, unsigned int shift)
{
	return (unsigned long long)PFN_PHYS(pages) >> shift;
}

static int cmd_free(int argc, char **argv)
{
	unsigned int shift = 10;	/* -k: kibibytes, as procps' default */
	unsigned long total = totalram_pages(), free = nr_free_pages(), cache;
	struct pagecache_stats pc;

	if (argc > 2)
		return -EINVAL;
	if (argc == 2) {
		if (strcmp(argv[1], "-b") == 0)
			shift = 0;
		else if (strcmp(argv[1], "-k") == 0)
			shift = 10;
		else if (strcmp(argv[1], "-m") == 0)
			shift = 20;
		else if (strcmp(argv[1], "-g") == 0)
			shift = 30;
		else
			return -EINVAL;
	}
	console_printf("%-8s%12s%12s%12s%12s%12s%12s\n", "", "total", "used", "free", "shared",
		       "buff/cache", "available");
	/* procps: used = total - free - buff/cache. */
	pagecache_get_stats(&pc);
	cache = pc.buffers + pc.cached;
	console_printf("%-8s%12llu%12llu%12llu%12llu%12llu%12llu\n", "Mem:",
		       scaled(total, shift), scaled(total - free - cache, shift),
		       scaled(free, shift), 0ull, scaled(cache, shift),
		       scaled(si_mem_available(), shift));
	console_printf("%-8s%12llu%12llu%12llu\n", "Swap:", scaled(total_swap_pages(), shift),
		       scaled(total_swap_pages() - nr_free_swap_pages(), shift),
		       scaled(nr_free_swap_pages(), shift));
	return 0;
}
SHELL_COMMAND(free, cmd_free, "free [-b|-k|-m|-g]", "total, used and free memory (as procps free)");

static int cmd_buddyinfo(int argc, char **argv)
{
	char buf[BUDDYINFO_LINE_MAX * MAX_NR_ZONES];

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	buddyinfo_format(buf, sizeof(buf));
	console_puts(buf);
	return 0;
}
SHELL_COMMAND(buddyinfo, cmd_buddyinfo, "buddyinfo",
	      "free blocks of each order per zone (as /proc/buddyinfo)");

static void show_zone(const struct zone *z)
{
	console_printf("Node 0, zone %8s\n", z->name);
	console_printf("  pages free     %lu\n", zone_free_pages_all(z));
	console_printf("        min      %lu\n", z->watermark[WMARK_MIN]);
	console_printf("        low      %lu\n", z->watermark[WMARK_LOW]);
	console_printf("        high     %lu\n", z->watermark[WMARK_HIGH]);
	console_printf("        spanned  %lu\n", z->spanned_pages);
	console_printf("        present  %lu\n", z->present_pages);
	console_printf("        managed  %lu\n", z->managed_pages);
	console_printf("        protection: (%lu, %lu, %lu)\n", z->lowmem_reserve[0],
		       z->lowmem_reserve[1], z->lowmem_reserve[2]);
}

/* /proc/meminfo's lines that this kernel has. */
int meminfo_format(char *buf, size_t size)
{
	const struct mem_boot_stats *s = &mem_boot_stats;
	struct pagecache_stats pc;

	pagecache_get_stats(&pc);
	return scnprintf(buf, size,
			 "MemTotal:       %8llu kB\n"
			 "MemFree:        %8llu kB\n"
			 "MemAvailable:   %8llu kB\n"
			 "Buffers:        %8llu kB\n"
			 "Cached:         %8llu kB\n"
			 "Active(file):   %8llu kB\n"
			 "Inactive(file): %8llu kB\n"
			 "Dirty:          %8llu kB\n"
			 "SwapTotal:      %8llu kB\n"
			 "SwapFree:       %8llu kB\n"
			 "Writeback:      %8llu kB\n"
			 /* VmallocChunk: the largest free piece, as Linux before 5.3 (now 0). */
			 "VmallocTotal:   %8llu kB\n"
			 "VmallocUsed:    %8llu kB\n"
			 "VmallocChunk:   %8llu kB\n"
			 "DirectMap4k:    %8llu kB\n"
			 "DirectMap2M:    %8llu kB\n"
			 "DirectMap1G:    %8llu kB\n",
			 K(totalram_pages()), K(nr_free_pages()), K(si_mem_available()),
			 K(pc.buffers), K(pc.cached), K(pc.active), K(pc.inactive), K(pc.dirty),
			 K(total_swap_pages()), K(nr_free_swap_pages()), K(pc.writeback),
			 (unsigned long long)(VMALLOC_END + 1 - VMALLOC_START) >> 10,
			 K(vmalloc_nr_pages()), (unsigned long long)vmalloc_largest_free() >> 10,
			 (unsigned long long)s->direct_map[0] >> 10,
			 (unsigned long long)s->direct_map[1] >> 10,
			 (unsigned long long)s->direct_map[2] >> 10);
}

static int cmd_meminfo(int argc, char **argv)
{
	char buf[1024];

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	meminfo_format(buf, sizeof(buf));
	console_puts(buf);
	for (int i = 0; i < MAX_NR_ZONES; i++)
		if (zone_populated(&zones[i]))
			show_zone(&zones[i]);
	return 0;
}
SHELL_COMMAND(meminfo, cmd_meminfo, "meminfo",
	      "memory totals, and per zone: free, watermarks, spanned/present/managed pages");

/*
 * Bringing up memory management at boot (mm/init.c), in order:
 *   memblock from the boot memory map, reservations (kernel image, boot information,
 *   modules, low 1 MiB) -> new kernel page tables: the direct map of all RAM and the
 *   kernel image mapped W^X -> the struct page array -> zones and the buddy allocator.
 * -> the slab allocator's caches. After mm_init(), alloc_pages() and kmalloc() work and
 * memblock is no longer used.
 */
#ifndef MM_MM_H
#define MM_MM_H

#include <kernel/compiler.h>

#define VMEMMAP_START	0xffffea0000000000ull	/* the struct page array (mem_map) */

void mm_init(void);
struct pt_ops;
void preallocate_kernel_pgds(struct pt_ops *ops);	/* mm/mmap.c, from mm_init */
void mm_cache_init(void);	/* the mm_struct and vm_area_struct caches */
void mem_print_summary(void);	/* mm/show_mem.c */

/* mm/wx_check.c: pages of the kernel half both writable and executable (should be 0). */
unsigned long wx_count_pages(bool report);
void check_wx_pages(void);	/* the walk, with Linux's "Checked W+X mappings" verdict */

/* What the boot kept for itself, in pages, for `free` and the boot summary. */
struct mem_boot_stats {
	unsigned long ram_pages;	/* usable RAM per the memory map (after page alignment) */
	unsigned long reserved_pages;	/* of those, never given to the allocator */
	unsigned long kernel_code, kernel_rodata, kernel_data;	/* image, in pages */
	unsigned long mem_map_pages;	/* the struct page array */
	unsigned long pgtable_pages;	/* page tables built at boot */
	uint64_t direct_map[3];		/* bytes mapped with 4K, 2M, 1G pages */
	uint64_t mm_init_tsc;		/* TSC ticks mm_init() took */
};
extern struct mem_boot_stats mem_boot_stats;

#endif

/*
 * mm_init(): from the boot loader's memory map to a working page allocator.
 *  1. memblock gets the usable RAM and the reservations: the kernel image, the
 *     multiboot2 information and modules (memblock itself reserves the low 1 MiB).
 *  2. New kernel page tables (init_pgd): the direct map of every usable range at
 *     PAGE_OFFSET with the largest pages that fit (NX, global), and the kernel image
 *     with 4 KiB pages, text read+execute, rodata read-only, data read-write, the
 *     boot stack's guard page left out. Then CR3 switches from the early tables.
 *     Until then page-table pages must come from below 4 GiB, where the early
 *     direct map reaches.
 *  3. mem_map: one struct page per frame below max_pfn, at VMEMMAP_START, backed with
 *     2 MiB pages where possible. Frames in holes get a struct page too (marked
 *     reserved): a flat array is simple, and costs 64 bytes per 4 KiB of hole.
 *  4. Zones and the buddy allocator get every free range; watermarks are set.
 *  5. The slab allocator's own caches (kmem_cache_init) are set up on top of it, then
 *     the vmalloc area (vmalloc_init), from which kernel stacks come.
 * docs/memory.md walks through it.
 */
#define pr_fmt(fmt) "mm: " fmt

#include <asm/cpufeature.h>
#include <asm/x86.h>
#include <kernel/bootinfo.h>
#include <kernel/oops.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/radix_tree.h>
#include <lib/string.h>
#include <mm/memblock.h>
#include <mm/mm.h>
#include <mm/mmu_context.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>

struct mem_boot_stats mem_boot_stats;
static bool memblock_debug;

/* memblock=debug: print memblock's tables before the page allocator takes over, as Linux. */
static int set_memblock(const char *val)
{
	if (!val || strcmp(val, "debug"))
		return -EINVAL;
	memblock_debug = true;
	return 0;
}
KERNEL_PARAM("memblock", set_memblock, "debug");

extern const char _text[], _etext[], _erodata[], _edata[], _end[];
extern const char boot_stack_guard[];

/*
 * The boot's page source: table pages from memblock, cleared, counted in the boot summary.
 * They stay reserved; should an unmap after boot free one, kernel_pt_ops hands it to the
 * buddy allocator (mm/paging.c).
 */
static uint64_t boot_alloc_table(struct pt_ops *ops)
{
	uint64_t pa = memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE);

	(void)ops;
	if (pa) {
		memset(__va(pa), 0, PAGE_SIZE);
		mem_boot_stats.pgtable_pages++;
	}
	return pa;
}

/* Only a map that fails (and then panics) undoes itself at boot. */
static void boot_free_table(struct pt_ops *ops, uint64_t pa)
{
	(void)ops;
	memblock_phys_free(pa, PAGE_SIZE);
	mem_boot_stats.pgtable_pages--;
}

static struct pt_ops boot_pt_ops = { .alloc_table = boot_alloc_table,
				     .free_table = boot_free_table };

/*
 * What is in use before the allocator exists. The low 1 MiB is reserved by memblock itself;
 * ACPI tables and firmware data sit in regions the map does not call usable, which memblock
 * never counts as memory, so they need no reservation here.
 */
static void reserve_boot_ranges(void)
{
	memblock_reserve_named(KERNEL_PHYS, __pa(_end) - KERNEL_PHYS, "kernel image");
	if (boot_info.valid)
		memblock_reserve_named(boot_info.info_phys, boot_info.info_size,
				       "multiboot2 information");
	for (unsigned int i = 0; i < boot_info.nr_modules; i++)
		memblock_reserve_named(boot_info.modules[i].start,
				       boot_info.modules[i].end - boot_info.modules[i].start,
				       "boot module");
}

/*
 * CPU protections, each only when CPUID offers it (-cpu qemu64 has none of the newer ones):
 * NX and global pages shape the entries we are about to write; SMEP and SMAP stop the
 * kernel from executing or touching user pages by accident (a classic exploit path);
 * UMIP hides the descriptor-table addresses from ring 3; PCID tags TLB entries with the
 * address space, so a CR3 switch need not flush (mm/tlb.c). PCIDE may only be set while
 * CR3's low 12 bits are 0, which they are: the early tables use PCID 0.
 */
static void enable_paging_features(void)
{
	const struct { bool have; uint64_t cr4; const char *name; } bits[] = {
		{ boot_cpu.pge, X86_CR4_PGE, "pge" },
		{ boot_cpu.smep, X86_CR4_SMEP, "smep" },
		{ boot_cpu.smap, X86_CR4_SMAP, "smap" },
		{ boot_cpu.umip, X86_CR4_UMIP, "umip" },
		/* Only with PGE: toggling CR4.PGE is how flush_everything drops every PCID. */
		{ boot_cpu.pcid && boot_cpu.pge, X86_CR4_PCIDE, "pcid" },
	};
	uint64_t cr4 = read_cr4();
	char on[64];
	int n = 0;

	if (boot_cpu.nx) {
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
		n += snprintf(on + n, sizeof(on) - n, " nx");
	} else {
		supported_pte_mask &= ~_PAGE_NX;
	}
	if (!boot_cpu.pge)
		supported_pte_mask &= ~_PAGE_GLOBAL;
	for (unsigned int i = 0; i < ARRAY_SIZE(bits); i++) {
		if (!bits[i].have)
			continue;
		cr4 |= bits[i].cr4;
		n += snprintf(on + n, sizeof(on) - n, " %s", bits[i].name);
	}
	write_cr4(cr4);
	pr_info("protections on:%s\n", n ? on : " none");
	if (boot_cpu.pcid && !boot_cpu.pge)
		pr_info("pcid left off: the CPU has no global pages, which the whole flush needs\n");
}

static void map_or_die(uint64_t va, uint64_t pa, uint64_t size, pteval_t prot, bool large)
{
	if (kernel_map_range(va, pa, size, prot, large, &boot_pt_ops))
		panic("mm: out of memory building the kernel page tables");
}

/* The direct map: every usable range, the largest pages that fit; counts the sizes used. */
static void map_direct(void)
{
	for (unsigned long i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];

		map_or_die(PAGE_OFFSET + r->base, r->base, r->size, PAGE_KERNEL, true);
	}
	memcpy(mem_boot_stats.direct_map, kernel_map_bytes, sizeof(kernel_map_bytes));
}

/* The kernel image at KERNEL_VMA, one 4 KiB page at a time, each section its own rights. */
static void map_kernel_image(void)
{
	uint64_t guard = (uint64_t)boot_stack_guard;

	map_or_die((uint64_t)_text, __pa(_text), _etext - _text, PAGE_KERNEL_EXEC, false);
	map_or_die((uint64_t)_etext, __pa(_etext), _erodata - _etext, PAGE_KERNEL_RO, false);
	map_or_die((uint64_t)_erodata, __pa(_erodata), guard - (uint64_t)_erodata, PAGE_KERNEL,
		   false);
	map_or_die(guard + PAGE_SIZE, __pa((void *)(guard + PAGE_SIZE)),
		   (uint64_t)_end - guard - PAGE_SIZE, PAGE_KERNEL, false);
	mem_boot_stats.kernel_code = (_etext - _text) >> PAGE_SHIFT;
	mem_boot_stats.kernel_rodata = (_erodata - _etext) >> PAGE_SHIFT;
	mem_boot_stats.kernel_data = (_end - _erodata) >> PAGE_SHIFT;
}

static void paging_init(void)
{
	uint64_t pgd = boot_alloc_table(&boot_pt_ops);

	if (!pgd)
		panic("mm: no memory for the kernel page table");
	init_pgd = __va(pgd);
	enable_paging_features();
	map_direct();
	map_kernel_image();
	write_cr3(pgd);
	/* From here on page-table pages may come from anywhere: all RAM is mapped. */
	memblock_set_current_limit(memblock_end_of_DRAM());
}

/* Back [VMEMMAP_START, + max_pfn struct pages) with memory: 2 MiB pages, 4 KiB at the end. */
static void vmemmap_populate(unsigned long nr_pfns)
{
	uint64_t bytes = ALIGN_UP((uint64_t)nr_pfns * sizeof(struct page), PAGE_SIZE);
	uint64_t done = 0;

	while (done < bytes) {
		uint64_t left = bytes - done, pa = 0, chunk = PMD_SIZE;

		if (left >= PMD_SIZE)
			pa = memblock_phys_alloc(PMD_SIZE, PMD_SIZE);
		if (!pa) {
			chunk = PAGE_SIZE;
			pa = memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE);
		}
		if (!pa)
			panic("mm: no memory for %lu struct pages", nr_pfns);
		map_or_die(VMEMMAP_START + done, pa, chunk, PAGE_KERNEL, true);
		done += chunk;
	}
	mem_boot_stats.mem_map_pages = bytes >> PAGE_SHIFT;
	mem_map = (struct page *)VMEMMAP_START;
}

static void free_all_memory(void)
{
	uint64_t cursor = 0, start, end;

	/* Free ranges are byte-granular (reservations need not be page aligned): whole pages only. */
	while (memblock_next_free_range(&cursor, &start, &end))
		if (PFN_UP(start) < PFN_DOWN(end))
			free_pages_core(PFN_UP(start), PFN_DOWN(end));
}

void mm_init(void)
{
	uint64_t t0 = rdtsc();

	memblock_init_from_map(boot_info.mem, boot_info.nr_mem);
	memblock_set_current_limit(EARLY_DIRECT_MAP_SIZE);
	reserve_boot_ranges();
	paging_init();
	init_mm_setup();
	if (memblock_debug)
		memblock_dump();
	max_pfn = PFN_DOWN(memblock_end_of_DRAM());
	vmemmap_populate(max_pfn);
	preallocate_kernel_pgds(&boot_pt_ops);	/* the kernel half is complete from here */
	zones_init(max_pfn);
	for (unsigned long i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];

		account_present_pages(PFN_DOWN(r->base), PFN_DOWN(r->base + r->size));
	}
	mem_boot_stats.ram_pages = memblock_phys_mem_size() >> PAGE_SHIFT;
	free_all_memory();
	setup_zone_watermarks();
	mem_boot_stats.reserved_pages = mem_boot_stats.ram_pages - totalram_pages();
	mem_boot_stats.mm_init_tsc = rdtsc() - t0;
	mem_print_summary();
	check_wx_pages();
	kmem_cache_init();	/* the slab allocator stands on the page allocator */
	radix_tree_init();	/* its node cache: the page cache keeps pages in radix trees */
	mm_cache_init();	/* address spaces: mm_struct and vm_area_struct caches */
	vmalloc_init();		/* the vmalloc area: kernel stacks come from it */
}

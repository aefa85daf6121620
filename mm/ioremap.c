/*
 * ioremap and iounmap: device registers mapped into the vmalloc area. An ioremap area is a
 * vmalloc area without pages (VM_IOREMAP, phys_addr set): the physical range is mapped
 * with PAGE_KERNEL_NOCACHE (uncached, not executable, global) in 4 KiB pages, and taken
 * away lazily like any area (mm/vmalloc.c), which suits device memory too: until the purge
 * flushes, only this freed range can still be translated, and no one else gets it.
 * RAM that the page allocator manages is refused, as on Linux: a second, uncached mapping
 * of memory someone uses cached invites the attribute conflicts the CPU manuals forbid.
 * Frames marked reserved (firmware, holes, the low 1 MiB) may be mapped.
 * The local APIC is not mapped here but at its fixmap slot (drivers/irq/lapic.c), as on
 * Linux: it is needed in time_init, with interrupts still off, where vmalloc refuses.
 */
#define pr_fmt(fmt) "ioremap: " fmt

#include <asm/io.h>
#include <kernel/printk.h>
#include <mm/page.h>
#include "vmalloc_internal.h"

#define PHYS_LIMIT	(1ull << 52)	/* what a page-table entry can address */

/* Is a frame of [pfn, end) RAM in the page allocator's hands? */
static bool range_has_ram(unsigned long pfn, unsigned long end)
{
	for (; pfn < end && pfn < max_pfn; pfn++)
		if (!PageFlag(pfn_to_page(pfn), PG_reserved))
			return true;
	return false;
}

void *ioremap(uint64_t phys, unsigned long size)
{
	const void *caller = __builtin_return_address(0);
	uint64_t offset = phys & (PAGE_SIZE - 1), base = phys - offset;
	uint64_t bytes = ALIGN_UP(size + offset, PAGE_SIZE);
	struct vm_struct *vm;

	if (!vmalloc_context_ok("ioremap", caller))
		return NULL;
	if (!size || bytes < size || base + bytes > PHYS_LIMIT || base + bytes < base) {
		pr_err("bad range: %lu bytes at 0x%llx\n", size, (unsigned long long)phys);
		return NULL;
	}
	if (range_has_ram(PFN_DOWN(base), PFN_DOWN(base + bytes))) {
		pr_err("ioremap on RAM at 0x%016llx - 0x%016llx refused\n",
		       (unsigned long long)base, (unsigned long long)(base + bytes - 1));
		return NULL;
	}
	vm = __get_vm_area_caller(bytes, PAGE_SIZE, VM_IOREMAP, caller);
	if (!vm)
		return NULL;
	vm->phys_addr = base;
	if (vmap_phys_range((uint64_t)vm->addr, base, bytes, PAGE_KERNEL_NOCACHE)) {
		free_area_lazily(vm);
		return NULL;
	}
	return (char *)vm->addr + offset;
}

void iounmap(volatile void *addr)
{
	uint64_t a = ALIGN_DOWN((uint64_t)addr, PAGE_SIZE);
	struct vm_struct *vm;

	if (!addr)
		return;
	vm = claim_area((void *)a, VM_IOREMAP, "iounmap", __builtin_return_address(0));
	if (vm)
		free_area_lazily(vm);
}

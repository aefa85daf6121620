/*
 * ioremap and iounmap: device registers mapped into the vmalloc area. An ioremap area is a
 * vmalloc area without pages (VM_IOREMAP, phys_addr set): the physical range is mapped
 * with PAGE_KERNEL_NOCACHE (uncached, not executable, global) in 4 KiB pages, and taken
 * away lazily like any area (mm/vmalloc.c), which suits device memory too: until the purge
 * flushes, only this freed range can still be translated, and no one else gets it.
 * RAM that the page allocator manages is refused, as on Linux: a second, uncached mapping
 * of memory someone uses cached invites the attribute conflicts the CPU manuals forbid.
 * Frames marked reserved (firmware, holes, the low 1 MiB) may be mapped.
 * ioremap_wc maps a framebuffer write-combining: the CPU gathers its writes into bursts
 * instead of one bus cycle per store. Our PAT (programmed on first use, see pat_enable_wc)
 * makes PWT alone mean WC, as Linux does; nothing else maps with PWT without PCD.
 * The local APIC is not mapped here but at its fixmap slot (drivers/irq/lapic.c), as on
 * Linux: it is needed in time_init, with interrupts still off, where vmalloc refuses.
 */
#define pr_fmt(fmt) "ioremap: " fmt

#include <asm/io.h>
#include <asm/x86.h>
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

static void *__ioremap(uint64_t phys, unsigned long size, pteval_t prot, const void *caller)
{
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
	if (vmap_phys_range((uint64_t)vm->addr, base, bytes, prot)) {
		free_area_lazily(vm);
		return NULL;
	}
	return (char *)vm->addr + offset;
}

void *ioremap(uint64_t phys, unsigned long size)
{
	return __ioremap(phys, size, PAGE_KERNEL_NOCACHE, __builtin_return_address(0));
}

#define MSR_IA32_PAT	0x277
#define PAT_WC		0x01ull		/* memory type encodings of a PAT entry */
#define PAT_WT		0x04ull
#define CPUID_1_EDX_PAT	(1u << 16)

/*
 * The PAT holds 8 memory types; a 4 KiB entry picks one with its PAT, PCD and PWT bits
 * (index PAT*4 + PCD*2 + PWT). The reset value has WT at index 1 (PWT alone); make that WC.
 * Safe to do at any time here because no mapping uses index 1 yet, so no cached translation
 * or cache line changes meaning. One CPU: a second one would have to load the same value.
 */
static bool pat_enable_wc(void)
{
	static int state;	/* 0: not tried, 1: WC at index 1, -1: no PAT */
	uint32_t a, b, c, d;
	uint64_t pat;

	if (state)
		return state > 0;
	cpuid(1, &a, &b, &c, &d);
	if (!(d & CPUID_1_EDX_PAT)) {
		state = -1;
		return false;
	}
	pat = rdmsr(MSR_IA32_PAT);
	if ((pat >> 8 & 0xff) == PAT_WT)
		wrmsr(MSR_IA32_PAT, (pat & ~0xff00ull) | PAT_WC << 8);
	state = (rdmsr(MSR_IA32_PAT) >> 8 & 0xff) == PAT_WC ? 1 : -1;
	return state > 0;
}

void *ioremap_wc(uint64_t phys, unsigned long size)
{
	pteval_t prot = pat_enable_wc() ? PAGE_KERNEL_WC : PAGE_KERNEL_NOCACHE;

	return __ioremap(phys, size, prot, __builtin_return_address(0));
}

bool ioremap_wc_available(void)
{
	return pat_enable_wc();
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

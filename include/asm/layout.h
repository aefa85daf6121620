/*
 * The virtual memory map (DESIGN.md section 3), usable from C and from assembly.
 * The kernel image is linked at KERNEL_VMA + its physical load address, so that
 * virtual = physical + KERNEL_VMA inside the image; the direct map puts all of RAM
 * at PAGE_OFFSET. boot/ maps the first 4 GiB there; mm/init.c then maps all usable RAM.
 */
#ifndef ASM_LAYOUT_H
#define ASM_LAYOUT_H

#define KERNEL_VMA		0xffffffff80000000
#define KERNEL_PHYS		0x200000	/* where GRUB loads the image: 2 MiB */
#define PAGE_OFFSET		0xffff888000000000
#define VMALLOC_START		0xffffc90000000000	/* vmalloc, vmap, ioremap: 32 TiB */
#define VMALLOC_END		0xffffe8ffffffffff	/* the last byte */
#define EARLY_DIRECT_MAP_SIZE	0x100000000	/* 4 GiB mapped by boot/ */

#define PAGE_SIZE		4096
#define PAGE_SHIFT		12

#define BOOT_STACK_SIZE		16384		/* bytes; a guard page lies below it */
#define IST_STACK_SIZE		8192

/* Kernel stacks of tasks: vmalloc areas (kernel/kstack.c), each with its guard pages. */
#define THREAD_SIZE		16384		/* bytes of one kernel stack */

/*
 * Fixmap: fixed virtual addresses for the few device registers the kernel needs before
 * (or without) an ioremap, in the 2 MiB right below the kernel image. Slot N is the page
 * at FIXMAP_START + N * PAGE_SIZE, mapped uncached (PCD|PWT) and NX by the driver that
 * owns it. Today: the local APIC's registers (drivers/irq/lapic.c) and the IOAPICs'
 * (drivers/irq/ioapic.c, one slot per IOAPIC the MADT may list).
 */
#define FIXMAP_START		(KERNEL_VMA - 0x200000)
#define FIX_APIC_BASE		0
#define FIX_IO_APIC_BASE_0	1
#define FIX_IO_APIC_SLOTS	8	/* ACPI_MAX_IOAPICS */
#define FIX_NR_SLOTS		(FIX_IO_APIC_BASE_0 + FIX_IO_APIC_SLOTS)
#define fix_to_virt(slot)	(FIXMAP_START + (slot) * PAGE_SIZE)

#ifndef __ASSEMBLER__
#include <stdint.h>

#ifdef HOSTED_TEST
/* Host unit tests give the fake machine's "physical memory" a place in their heap. */
extern char *host_phys_base;
static inline void *__va(uint64_t phys) { return host_phys_base + phys; }
static inline uint64_t __pa(const void *virt) { return (uint64_t)((const char *)virt - host_phys_base); }
#else
/* Physical <-> virtual through the direct map (Linux's __va / __pa). */
static inline void *__va(uint64_t phys) { return (void *)(phys + PAGE_OFFSET); }
static inline uint64_t __pa(const void *virt)
{
	uint64_t v = (uint64_t)virt;

	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - PAGE_OFFSET;
}
#endif
#endif

#endif

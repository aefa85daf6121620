/*
 * Device memory: ioremap maps a device's registers (memory-mapped I/O) into the vmalloc
 * area, uncached (PCD|PWT) and not executable, so every read and write reaches the device
 * in program order (mm/ioremap.c). readl/writel are the accessors: one volatile access of
 * the width named, which the compiler may neither merge, split nor drop.
 */
#ifndef ASM_IO_H
#define ASM_IO_H

#include <kernel/compiler.h>

/*
 * Map @size bytes of device memory at physical @phys (any alignment; the pages around it
 * are mapped, the returned pointer is at @phys's offset). NULL for RAM the page allocator
 * manages (that is what kmalloc and vmalloc are for), a bad range, or no memory; refused
 * in atomic context as vmalloc is. Linux returns void __iomem *; sparse is not used here.
 */
void *ioremap(uint64_t phys, unsigned long size);
/* The same, write-combining where the CPU has a PAT (framebuffers), else uncached. */
void *ioremap_wc(uint64_t phys, unsigned long size);
bool ioremap_wc_available(void);	/* whether ioremap_wc gives write-combining */
void iounmap(volatile void *addr);

static inline uint32_t readl(const volatile void *addr) { return *(const volatile uint32_t *)addr; }
static inline void writel(uint32_t v, volatile void *addr) { *(volatile uint32_t *)addr = v; }

#endif

/*
 * Thin wrappers around the x86_64 instructions C cannot express: port I/O, MSRs,
 * control registers, CPUID, the TSC and the interrupt flag. Each is one instruction;
 * the "memory" clobbers keep the compiler from moving memory accesses across them
 * where ordering matters (I/O, CR3, interrupt enable).
 */
#ifndef ASM_X86_H
#define ASM_X86_H

#include <kernel/compiler.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port) : "memory"); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port) : "memory"); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port) : "memory"); }
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* A write to an unused port: a ~1 us delay that old devices (PIC, PIT) need. */
static inline void io_delay(void) { outb(0x80, 0); }

/* The operand of lgdt/lidt: a table's size minus one and its address. */
struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

#define MSR_EFER		0xc0000080
#define EFER_LMA		(1ull << 10)	/* long mode active: read-only */
#define EFER_NXE		(1ull << 11)

/* CR4 bits we set. */
#define X86_CR4_PGE		(1ull << 7)	/* global pages */
#define X86_CR4_UMIP		(1ull << 11)	/* user-mode instruction prevention */
#define X86_CR4_PCIDE		(1ull << 17)	/* process-context identifiers */
#define X86_CR4_SMEP		(1ull << 20)	/* supervisor-mode execution prevention */
#define X86_CR4_SMAP		(1ull << 21)	/* supervisor-mode access prevention */
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c,
			       uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	cpuid_count(leaf, 0, a, b, c, d);
}

static inline uint64_t read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v) :: "memory");
	return v;
}

static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v) :: "memory");
	return v;
}

#ifdef HOSTED_TEST
/* The TLB's host test (tests/host/tlb) supplies these: a model CPU with a tagged TLB. */
uint64_t read_cr3(void);
uint64_t read_cr4(void);
void invlpg(uint64_t va);
void write_cr3(uint64_t v);
void write_cr4(uint64_t v);
#else
static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v) :: "memory");
	return v;
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v) :: "memory");
	return v;
}

/* Drop this CPU's TLB entry (and cached table walks) for the page holding @va. */
static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }

static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
#endif

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t read_rflags(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f) :: "memory");
	return f;
}

#define X86_EFLAGS_TF	(1ul << 8)	/* trap after each instruction (single step) */
#define X86_EFLAGS_IF	(1ul << 9)
#define X86_EFLAGS_DF	(1ul << 10)	/* string instructions go down */
#define X86_EFLAGS_NT	(1ul << 14)
#define X86_EFLAGS_RF	(1ul << 16)	/* resume: no debug fault on the next instruction */
#define X86_EFLAGS_AC	(1ul << 18)	/* alignment check; with SMAP: user access allowed */

#ifdef HOSTED_TEST
/* Host unit tests run in user mode, where cli/sti fault: there are no interrupts to stop. */
static inline void local_irq_disable(void) { }
static inline void local_irq_enable(void) { }
static inline bool irqs_disabled(void) { return true; }
#else
static inline void local_irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void local_irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline bool irqs_disabled(void) { return !(read_rflags() & X86_EFLAGS_IF); }
#endif

/* Save the interrupt flag and disable interrupts; restore puts back what was saved. */
static inline unsigned long local_irq_save(void)
{
	unsigned long flags = read_rflags();

	local_irq_disable();
	return flags;
}

static inline void local_irq_restore(unsigned long flags)
{
	if (flags & X86_EFLAGS_IF)
		local_irq_enable();
}

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void halt(void) { __asm__ volatile("hlt" ::: "memory"); }

/* Wait for the next interrupt with interrupts on; "sti; hlt" cannot lose a wakeup. */
static inline void safe_halt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

#endif

/*
 * Per-CPU GDT and TSS. In long mode segments are mostly gone: code segments only
 * say "64-bit, ring N", data segments are ignored for addressing. What still matters
 * is the TSS: it holds the stack to switch to on an interrupt from user mode (rsp0)
 * and the Interrupt Stack Table, the known-good stacks that the double fault, NMI and
 * machine check handlers always run on, so they work even when the current stack is
 * gone (a kernel stack overflow). docs/boot.md has the descriptor layouts.
 */
#include <asm/segment.h>
#include <asm/x86.h>
#include <kernel/percpu.h>
#include <kernel/process.h>

struct cpu cpus[NR_CPUS];

/* Descriptor bits: present, DPL, code/data (S), executable, writable, 64-bit (L). */
#define SEG_P		(1ull << 47)
#define SEG_DPL3	(3ull << 45)
#define SEG_S		(1ull << 44)
#define SEG_CODE	(1ull << 43)
#define SEG_RW		(1ull << 41)
#define SEG_L		(1ull << 53)

static void fill_gdt(struct cpu *c)
{
	uint64_t tss = (uint64_t)&c->tss;
	uint64_t limit = sizeof(c->tss) - 1;

	c->gdt[0] = 0;
	c->gdt[GDT_KERNEL_CS / 8] = SEG_P | SEG_S | SEG_CODE | SEG_RW | SEG_L;
	c->gdt[GDT_KERNEL_DS / 8] = SEG_P | SEG_S | SEG_RW;
	c->gdt[GDT_USER_DS / 8] = SEG_P | SEG_DPL3 | SEG_S | SEG_RW;
	c->gdt[GDT_USER_CS / 8] = SEG_P | SEG_DPL3 | SEG_S | SEG_CODE | SEG_RW | SEG_L;
	/* A 64-bit TSS descriptor (type 9, available) spans two slots: base bits 32..63 in the second. */
	c->gdt[GDT_TSS / 8] = (limit & 0xffff) | ((tss & 0xffffff) << 16) | (0x9ull << 40) | SEG_P |
			      (((limit >> 16) & 0xf) << 48) | (((tss >> 24) & 0xff) << 56);
	c->gdt[GDT_TSS / 8 + 1] = tss >> 32;
}

static void load_gdt(struct cpu *c)
{
	struct desc_ptr ptr = { sizeof(c->gdt) - 1, (uint64_t)c->gdt };

	__asm__ volatile("lgdt %0" :: "m"(ptr));
	/* Reload CS with a far return, then the data segments, then the task register. */
	__asm__ volatile("pushq %0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %1, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 :: "i"(GDT_KERNEL_CS), "i"(GDT_KERNEL_DS) : "rax", "memory");
	__asm__ volatile("ltr %w0" :: "r"(GDT_TSS));
}

void cpu_init(unsigned int id)
{
	struct cpu *c = &cpus[id];

	c->self = c;
	c->id = id;
	for (int i = 0; i < IST_COUNT; i++)
		c->tss.ist[i] = (uint64_t)c->ist_stacks[i] + IST_STACK_SIZE;	/* stacks grow down */
	c->tss.iomap_base = sizeof(c->tss);	/* no I/O permission bitmap */
	fill_gdt(c);
	load_gdt(c);
	/* fs and gs selectors are 0 (null): loading gs would clear the base, so write it last. */
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	/*
	 * The `syscall` MSRs are per CPU too (entry point, and the selectors of this GDT that
	 * syscall and sysret load): without them a process on an AP jumps to address 0.
	 */
	syscall_init();
}

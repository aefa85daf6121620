/*
 * Per-CPU data. Each CPU's GS base points at its own struct cpu, whose first field
 * points back at itself, so this_cpu() is one load from %gs:0 and no code needs a
 * global "current CPU" variable. cpus[0] is the boot CPU; kernel/smpboot.c starts the
 * others (cpus[1..]), which today wait halted: only CPU 0 runs tasks. The GDT, TSS and IST stacks are per CPU because the TSS is.
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include <asm/layout.h>

/* Offsets kernel/entry_syscall.S uses (checked against struct cpu in kernel/gdt.c). */
#define CPU_USER_RSP		8
#define CPU_TOP_OF_STACK	16

#ifndef __ASSEMBLER__
#include <kernel/compiler.h>

#define NR_CPUS 8

struct trap_catcher;
struct task_struct;
struct rq;

/* Interrupt stack table slots (1-based in the IDT gate). */
enum { IST_DOUBLE_FAULT = 1, IST_NMI = 2, IST_MACHINE_CHECK = 3, IST_COUNT = 3 };

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];	/* stack loaded on a change to ring 0..2 */
	uint64_t reserved1;
	uint64_t ist[7];	/* ist[0] is IST1 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

struct cpu {
	struct cpu *self;		/* must stay first: this_cpu() reads %gs:0 */
	/*
	 * syscall does not switch stacks: its entry parks the user's rsp here and loads the
	 * current task's kernel stack top (the same as tss.rsp[0], set at every switch).
	 */
	uint64_t user_rsp;
	uint64_t top_of_stack;
	unsigned int id;
	uint32_t apic_id;		/* its local APIC's ID (the MADT's), the IPI destination */
	uint64_t apic_timer_khz;	/* its APIC timer's counts per ms, measured against the TSC */
	/*
	 * The task running on this CPU (`current`, include/sched/task.h) and the preemption
	 * count (include/kernel/preempt.h). Both are read with one %gs-relative instruction.
	 * preempt_count is per CPU, not per task: every task switches with the same count
	 * (schedule's own disable plus the run-queue lock), so nothing needs saving.
	 */
	struct task_struct *current_task;
	int preempt_count;
	struct rq *rq;			/* this CPU's run queue (this_rq), set by sched_init */
	unsigned int in_nmi;		/* > 0 while the NMI handler runs: printk must not wait */
	struct trap_catcher *catcher;	/* armed by a test expecting an exception, or NULL */
	uint64_t gdt[7];		/* null, kcode, kdata, udata, ucode, tss (2 slots) */
	struct tss tss;
	uint8_t ist_stacks[IST_COUNT][IST_STACK_SIZE] __aligned(16);
};

extern struct cpu cpus[NR_CPUS];

#ifdef HOSTED_TEST
/* Host unit tests run the per-CPU code as CPU 0 (there is no GS base to read). */
static inline struct cpu *this_cpu(void) { return &cpus[0]; }
#else
static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}
#endif

static inline unsigned int smp_processor_id(void) { return this_cpu()->id; }

/* Point GS at cpus[id] and load its GDT, TSS and segments (kernel/gdt.c). */
void cpu_init(unsigned int id);

#endif /* __ASSEMBLER__ */
#endif

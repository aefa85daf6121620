/*
 * The Interrupt Descriptor Table: 256 gates, gate N pointing at stub N of
 * kernel/entry.S. All are interrupt gates (the CPU clears IF on entry) for ring 0
 * only, except that the double fault, NMI and machine check switch to their own
 * IST stacks (kernel/gdt.c), so they run even when the kernel stack is unusable.
 * do_interrupt() is where every vector arrives in C, and where an interrupt that made
 * a more important task runnable preempts the interrupted one.
 */
#include <asm/segment.h>
#include <asm/x86.h>
#include <kernel/hrtimer.h>
#include <kernel/irq.h>
#include <kernel/percpu.h>
#include <kernel/preempt.h>
#include <kernel/signal.h>
#include <kernel/traps.h>
#include <mm/fault.h>
#include <sched/task.h>

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;		/* bits 0..2: IST slot, 0 = stay on the current stack */
	uint8_t type_attr;	/* present, DPL, type 0xe = 64-bit interrupt gate */
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __packed;

#define GATE_INTERRUPT	0x8e	/* P=1, DPL=0, type=0xe */

static struct idt_gate idt[256] __aligned(16);
extern const char isr_stubs[];	/* 256 stubs, 16 bytes apart */

static void set_gate(unsigned int vector, unsigned int ist)
{
	uint64_t addr = (uint64_t)isr_stubs + 16 * vector;

	idt[vector] = (struct idt_gate){
		.offset_lo = addr & 0xffff,
		.selector = GDT_KERNEL_CS,
		.ist = ist,
		.type_attr = GATE_INTERRUPT,
		.offset_mid = (addr >> 16) & 0xffff,
		.offset_hi = addr >> 32,
	};
}

/* Every CPU loads the same table: the BSP in idt_init, each AP in start_secondary. */
void idt_load(void)
{
	struct desc_ptr ptr = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" :: "m"(ptr));
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++)
		set_gate(v, 0);
	set_gate(X86_TRAP_DF, IST_DOUBLE_FAULT);
	set_gate(X86_TRAP_NMI, IST_NMI);
	set_gate(X86_TRAP_MC, IST_MACHINE_CHECK);
	idt_load();
}

/*
 * Device interrupts count as hard-interrupt context in the preemption count while their
 * handler runs (nothing may sleep there). On the way out, if the handler woke a task
 * that should run now (need_resched), the interrupted task is preempted right here,
 * unless it had interrupts or preemption disabled (sched/core.c).
 */
void do_interrupt(struct pt_regs *regs)
{
	/*
	 * The CPU keeps EFLAGS.AC on delivery: an interrupt inside a user_access_begin window
	 * would run its handler with SMAP off. Close the window; iretq restores the flag.
	 */
	user_access_end();
	if (regs->vector < NR_EXCEPTIONS) {
		do_exception(regs);
	} else {
		irq_enter();
		tick_irq_enter();
		do_irq(regs->vector);
		irq_exit();
		irqentry_exit_cond_resched(regs);
	}
	/* Back to user mode: first what is due there (a signal to act on, a reschedule). */
	if (user_mode(regs) && regs->vector != X86_TRAP_NMI) {
		local_irq_disable();
		exit_to_user_mode(regs);
	}
}

/*
 * Interrupt descriptor table and exception handling (kernel/idt.c, kernel/traps.c).
 * Vectors 0..31 are CPU exceptions, 32..95 device IRQ 0..63 (kernel/irq.h: the PIC's or
 * the IOAPIC's), 236 the local APIC timer, 254 the APIC error interrupt, 255 the spurious
 * vector; the rest are free for IPIs later.
 */
#ifndef KERNEL_TRAPS_H
#define KERNEL_TRAPS_H

#include <asm/ptrace.h>

enum {
	X86_TRAP_DE = 0, X86_TRAP_DB, X86_TRAP_NMI, X86_TRAP_BP, X86_TRAP_OF, X86_TRAP_BR,
	X86_TRAP_UD, X86_TRAP_NM, X86_TRAP_DF, X86_TRAP_OLD_MF, X86_TRAP_TS, X86_TRAP_NP,
	X86_TRAP_SS, X86_TRAP_GP, X86_TRAP_PF, X86_TRAP_SPURIOUS, X86_TRAP_MF, X86_TRAP_AC,
	X86_TRAP_MC, X86_TRAP_XF, X86_TRAP_VE, X86_TRAP_CP,
	X86_TRAP_VC = 29, X86_TRAP_SX = 30,
	NR_EXCEPTIONS = 32,
};

#define IRQ_BASE_VECTOR		32
#define LOCAL_TIMER_VECTOR	0xec	/* 236, Linux's */
#define CALL_FUNCTION_VECTOR	0xfb	/* IPIs (kernel/smp.c); Linux's numbers */
#define RESCHEDULE_VECTOR	0xfd
#define SPURIOUS_VECTOR		255

/* #PF error code bits. */
#define X86_PF_PROT	(1u << 0)	/* 0: page not present, 1: protection violation */
#define X86_PF_WRITE	(1u << 1)
#define X86_PF_USER	(1u << 2)
#define X86_PF_RSVD	(1u << 3)	/* a reserved bit was set in a paging entry */
#define X86_PF_INSTR	(1u << 4)	/* instruction fetch */
#define X86_PF_PK	(1u << 5)
#define X86_PF_SHSTK	(1u << 6)

void idt_init(void);
void idt_load(void);	/* this CPU's IDTR -> the one table (each AP at bring-up) */
void do_interrupt(struct pt_regs *regs);
void do_exception(struct pt_regs *regs);
const char *exception_name(unsigned int vector);

/*
 * Catching an expected exception, for tests: arm a trap_catcher, run code that
 * faults, and the handler records what happened and resumes at the catch point
 * instead of reporting an oops. A setjmp/longjmp pair in kernel/catch.S.
 */
struct trap_catcher {
	uint64_t jmp[8];		/* rbx rbp r12 r13 r14 r15 rsp rip of the catch point */
	bool armed;
	bool caught;
	uint64_t vector, error_code, cr2, rip;
};

/* Returns 0 when armed, 1 when coming back from a caught exception. */
int trap_catch_begin(struct trap_catcher *tc) __attribute__((returns_twice));
void trap_catch_end(struct trap_catcher *tc);

/* Run @fn with @tc armed on this CPU; returns whether an exception was caught. */
bool trap_catch_call(struct trap_catcher *tc, void (*fn)(void));

/* Is @addr inside a known stack guard (below the boot stack or a task's stack)? */
bool addr_in_stack_guard(uint64_t addr);

/* kernel/traps_user.c: an exception in user mode becomes a signal for the process. */
struct pt_regs;
enum fault_result;
void do_user_exception(struct pt_regs *regs, uint64_t cr2, enum fault_result r);

#endif

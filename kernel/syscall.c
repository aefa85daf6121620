/*
 * The system-call layer: the MSRs that make `syscall` enter entry_SYSCALL_64, the table
 * from Linux x86_64 numbers to handlers (include/kernel/syscalls.h), and the C half of the
 * entry: dispatch with interrupts on, then the work due before user mode.
 * An unknown number returns -ENOSYS and is logged once, by number and name (the names of
 * all of Linux's calls come from the build machine's kernel headers), so a program that
 * fails on a missing call says which one.
 * MSRs: EFER.SCE enables syscall; STAR[47:32] is the kernel CS (SS = CS + 8) for syscall,
 * STAR[63:48] + 16 the user CS and + 8 the user SS for sysret, which is why the GDT has
 * kernel CS, kernel DS, user DS, user CS in that order (include/asm/segment.h); LSTAR the
 * entry; FMASK the RFLAGS bits cleared on entry: IF (interrupts off until the stack is the
 * kernel's), TF, DF (the ABI's direction flag), AC (SMAP on), NT.
 */
#define pr_fmt(fmt) "syscall: " fmt

#include <asm/segment.h>
#include <asm/x86.h>
#include <kernel/printk.h>
#include <kernel/process.h>
#include <kernel/signal.h>
#include <kernel/syscalls.h>
#include <lib/errno.h>

#define MSR_STAR	0xc0000081
#define MSR_LSTAR	0xc0000082
#define MSR_FMASK	0xc0000084
#define EFER_SCE	(1ull << 0)


extern const char *const syscall_names[];	/* build/syscall_names.c */
extern const unsigned int nr_syscall_names;

typedef long (*sys_call_ptr_t)(const struct pt_regs *regs);

#define SYSCALL_ENTRY(nr, name) [nr] = __x64_sys_##name,
static const sys_call_ptr_t sys_call_table[NR_syscalls] = { SYSCALLS(SYSCALL_ENTRY) };
#undef SYSCALL_ENTRY

static uint64_t logged[NR_syscalls / 64];	/* unimplemented numbers already reported */
static bool logged_beyond;		/* a number past the table: the first one only */

_Static_assert(offsetof(struct cpu, user_rsp) == CPU_USER_RSP, "entry_syscall.S");
_Static_assert(offsetof(struct cpu, top_of_stack) == CPU_TOP_OF_STACK, "entry_syscall.S");
_Static_assert(GDT_USER_DS == GDT_KERNEL_DS + 8 && GDT_USER_CS == GDT_KERNEL_DS + 16,
	       "sysret derives user SS and CS from STAR[63:48] = kernel DS");

void syscall_init(void)
{
	wrmsr(MSR_STAR, (uint64_t)GDT_KERNEL_DS << 48 | (uint64_t)GDT_KERNEL_CS << 32);
	wrmsr(MSR_LSTAR, (uint64_t)entry_SYSCALL_64);
	wrmsr(MSR_FMASK, X86_EFLAGS_IF | X86_EFLAGS_TF | X86_EFLAGS_DF | X86_EFLAGS_AC |
			 X86_EFLAGS_NT);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

static long sys_ni_syscall(unsigned long nr)
{
	const char *name = nr < nr_syscall_names && syscall_names[nr] ? syscall_names[nr] : "?";

	if (nr < NR_syscalls) {
		if (logged[nr / 64] & (1ull << (nr % 64)))
			return -ENOSYS;
		logged[nr / 64] |= 1ull << (nr % 64);
	} else {
		/* No such call in any Linux: one line for all of them, not one per number. */
		if (logged_beyond)
			return -ENOSYS;
		logged_beyond = true;
	}
	pr_warn("%s[%d]: system call %lu (%s) is not implemented: -ENOSYS%s\n", current->comm,
		current->pid, nr, name, nr < NR_syscalls ? "" :
		" (the first number beyond the table; the others are not reported)");
	return -ENOSYS;
}

void do_syscall_64(struct pt_regs *regs)
{
	unsigned long nr = regs->error_code;	/* the number, as the entry saved it */

	local_irq_enable();
	if (nr < NR_syscalls && sys_call_table[nr])
		regs->rax = sys_call_table[nr](regs);
	else
		regs->rax = sys_ni_syscall(nr);
	syscall_exit_to_user_mode(regs);
}

void syscall_exit_to_user_mode(struct pt_regs *regs)
{
	local_irq_disable();
	exit_to_user_mode(regs);
}

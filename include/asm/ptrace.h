/*
 * struct pt_regs: the registers of the interrupted code, as kernel/entry.S saves
 * them on the stack: the general registers it pushes, then the vector and error
 * code, then the frame the CPU itself pushed (rip, cs, rflags, rsp, ss).
 * The field order is the stack order and must match entry.S.
 */
#ifndef ASM_PTRACE_H
#define ASM_PTRACE_H

#include <kernel/compiler.h>

struct pt_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi;
	uint64_t vector;	/* pushed by the stub */
	uint64_t error_code;	/* pushed by the CPU, or 0 by the stub */
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct pt_regs) == 22 * 8, "pt_regs must match kernel/entry.S");

/* Fill @regs with the registers at the call (kernel/entry.S). */
void capture_regs(struct pt_regs *regs);

static inline bool user_mode(const struct pt_regs *regs) { return (regs->cs & 3) != 0; }

#endif

/*
 * The prototypes of the system calls' handlers, __x64_sys_NAME (Linux's names for them),
 * for the list in include/kernel/syscall_list.h. Each takes the caller's saved registers
 * and decodes its arguments itself, in the ABI's order: rdi, rsi, rdx, r10, r8, r9; it
 * returns the result or -errno, which goes back in rax.
 */
#ifndef KERNEL_SYSCALLS_H
#define KERNEL_SYSCALLS_H

#include <asm/ptrace.h>

#include <kernel/syscall_list.h>

#define SYSCALL_PROTOTYPE(nr, name) long __x64_sys_##name(const struct pt_regs *regs);
SYSCALLS(SYSCALL_PROTOTYPE)
#undef SYSCALL_PROTOTYPE

#define NR_syscalls 512		/* table size: above every x86_64 number in use */

#endif

/*
 * The FPU/SSE/AVX registers of user processes (kernel/fpu.c). The kernel itself never
 * uses them (-mgeneral-regs-only), so only user state exists: each process has a save
 * area (XSAVE format where the CPU has XSAVE, else FXSAVE's 512 bytes), and a switch
 * between tasks saves the previous process's registers and loads the next one's.
 */
#ifndef ASM_FPU_H
#define ASM_FPU_H

#include <kernel/compiler.h>

struct task_struct;

void fpu_secondary_init(void);				/* each AP: XCR0 as the BSP's */
void fpu_init(void);					/* CR0/CR4/XCR0, the save-area size */
int fpu_alloc(struct task_struct *p, const struct task_struct *copy_of);	/* init state if NULL */
void fpu_free(struct task_struct *p);
void fpu_reset_current(void);				/* exec, signal: the initial state */
void fpu_switch(struct task_struct *prev, struct task_struct *next);
void fpu_save_current(void);				/* fork: the live registers to memory */
const char *fpu_mode(void);				/* "xsave", "fxsave" */
unsigned int fpu_state_size(void);			/* bytes of a save area */
/* sigreturn: a save area in user memory, reserved bits cleared, becomes the registers. */
int fpu_restore_from_user(const void *src);	/* a user pointer */

#endif

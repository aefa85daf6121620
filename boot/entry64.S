/*
 * The first higher-half instructions. We arrive here from boot/entry32.S with paging
 * on and the identity map still present; switch to the boot stack at its virtual
 * address, clear RBP so the backtrace stops at start64, and call kmain(magic, info_phys).
 * The early page tables and the boot stack live here, in .bss.
 */
#include <asm/layout.h>

	.text
	.globl start64
start64:
	movabsq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp
	movl	%edi, %edi		/* upper halves are undefined after the mode switch */
	movl	%esi, %esi
	call	kmain
1:	cli
	hlt
	jmp	1b

	.data
	.balign 8
	.globl boot_entry_tsc
boot_entry_tsc:	.quad 0		/* TSC early in _start32, for boot-time figures */

	.section .bss.page_aligned, "aw", @nobits
	.balign PAGE_SIZE
	.globl early_pml4, early_pdpt_low, early_pd_low, early_pdpt_high, early_pd_high, early_pt_high
early_pml4:	.skip PAGE_SIZE
early_pdpt_low:	.skip PAGE_SIZE
early_pd_low:	.skip 4 * PAGE_SIZE
early_pdpt_high: .skip PAGE_SIZE
early_pd_high:	.skip PAGE_SIZE
early_pt_high:	.skip 4 * PAGE_SIZE

	/* The guard page is left unmapped by entry32.S: running off the stack faults. */
	.globl boot_stack_guard, boot_stack, boot_stack_top
boot_stack_guard: .skip PAGE_SIZE
boot_stack:	.skip BOOT_STACK_SIZE
boot_stack_top:

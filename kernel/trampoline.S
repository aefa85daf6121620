/*
 * The application processors' way from reset to 64-bit C (kernel/smpboot.c).
 * A startup IPI (SIPI) with vector V starts an AP in 16-bit real mode at V * 4 KiB, so
 * this code is copied to TRAMPOLINE_PHYS (below 1 MiB) and runs there, at an address it
 * was not linked at: every address inside it is TR(label), computed from the copy's base.
 * The BSP fills the parameter block at the end of the copy before each SIPI:
 *   tr_cr3   early page tables (boot/entry32.S: identity map of 0..4 GiB and the kernel
 *            image), below 4 GiB as a 32-bit CR3 must be; they map this page and the kernel
 *   tr_efer  the BSP's EFER (LME, NXE, SCE): NXE before any page table with NX bits
 *   tr_entry ap_start64 below, tr_pgd the kernel's own page tables, tr_stack, tr_cpu
 * Real mode -> protected mode (a GDT of our own) -> PAE, EFER, paging = long mode
 * -> ap_start64 in the higher half, which switches to the kernel's page tables and stack.
 */
#include <asm/layout.h>
#include <kernel/smp.h>

#define TR(x)	((x) - trampoline_start + TRAMPOLINE_PHYS)

	.section .rodata, "a"
	.balign 16
	.globl trampoline_start, trampoline_end, trampoline_params
	.code16
trampoline_start:
	cli
	cld
	xorw	%ax, %ax		/* CS is TRAMPOLINE_PHYS / 16; data is addressed from 0 */
	movw	%ax, %ds
	lgdtl	TR(tr_gdt_ptr)
	movl	%cr0, %eax
	orl	$1, %eax		/* PE */
	movl	%eax, %cr0
	ljmpl	$0x08, $TR(tr_protected)

	.code32
tr_protected:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	%cr4, %eax
	orl	$(1 << 5), %eax		/* PAE */
	movl	%eax, %cr4
	movl	TR(tr_cr3), %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx	/* EFER: the BSP's value, whose LME makes this long mode */
	movl	TR(tr_efer), %eax
	movl	TR(tr_efer) + 4, %edx
	wrmsr
	movl	%cr0, %eax
	orl	$((1 << 31) | (1 << 16) | 1), %eax	/* PG, WP, PE */
	movl	%eax, %cr0
	ljmpl	$0x18, $TR(tr_long)

	.code64
tr_long:
	movl	TR(tr_cpu), %edi	/* start_secondary(cpu) through ap_start64 */
	movq	TR(tr_stack), %rsi
	movq	TR(tr_pgd), %rdx
	movq	TR(tr_entry), %rax
	jmp	*%rax

	.balign 8
tr_gdt:	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code, 0..4 GiB */
	.quad	0x00cf92000000ffff	/* 0x10: data, 0..4 GiB */
	.quad	0x00af9a000000ffff	/* 0x18: 64-bit code */
tr_gdt_end:
tr_gdt_ptr:
	.short	tr_gdt_end - tr_gdt - 1
	.long	TR(tr_gdt)

	.balign 8
trampoline_params:		/* struct trampoline_params (include/kernel/smp.h) */
tr_cr3:		.quad 0
tr_efer:	.quad 0
tr_entry:	.quad 0
tr_pgd:		.quad 0
tr_stack:	.quad 0
tr_cpu:		.quad 0
trampoline_end:

/*
 * In the higher half now, still on the early page tables: take the kernel's page tables
 * (the identity map goes away with them), the stack the BSP allocated, and call C.
 * edi = logical CPU number, rsi = stack top, rdx = physical address of the kernel's PGD.
 */
	.text
	.globl ap_start64
ap_start64:
	movq	%rdx, %cr3
	movq	%rsi, %rsp
	xorl	%ebp, %ebp		/* the backtrace ends here */
	call	start_secondary
1:	cli
	hlt
	jmp	1b

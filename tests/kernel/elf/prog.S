/*
 * The test program tests/kernel/test_elf.c loads (never runs: it would exit(0) at once).
 * Linked twice by the Makefile: at 0x400000 as ET_EXEC, and as a static-pie (ET_DYN). Its
 * parts are what the test checks: code at the entry point, a known word in .data, and a
 * .bss of several pages that must read as zero, the first bytes of it in the last file page.
 */
	.text
	.globl	_start
_start:
	mov	$60, %eax	/* exit(0) */
	xor	%edi, %edi
	syscall
	hlt

	.data
	.globl	data_word
data_word:
	.quad	0x1122334455667788

	.bss
	.globl	bss_area
bss_area:
	.space	3 * 4096 + 100

	.section .note.GNU-stack, "", @progbits

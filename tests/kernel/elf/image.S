/*
 * The test program (tests/kernel/elf/prog.S), linked as ET_EXEC and as a static-pie at
 * build time, embedded as bytes for tests/kernel/test_elf.c to load. The Makefile passes
 * the paths of the two linked files.
 */
	.section .rodata
	.balign	16
	.globl	elf_test_exec, elf_test_exec_end, elf_test_pie, elf_test_pie_end
elf_test_exec:
	.incbin	ELF_TEST_EXEC
elf_test_exec_end:
	.balign	16
elf_test_pie:
	.incbin	ELF_TEST_PIE
elf_test_pie_end:

	.section .note.GNU-stack, "", @progbits

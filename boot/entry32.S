/*
 * From GRUB to 64-bit C. GRUB enters _start32 in 32-bit protected mode, paging off,
 * EAX = multiboot2 magic, EBX = physical address of the boot information.
 * We check that we were loaded by a multiboot2 loader and that the CPU has long
 * mode (saying why on COM1 and the VGA text screen if not), build the early page
 * tables, turn on PAE + long mode + paging, and far-jump into 64-bit code, which
 * then jumps to the higher half (boot/entry64.S). docs/boot.md walks through it.
 *
 * Early page tables (4 KiB pages in .bss, which we zero first: the loader need not):
 *   PML4[0]   -> pdpt_low : identity map of 0..4 GiB (2 MiB pages), only for the switch
 *   PML4[273] -> pdpt_low : the same 4 GiB at PAGE_OFFSET (the early direct map)
 *   PML4[511] -> pdpt_high[510] -> pd_high -> pt_high[0..3] : the kernel image with
 *                4 KiB pages at KERNEL_VMA + KERNEL_PHYS, leaving the page below the boot
 *                stack unmapped so that a stack overflow faults instead of corrupting.
 * This code runs at its physical address, so every symbol of the higher-half image is
 * used as (symbol - KERNEL_VMA).
 */
#include <asm/layout.h>

#define PHYS(sym)	((sym) - KERNEL_VMA)
#define PTE_P		0x1
#define PTE_W		0x2
#define PTE_PS		0x80
#define COM1		0x3f8

	.section .boot.text, "ax"
	.code32
	.globl _start32
_start32:
	cli
	cld
	movl	%eax, %ebp		/* keep magic and info pointer out of the way */
	movl	%ebx, %esi

	/* Zero .bss ourselves rather than trust the loader to (the boot stack is in it). */
	movl	$PHYS(__bss_start), %edi
	movl	$PHYS(__bss_end), %ecx
	subl	%edi, %ecx
	shrl	$2, %ecx
	xorl	%eax, %eax
	rep stosl
	movl	%ebp, %edi		/* edi = magic, esi = info from here on */
	movl	$PHYS(boot_stack_top), %esp

	cmpl	$0x36d76289, %edi
	jne	.Lno_multiboot

	/* CPUID exists when the ID flag (bit 21) of EFLAGS can be toggled. */
	pushfl
	popl	%eax
	movl	%eax, %ecx
	xorl	$(1 << 21), %eax
	pushl	%eax
	popfl
	pushfl
	popl	%eax
	pushl	%ecx
	popfl
	cmpl	%eax, %ecx
	je	.Lno_long_mode

	movl	$0x80000000, %eax	/* highest extended leaf */
	cpuid
	cmpl	$0x80000001, %eax
	jb	.Lno_long_mode
	movl	$0x80000001, %eax
	cpuid
	testl	$(1 << 29), %edx	/* LM: long mode */
	jz	.Lno_long_mode

	rdtsc				/* boot time is measured from here (every x86_64 has a TSC) */
	movl	%eax, PHYS(boot_entry_tsc)
	movl	%edx, PHYS(boot_entry_tsc) + 4

	call	build_page_tables

	movl	%cr4, %eax
	orl	$(1 << 5), %eax		/* PAE */
	movl	%eax, %cr4
	movl	$PHYS(early_pml4), %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx	/* EFER */
	rdmsr
	orl	$(1 << 8), %eax		/* LME: long mode enable */
	wrmsr
	movl	%cr0, %eax
	orl	$((1 << 31) | (1 << 16) | 1), %eax	/* PG, WP, PE */
	movl	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$0x08, $start64_low

/* Fill the tables described above (already zero: they are in .bss). Clobbers eax-edx. */
build_page_tables:
	movl	$PHYS(early_pdpt_low) + PTE_P + PTE_W, %eax
	movl	%eax, PHYS(early_pml4)
	movl	%eax, PHYS(early_pml4) + 273 * 8
	movl	$PHYS(early_pdpt_high) + PTE_P + PTE_W, %eax
	movl	%eax, PHYS(early_pml4) + 511 * 8

	/* pdpt_low[0..3] -> pd_low[0..3]; the four PDs map 2048 x 2 MiB = 4 GiB. */
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$PHYS(early_pd_low) + PTE_P + PTE_W, %eax
	movl	%eax, PHYS(early_pdpt_low)(, %ecx, 8)
	incl	%ecx
	cmpl	$4, %ecx
	jb	1b

	xorl	%ecx, %ecx		/* ecx = 2 MiB page number, 0..2047 */
2:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$(PTE_P + PTE_W + PTE_PS), %eax
	movl	%ecx, %edx
	shrl	$11, %edx		/* physical address bits 32+ */
	movl	%eax, PHYS(early_pd_low)(, %ecx, 8)
	movl	%edx, PHYS(early_pd_low) + 4(, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jb	2b

	/* -2 GiB: pdpt_high[510] -> pd_high; pd_high[1..4] -> pt_high[0..3] (phys 2..10 MiB). */
	movl	$PHYS(early_pd_high) + PTE_P + PTE_W, %eax
	movl	%eax, PHYS(early_pdpt_high) + 510 * 8
	xorl	%ecx, %ecx
3:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$PHYS(early_pt_high) + PTE_P + PTE_W, %eax
	movl	%eax, PHYS(early_pd_high) + 8(, %ecx, 8)
	incl	%ecx
	cmpl	$4, %ecx
	jb	3b

	/* One PTE per 4 KiB page of the image, [KERNEL_PHYS, _end), except the guard page. */
	movl	$KERNEL_PHYS, %eax
	movl	$PHYS(_end), %edx
	movl	$PHYS(early_pt_high), %ebx
4:	cmpl	$PHYS(boot_stack_guard), %eax
	je	5f
	movl	%eax, %ecx
	orl	$(PTE_P + PTE_W), %ecx
	movl	%ecx, (%ebx)
5:	addl	$8, %ebx
	addl	$PAGE_SIZE, %eax
	cmpl	%edx, %eax
	jb	4b
	ret

.Lno_multiboot:
	movl	$msg_no_multiboot, %esi
	jmp	early_fatal
.Lno_long_mode:
	movl	$msg_no_long_mode, %esi
	jmp	early_fatal

/*
 * Print the NUL-terminated string at ESI on COM1 (polled, no setup needed beyond
 * what firmware did; we program 115200 8N1 anyway) and on the VGA text screen,
 * then halt for good: there is nothing else a 32-bit kernel without long mode can do.
 */
early_fatal:
	movw	$COM1 + 1, %dx		/* IER: no interrupts */
	xorb	%al, %al
	outb	%al, %dx
	movw	$COM1 + 3, %dx		/* LCR: DLAB on */
	movb	$0x80, %al
	outb	%al, %dx
	movw	$COM1, %dx		/* divisor 1 = 115200 baud */
	movb	$1, %al
	outb	%al, %dx
	movw	$COM1 + 1, %dx
	xorb	%al, %al
	outb	%al, %dx
	movw	$COM1 + 3, %dx		/* 8N1, DLAB off */
	movb	$0x03, %al
	outb	%al, %dx
	movl	$0xb8000, %edi
1:	movb	(%esi), %bl
	testb	%bl, %bl
	jz	3f
	movw	$COM1 + 5, %dx		/* wait for THR empty */
2:	inb	%dx, %al
	testb	$0x20, %al
	jz	2b
	movw	$COM1, %dx
	movb	%bl, %al
	outb	%al, %dx
	movb	%bl, (%edi)
	movb	$0x4f, 1(%edi)		/* white on red */
	addl	$2, %edi
	incl	%esi
	jmp	1b
3:	cli
	hlt
	jmp	3b

	.code64
start64_low:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorw	%ax, %ax
	movw	%ax, %fs
	movw	%ax, %gs
	movabsq	$start64, %rax		/* leave the identity map for the higher half */
	jmp	*%rax

	.section .boot.rodata, "a"
msg_no_multiboot:
	.asciz	"teachos: not loaded by a multiboot2 boot loader (bad magic in EAX); halting.\r\n"
msg_no_long_mode:
	.asciz	"teachos: this CPU has no 64-bit long mode (CPUID 0x80000001 EDX.LM); halting.\r\n"

	/* A GDT just for the switch: null, 64-bit code (0x08), data (0x10). */
	.balign 8
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff
	.quad	0x00cf92000000ffff
boot_gdt_end:
boot_gdt_ptr:
	.short	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt

/*
 * GDT selectors. The order is the one syscall/sysret require (issue: user
 * processes): STAR makes user SS = base + 8 and user CS = base + 16, so user data
 * must sit right below user code, both above the kernel's.
 */
#ifndef ASM_SEGMENT_H
#define ASM_SEGMENT_H

#define GDT_KERNEL_CS	0x08
#define GDT_KERNEL_DS	0x10
#define GDT_USER_DS	0x18
#define GDT_USER_CS	0x20
#define GDT_TSS		0x28	/* a 16-byte descriptor: slots 5 and 6 */

#endif

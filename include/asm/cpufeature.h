/*
 * CPU features the kernel uses when present (kernel/cpufeature.c reads CPUID once).
 * Absent features are handled, not assumed: with -cpu qemu64 there are no 1 GiB
 * pages and no RDRAND, and the kernel still boots.
 */
#ifndef ASM_CPUFEATURE_H
#define ASM_CPUFEATURE_H

#include <kernel/compiler.h>

struct cpu_features {
	bool nx;		/* no-execute page bit (EFER.NXE) */
	bool pge;		/* global pages (CR4.PGE) */
	bool gbpages;		/* 1 GiB pages in the PDPT */
	bool rdrand;
	bool invariant_tsc;
	bool smep;		/* CR4.SMEP: the kernel may not execute user pages */
	bool smap;		/* CR4.SMAP: the kernel may not touch user pages unless EFLAGS.AC */
	bool umip;		/* CR4.UMIP: sgdt/sidt/sldt/str/smsw fault in ring 3 */
	bool pcid;		/* CR4.PCIDE: TLB entries tagged with a 12-bit address-space id */
	bool invpcid;		/* the INVPCID instruction: flush another PCID's entries */
	bool apic;		/* a local APIC */
	bool x2apic;
	bool tsc_deadline;	/* the APIC timer's TSC-deadline mode */
	unsigned int phys_bits;	/* physical address width */
	char vendor[13];
	char model[49];
};

extern struct cpu_features boot_cpu;

void cpu_detect(void);
int cpu_feature_string(char *buf, size_t size);	/* " nx pge ..." */

#endif

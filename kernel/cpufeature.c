/*
 * Reading the CPU's features with CPUID, once at boot, into boot_cpu. Leaf 1 and
 * the extended leaves 0x80000001..0x80000008 say what paging can use (NX, global
 * pages, 1 GiB pages, the physical address width); the brand string is logged so a
 * boot log says which CPU (or which QEMU -cpu model) it came from.
 */
#include <asm/cpufeature.h>
#include <asm/x86.h>
#include <kernel/printk.h>
#include <lib/printf.h>
#include <lib/string.h>

struct cpu_features boot_cpu;

/* The features we use, Linux's /proc/cpuinfo names, each after a space. */
int cpu_feature_string(char *buf, size_t size)
{
	return scnprintf(buf, size, "%s%s%s%s%s%s%s%s%s%s%s%s%s", boot_cpu.nx ? " nx" : "",
		boot_cpu.pge ? " pge" : "", boot_cpu.gbpages ? " pdpe1gb" : "",
		boot_cpu.rdrand ? " rdrand" : "", boot_cpu.invariant_tsc ? " constant_tsc" : "",
		boot_cpu.smep ? " smep" : "", boot_cpu.smap ? " smap" : "",
		boot_cpu.umip ? " umip" : "", boot_cpu.pcid ? " pcid" : "",
		boot_cpu.invpcid ? " invpcid" : "", boot_cpu.apic ? " apic" : "",
		boot_cpu.x2apic ? " x2apic" : "", boot_cpu.tsc_deadline ? " tsc_deadline_timer" : "");
}

void cpu_detect(void)
{
	uint32_t a, b, c, d, max_std, max_ext;

	cpuid(0, &a, &b, &c, &d);
	memcpy(boot_cpu.vendor, &b, 4);
	memcpy(boot_cpu.vendor + 4, &d, 4);
	memcpy(boot_cpu.vendor + 8, &c, 4);
	max_std = a;
	cpuid(1, &a, &b, &c, &d);
	boot_cpu.pge = d & (1u << 13);
	boot_cpu.apic = d & (1u << 9);
	boot_cpu.rdrand = c & (1u << 30);
	boot_cpu.pcid = c & (1u << 17);
	boot_cpu.x2apic = c & (1u << 21);
	boot_cpu.tsc_deadline = c & (1u << 24);
	if (max_std >= 7) {
		cpuid_count(7, 0, &a, &b, &c, &d);
		boot_cpu.smep = b & (1u << 7);
		boot_cpu.invpcid = b & (1u << 10);
		boot_cpu.smap = b & (1u << 20);
		boot_cpu.umip = c & (1u << 2);
	}
	cpuid(0x80000000, &max_ext, &b, &c, &d);
	if (max_ext >= 0x80000001) {
		cpuid(0x80000001, &a, &b, &c, &d);
		boot_cpu.nx = d & (1u << 20);
		boot_cpu.gbpages = d & (1u << 26);
	}
	if (max_ext >= 0x80000004) {
		uint32_t brand[12];	/* 48 bytes of text in three leaves */

		for (uint32_t leaf = 0; leaf < 3; leaf++)
			cpuid(0x80000002 + leaf, &brand[4 * leaf], &brand[4 * leaf + 1],
			      &brand[4 * leaf + 2], &brand[4 * leaf + 3]);
		memcpy(boot_cpu.model, brand, sizeof(brand));
	}
	if (max_ext >= 0x80000007) {
		cpuid(0x80000007, &a, &b, &c, &d);
		boot_cpu.invariant_tsc = d & (1u << 8);
	}
	boot_cpu.phys_bits = 36;	/* the architectural minimum when leaf 0x80000008 is absent */
	if (max_ext >= 0x80000008) {
		cpuid(0x80000008, &a, &b, &c, &d);
		boot_cpu.phys_bits = a & 0xff;
	}
	pr_info("CPU: %s (%s), %u physical address bits\n", boot_cpu.model[0] ? boot_cpu.model :
		"unknown model", boot_cpu.vendor, boot_cpu.phys_bits);
	{
		char flags[160];

		cpu_feature_string(flags, sizeof(flags));
		pr_info("CPU: features:%s\n", flags);
	}
}

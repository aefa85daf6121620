/*
 * /proc/cpuinfo: one paragraph per online CPU, in Linux's "name<TAB>: value" layout, so
 * `grep -c ^processor /proc/cpuinfo` counts the CPUs as on Linux. The identification and
 * flags are the boot CPU's (cpu_detect reads them once; a PC's CPUs match), the APIC ID
 * each CPU's own, the MHz the calibrated TSC's.
 */
#include <asm/cpufeature.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <lib/printf.h>

int cpuinfo_format(char *buf, size_t size)
{
	char flags[160];
	int n = 0;

	cpu_feature_string(flags, sizeof(flags));
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!cpu_online(cpu))
			continue;
		n += scnprintf(buf + n, size - n,
			       "processor\t: %u\n"
			       "vendor_id\t: %s\n"
			       "model name\t: %s\n"
			       "cpu MHz\t\t: %llu.%03llu\n"
			       "physical id\t: 0\n"
			       "siblings\t: %u\n"
			       "apicid\t\t: %u\n"
			       "flags\t\t:%s\n\n",
			       cpu, boot_cpu.vendor, boot_cpu.model[0] ? boot_cpu.model : "unknown",
			       (unsigned long long)(tsc_khz / 1000), (unsigned long long)(tsc_khz % 1000),
			       num_online_cpus(), cpus[cpu].apic_id, flags);
	}
	return n;
}

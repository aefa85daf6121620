/*
 * SMP bring-up (kernel/smpboot.c): every CPU the MADT lists as enabled is up, as far as
 * nosmp and maxcpus= allow, and each AP set itself up as its own CPU: its GS base points at
 * its own struct cpu, its task register holds its own TSS, it loaded the one IDT and the
 * kernel's page tables, its local APIC answers with the ID the MADT gives, and its APIC
 * timer was calibrated to the BSP's rate. A CPU that does not answer is left out.
 * The scenarios boot this with -smp 1, 2, 4 and 8.
 */
#include <asm/apic.h>
#include <asm/segment.h>
#include <asm/x86.h>
#include <drivers/acpi.h>
#include <kernel/ktest.h>
#include <kernel/smp.h>
#include <kernel/traps.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/pgtable.h>

static unsigned int madt_enabled(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < acpi.madt.nr_cpus; i++)
		n += acpi.madt.cpus[i].enabled;
	return n;
}

static void test_every_listed_cpu_is_online(struct ktest *t)
{
	unsigned int want = madt_enabled();

	KTEST_ASSERT_TRUE(t, acpi.madt.present);
	if (want > smp_cpus_wanted())
		want = smp_cpus_wanted();
	KTEST_EXPECT_EQ(t, num_online_cpus(), want);
	/* Logical numbers are dense: CPUs 0..n-1, no holes. */
	KTEST_EXPECT_EQ(t, cpu_online_mask, (1ul << want) - 1);
	ktest_diag(t, "%u CPUs online of %u enabled in the MADT", num_online_cpus(), madt_enabled());
}

static bool madt_lists(uint32_t apic_id)
{
	for (unsigned int i = 0; i < acpi.madt.nr_cpus; i++)
		if (acpi.madt.cpus[i].enabled && acpi.madt.cpus[i].apic_id == apic_id)
			return true;
	return false;
}

static void test_each_ap_is_its_own_cpu(struct ktest *t)
{
	struct desc_ptr idtr;

	if (num_online_cpus() == 1)
		KTEST_SKIP(t, "one CPU online: no AP to check");
	__asm__ volatile("sidt %0" : "=m"(idtr));
	KTEST_EXPECT_TRUE(t, madt_lists(cpus[0].apic_id));
	for (unsigned int cpu = 1; cpu < NR_CPUS; cpu++) {
		const struct ap_self_check *c = &ap_self_check[cpu];

		if (!cpu_online(cpu))
			continue;
		KTEST_EXPECT_TRUE(t, c->gs_self == &cpus[cpu]);
		KTEST_EXPECT_TRUE(t, cpus[cpu].self == &cpus[cpu]);
		KTEST_EXPECT_EQ(t, cpus[cpu].id, cpu);
		KTEST_EXPECT_EQ(t, c->tr, GDT_TSS);
		KTEST_EXPECT_EQ(t, c->gdt_base, (uint64_t)cpus[cpu].gdt);
		/* ltr marked its TSS descriptor busy (type 0xb): its own TSS was loaded. */
		KTEST_EXPECT_EQ(t, (cpus[cpu].gdt[GDT_TSS / 8] >> 40) & 0xf, 0xb);
		KTEST_EXPECT_EQ(t, c->idt_base, idtr.base);
		KTEST_EXPECT_EQ(t, c->cr3 & ~0xfffull, __pa(init_pgd));
		KTEST_EXPECT_EQ(t, c->apic_id, cpus[cpu].apic_id);
		KTEST_EXPECT_TRUE(t, madt_lists(c->apic_id));
		KTEST_EXPECT_TRUE(t, c->apic_id != cpus[0].apic_id);
		for (unsigned int other = 1; other < cpu; other++)
			KTEST_EXPECT_TRUE(t, !cpu_online(other) || cpus[other].apic_id != c->apic_id);
		/* Its TSS's IST stacks are its own, inside its own struct cpu. */
		KTEST_EXPECT_EQ(t, cpus[cpu].tss.ist[0],
				(uint64_t)cpus[cpu].ist_stacks[0] + IST_STACK_SIZE);
	}
}

static void test_ap_timers_are_calibrated(struct ktest *t)
{
	uint64_t bsp = cpus[0].apic_timer_khz;	/* 0 only without a usable APIC timer */

	if (num_online_cpus() == 1)
		KTEST_SKIP(t, "one CPU online: no AP to check");
	for (unsigned int cpu = 1; cpu < NR_CPUS; cpu++) {
		if (!cpu_online(cpu))
			continue;
		KTEST_EXPECT_TRUE(t, cpus[cpu].apic_timer_khz >= 1000);	/* it counted */
		/*
		 * One clock feeds every APIC timer of a machine. The band is wide because host
		 * stalls (TCG, a loaded machine) skew samples; the median of three resists one.
		 */
		if (bsp)
			KTEST_EXPECT_TRUE(t, cpus[cpu].apic_timer_khz * 10 >= bsp * 7 &&
					  cpus[cpu].apic_timer_khz * 10 <= bsp * 13);
		ktest_diag(t, "CPU %u: APIC timer %llu kHz (BSP %llu kHz)", cpu,
			   (unsigned long long)cpus[cpu].apic_timer_khz, (unsigned long long)bsp);
	}
}

/* A CPU that does not answer (here: an APIC ID no CPU has) is reported and left out. */
static void test_silent_cpu_is_left_out(struct ktest *t)
{
	unsigned int before = num_online_cpus(), cpu = 1;
	uint32_t ghost = 0x7e;	/* below the xAPIC broadcast ID 0xff */

	if (num_online_cpus() == 1)
		KTEST_SKIP(t, "no trampoline installed (one CPU online)");
	while (cpu < NR_CPUS && cpu_online(cpu))
		cpu++;
	if (cpu == NR_CPUS)
		KTEST_SKIP(t, "every logical CPU number is in use");
	KTEST_ASSERT_TRUE(t, !madt_lists(ghost));
	KTEST_EXPECT_EQ(t, smp_boot_cpu(cpu, ghost), -ETIMEDOUT);
	KTEST_EXPECT_TRUE(t, !cpu_online(cpu));
	KTEST_EXPECT_EQ(t, num_online_cpus(), before);
	KTEST_EXPECT_EQ(t, smp_boot_cpu(1, cpus[1].apic_id), -EINVAL);	/* already up */
	/* A free number but a running CPU's APIC ID: refused before any INIT could reset it. */
	KTEST_EXPECT_EQ(t, smp_boot_cpu(cpu, cpus[0].apic_id), -EINVAL);
	KTEST_EXPECT_EQ(t, num_online_cpus(), before);
}

/* The number after "@field\t...: " if the line at @p starts with @field, else -1. */
static long field_value(const char *p, const char *field)
{
	size_t n = strlen(field);
	long v = 0;

	if (memcmp(p, field, n) != 0 || p[n] != '\t')
		return -1;
	while (*p && *p != ':')
		p++;
	if (*p++ != ':' || *p++ != ' ' || *p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return v;
}

/* /proc/cpuinfo has one paragraph per online CPU, numbered, with that CPU's APIC ID. */
static void test_proc_cpuinfo(struct ktest *t)
{
	static char buf[8192];
	long cpu = -1, seen = 0, apics = 0;
	int len = cpuinfo_format(buf, sizeof(buf));

	KTEST_ASSERT_TRUE(t, len > 0 && len < (int)sizeof(buf) - 1);
	for (const char *p = buf; *p; p = strchr(p, '\n') + 1) {
		long v;

		if ((v = field_value(p, "processor")) >= 0) {
			KTEST_EXPECT_EQ(t, v, seen);
			cpu = v;
			seen++;
		} else if ((v = field_value(p, "apicid")) >= 0) {
			KTEST_ASSERT_TRUE(t, cpu >= 0 && cpu < NR_CPUS);
			KTEST_EXPECT_EQ(t, v, cpus[cpu].apic_id);
			apics++;
		}
	}
	KTEST_EXPECT_EQ(t, seen, num_online_cpus());
	KTEST_EXPECT_EQ(t, apics, seen);
}

static const struct ktest_case smp_cases[] = {
	KTEST_CASE(test_every_listed_cpu_is_online),
	KTEST_CASE(test_each_ap_is_its_own_cpu),
	KTEST_CASE(test_ap_timers_are_calibrated),
	KTEST_CASE(test_silent_cpu_is_left_out),
	KTEST_CASE(test_proc_cpuinfo),
	{}
};
KTEST_SUITE(smp, smp_cases);

/*
 * The local APIC timer: the CPU's own timer, used here as the clock event device
 * (include/kernel/hrtimer.h), one shot at a time for the next pending hrtimer.
 * Two modes, best first:
 *  - TSC-deadline (CPUID.1:ECX[24]): write the absolute TSC value at which to interrupt to
 *    an MSR. No conversion error, no counter to calibrate.
 *  - one-shot: load a count that the APIC decrements at its own rate, interrupting at 0.
 *    The rate (the bus or crystal clock, divided) is not architectural: we measure it
 *    against the calibrated TSC at boot.
 * The registers are memory-mapped at the physical address in MSR IA32_APIC_BASE (normally
 * 0xfee00000), which is not RAM and so not in the direct map: we map that page uncached
 * at a fixmap slot (include/asm/layout.h). If the firmware left the APIC in x2APIC mode,
 * the same registers are MSRs instead. The APIC is set up as the legacy "virtual wire":
 * the 8259 PIC still delivers the device interrupts through LINT0 (ExtINT), LINT1 is the
 * NMI, and the spurious vector is 255 (counted by kernel/irq.c). No IOAPIC yet (the ACPI
 * issue). Kernel parameters: nolapic (use the PIT), notscdeadline (one-shot mode).
 */
#define pr_fmt(fmt) "APIC: " fmt

#include <asm/cpufeature.h>
#include <asm/layout.h>
#include <asm/x86.h>
#include <kernel/hrtimer.h>
#include <kernel/irq.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/traps.h>
#include <lib/errno.h>
#include <mm/gfp.h>
#include <mm/pgtable.h>

#define MSR_IA32_APICBASE	0x1b
#define  APICBASE_X2APIC	(1ull << 10)
#define  APICBASE_ENABLE	(1ull << 11)
#define MSR_IA32_TSC_DEADLINE	0x6e0
#define MSR_X2APIC_BASE		0x800	/* x2APIC: register R is MSR 0x800 + R / 16 */

/* Register offsets (xAPIC MMIO). */
#define APIC_ID		0x020
#define APIC_LVR	0x030
#define APIC_TASKPRI	0x080
#define APIC_EOI	0x0b0
#define APIC_SPIV	0x0f0
#define  APIC_SPIV_ENABLE	(1u << 8)
#define APIC_LVTT	0x320	/* the timer's local vector table entry */
#define  APIC_LVT_MASKED	(1u << 16)
#define  APIC_LVTT_TSCDEADLINE	(2u << 17)
#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define  APIC_DM_NMI		(4u << 8)
#define  APIC_DM_EXTINT		(7u << 8)
#define APIC_LVTERR	0x370
#define APIC_TMICT	0x380	/* initial count */
#define APIC_TMCCT	0x390	/* current count */
#define APIC_TDCR	0x3e0	/* divide configuration */
#define  APIC_TDR_DIV_1		0xb

#define CALIBRATE_MS	10
#define MIN_DELTA_NS	1000	/* never program closer than 1 us: it must not be in the past */
#define MAX_DELTA_NS	(60 * NSEC_PER_SEC)	/* keeps the ns-to-TSC product in range */

static bool nolapic, notscdeadline, x2apic;
static volatile uint32_t *apic_regs;
static uint64_t apic_khz;	/* one-shot mode: counts per ms */

static int set_nolapic(const char *val)
{
	if (val)
		return -EINVAL;
	nolapic = true;
	return 0;
}
KERNEL_PARAM("nolapic", set_nolapic, "no value: do not use the local APIC (timer from the PIT)");

static int set_notscdeadline(const char *val)
{
	if (val)
		return -EINVAL;
	notscdeadline = true;
	return 0;
}
KERNEL_PARAM("notscdeadline", set_notscdeadline, "no value: APIC timer in one-shot mode");

static uint32_t apic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return apic_regs[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		apic_regs[reg / 4] = v;
}

/* Make the registers reachable: x2APIC MSRs as they are, or the MMIO page at its fixmap slot. */
static int map_registers(void)
{
	uint64_t base = rdmsr(MSR_IA32_APICBASE);
	uint64_t phys = base & 0x000ffffffffff000ull;

	if (!(base & APICBASE_ENABLE))
		wrmsr(MSR_IA32_APICBASE, base | APICBASE_ENABLE);	/* firmware turned it off */
	if (base & APICBASE_X2APIC) {
		x2apic = true;
		return 0;
	}
	if (kernel_map_range(fix_to_virt(FIX_APIC_BASE), phys, PAGE_SIZE,
			     _PAGE_PRESENT | _PAGE_RW | _PAGE_PCD | _PAGE_PWT | _PAGE_NX, false,
			     &kernel_pt_ops))
		return -ENOMEM;
	apic_regs = (volatile uint32_t *)fix_to_virt(FIX_APIC_BASE);
	pr_info("local APIC at 0x%llx, mapped at 0x%llx (uncached)\n", (unsigned long long)phys,
		(unsigned long long)fix_to_virt(FIX_APIC_BASE));
	return 0;
}

/* Virtual wire: PIC interrupts through LINT0, NMIs through LINT1, software-enabled. */
static void setup_virtual_wire(void)
{
	apic_write(APIC_TASKPRI, 0);		/* accept every priority */
	apic_write(APIC_LVT0, APIC_DM_EXTINT);
	apic_write(APIC_LVT1, APIC_DM_NMI);
	apic_write(APIC_LVTERR, APIC_LVT_MASKED);
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	apic_write(APIC_SPIV, APIC_SPIV_ENABLE | SPURIOUS_VECTOR);
	apic_write(APIC_EOI, 0);
}

/* Counts per ms of the one-shot counter at divide-by-1, measured against the TSC. */
static uint64_t measure_khz(void)
{
	uint64_t best = 0;

	apic_write(APIC_TDCR, APIC_TDR_DIV_1);
	for (int i = 0; i < 3; i++) {
		uint64_t t0, t1, window = tsc_khz * CALIBRATE_MS, khz;
		uint32_t left;

		apic_write(APIC_LVTT, APIC_LVT_MASKED);
		apic_write(APIC_TMICT, 0xffffffff);
		t0 = rdtsc();
		while (rdtsc() - t0 < window)
			cpu_relax();
		left = apic_read(APIC_TMCCT);
		t1 = rdtsc();
		apic_write(APIC_TMICT, 0);
		khz = (0xffffffffull - left) * tsc_khz / (t1 - t0);
		/* A host stall between the two reads only lowers the figure: keep the highest. */
		if (khz > best)
			best = khz;
	}
	return best;
}

static void oneshot_set_next_event(uint64_t expires)
{
	uint64_t now = sched_clock();
	uint64_t delta = expires > now + MIN_DELTA_NS ? expires - now : MIN_DELTA_NS;
	/* Rounded up, so the interrupt never comes before the timer is due. */
	uint64_t count = (delta * apic_khz + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;

	apic_write(APIC_TMICT, count > 0xffffffff ? 0xffffffff : (uint32_t)count);
}

static void deadline_set_next_event(uint64_t expires)
{
	uint64_t now = sched_clock();

	if (expires < now + MIN_DELTA_NS)
		expires = now + MIN_DELTA_NS;
	if (expires - now > MAX_DELTA_NS)
		expires = now + MAX_DELTA_NS;
	wrmsr(MSR_IA32_TSC_DEADLINE, tsc_at_boot + ns_to_cycles(expires) + 1);
}

static struct clock_event_device lapic_deadline = {
	.name = "lapic-deadline",
	.set_next_event = deadline_set_next_event,
	.min_delta_ns = MIN_DELTA_NS,
};

static struct clock_event_device lapic_oneshot = {
	.name = "lapic-oneshot",
	.set_next_event = oneshot_set_next_event,
	.min_delta_ns = MIN_DELTA_NS,
};

void lapic_timer_interrupt(void)
{
	apic_write(APIC_EOI, 0);	/* interrupts stay off until we return: no nesting */
	hrtimer_interrupt();
}

uint64_t lapic_timer_khz(void)
{
	return clock_event == &lapic_oneshot ? apic_khz : 0;
}

static int use_oneshot(void)
{
	apic_khz = measure_khz();
	if (apic_khz < 1000) {	/* under 1 MHz: no real APIC timer is that slow */
		pr_warn("APIC timer did not count (%llu kHz): not using it\n",
			(unsigned long long)apic_khz);
		return -ENODEV;
	}
	pr_info("APIC timer: one-shot mode, %llu.%03llu MHz\n",
		(unsigned long long)(apic_khz / 1000), (unsigned long long)(apic_khz % 1000));
	apic_write(APIC_LVTT, LOCAL_TIMER_VECTOR);
	clockevents_register(&lapic_oneshot);
	return 0;
}

int lapic_timer_init(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	if (nolapic || !(d & (1u << 9))) {
		pr_info("%s: timer interrupts from the PIT\n",
			nolapic ? "disabled by nolapic" : "no local APIC");
		return -ENODEV;
	}
	if (!tsc_khz || map_registers())
		return -ENODEV;
	setup_virtual_wire();
	pr_info("local APIC id %u, version 0x%x%s\n", apic_read(APIC_ID) >> (x2apic ? 0 : 24),
		apic_read(APIC_LVR) & 0xff, x2apic ? ", x2APIC mode" : "");
	if ((c & (1u << 24)) && !notscdeadline) {
		apic_write(APIC_LVTT, LOCAL_TIMER_VECTOR | APIC_LVTT_TSCDEADLINE);
		/* The mode must be in effect before the first deadline is written. */
		__asm__ volatile("mfence" ::: "memory");
		pr_info("APIC timer: TSC-deadline mode\n");
		clockevents_register(&lapic_deadline);
		return 0;
	}
	return use_oneshot();
}

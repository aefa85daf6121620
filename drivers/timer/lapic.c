/*
 * The local APIC timer: the CPU's own timer, used here as the clock event device
 * (include/kernel/hrtimer.h), one shot at a time for the next pending hrtimer.
 * Two modes, best first:
 *  - TSC-deadline (CPUID.1:ECX[24]): write the absolute TSC value at which to interrupt to
 *    an MSR. No conversion error, no counter to calibrate.
 *  - one-shot: load a count that the APIC decrements at its own rate, interrupting at 0.
 *    The rate (the bus or crystal clock, divided) is not architectural: we measure it
 *    against the calibrated TSC at boot.
 * The APIC itself (registers, xAPIC or x2APIC, LINT pins, error and spurious vectors) is set
 * up before this by drivers/irq/lapic.c. Kernel parameters: nolapic (no APIC at all: the
 * PIT), nolapic_timer (the PIT for the tick, the APICs still route interrupts),
 * notscdeadline (one-shot mode).
 */
#define pr_fmt(fmt) "APIC: " fmt

#include <asm/apic.h>
#include <asm/cpufeature.h>
#include <asm/x86.h>
#include <kernel/hrtimer.h>
#include <kernel/irq.h>
#include <kernel/params.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/traps.h>
#include <lib/errno.h>

#define MSR_IA32_TSC_DEADLINE	0x6e0

#define CALIBRATE_MS	10
#define MIN_DELTA_NS	1000	/* never program closer than 1 us: it must not be in the past */
#define MAX_DELTA_NS	(60 * NSEC_PER_SEC)	/* keeps the ns-to-TSC product in range */

static bool notscdeadline;
static uint64_t apic_khz;	/* one-shot mode: counts per ms */

KERNEL_PARAM_FLAG("notscdeadline", notscdeadline, NULL, "no value: APIC timer in one-shot mode");

/*
 * Counts per ms of the one-shot counter at divide-by-1, measured against the TSC: each
 * sample reads the counter, then the TSC, at both ends of a 10 ms window. A host stall
 * (a virtual CPU descheduled) between a counter read and its TSC read skews that sample
 * one way or the other, so the median of three is kept, which one bad sample cannot move.
 */
uint64_t lapic_timer_measure_khz(void)
{
	uint64_t khz[3];

	apic_write(APIC_TDCR, APIC_TDR_DIV_1);
	for (int i = 0; i < 3; i++) {
		uint64_t t0, t1, window = tsc_khz * CALIBRATE_MS;
		uint32_t c0, c1;

		apic_write(APIC_LVTT, APIC_LVT_MASKED);
		apic_write(APIC_TMICT, 0xffffffff);
		c0 = apic_read(APIC_TMCCT);
		t0 = rdtsc();
		while (rdtsc() - t0 < window)
			cpu_relax();
		c1 = apic_read(APIC_TMCCT);
		t1 = rdtsc();
		apic_write(APIC_TMICT, 0);
		khz[i] = (uint64_t)(c0 - c1) * tsc_khz / (t1 - t0);
	}
	/* The median: order the three (three compare-and-swaps), take the middle. */
	for (int i = 0; i < 3; i++) {
		int a = i == 2 ? 0 : i, b = i == 2 ? 1 : i + 1;	/* (0,1), (1,2), (0,1) */

		if (khz[a] > khz[b]) {
			uint64_t tmp = khz[a];

			khz[a] = khz[b];
			khz[b] = tmp;
		}
	}
	return khz[1];
}

static void oneshot_set_next_event(uint64_t expires)
{
	uint64_t now = sched_clock();
	uint64_t delta = expires > now + MIN_DELTA_NS ? expires - now : MIN_DELTA_NS;
	/* Rounded up, so the interrupt never comes before the timer is due. Each CPU's rate. */
	uint64_t count = (delta * this_cpu()->apic_timer_khz + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;

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
	apic_eoi();	/* interrupts stay off until we return: no nesting */
	hrtimer_interrupt();
}

bool lapic_timer_in_use(void)
{
	return clock_event == &lapic_deadline || clock_event == &lapic_oneshot;
}

/* An AP: its timer in the boot CPU's mode (its rate measured at bring-up). */
bool lapic_timer_setup_ap(void)
{
	if (clock_event == &lapic_deadline) {
		apic_write(APIC_LVTT, LOCAL_TIMER_VECTOR | APIC_LVTT_TSCDEADLINE);
		__asm__ volatile("mfence" ::: "memory");	/* as on the BSP, see below */
		return true;
	}
	if (clock_event == &lapic_oneshot && this_cpu()->apic_timer_khz >= 1000) {
		apic_write(APIC_TDCR, APIC_TDR_DIV_1);
		apic_write(APIC_LVTT, LOCAL_TIMER_VECTOR);
		return true;
	}
	return false;
}

uint64_t lapic_timer_khz(void)
{
	return clock_event == &lapic_oneshot ? apic_khz : 0;
}

static int use_oneshot(void)
{
	apic_khz = cpus[0].apic_timer_khz = lapic_timer_measure_khz();
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
	if (!lapic_usable() || disable_apic_timer) {
		pr_info("%s: timer interrupts from the PIT\n",
			disable_apic_timer ? "APIC timer disabled by nolapic_timer" : "no local APIC");
		return -ENODEV;
	}
	if (!tsc_khz)
		return -ENODEV;
	if (boot_cpu.tsc_deadline && !notscdeadline) {
		/* Not needed for deadlines, but the APs' rates are compared with it (ktest smp). */
		cpus[0].apic_timer_khz = lapic_timer_measure_khz();
		apic_write(APIC_LVTT, LOCAL_TIMER_VECTOR | APIC_LVTT_TSCDEADLINE);
		/* The mode must be in effect before the first deadline is written. */
		__asm__ volatile("mfence" ::: "memory");
		pr_info("APIC timer: TSC-deadline mode\n");
		clockevents_register(&lapic_deadline);
		return 0;
	}
	return use_oneshot();
}

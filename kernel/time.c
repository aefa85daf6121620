/*
 * TSC calibration and the boot clock. We let the PIT count down a known number of
 * its 1.193182 MHz ticks (channel 2, gated by port 0x61, polled: no interrupt is
 * needed) and see how far the TSC moved meanwhile; the smallest of a few tries wins,
 * as a try that got interrupted or preempted by the host only reads too high.
 * A missing or silent PIT (some modern boards gate it) gives up after one timed-out
 * try and falls back to an assumed 1 GHz, with a warning.
 * After calibration, TSC ticks become nanoseconds with one multiply and a shift
 * (cyc2ns: ns = ticks * mult >> 32), which is what sched_clock() and ktime_get_ns() use.
 * Limits: assumes a constant-rate TSC (we log whether CPUID promises one; without the
 * invariant-TSC bit a CPU that changes frequency makes times drift); no HPET (that needs
 * the ACPI tables of another issue) and CPUID leaves 0x15/0x16 (the TSC frequency itself,
 * on recent CPUs) are not used yet. The timer interrupts are in drivers/timer/.
 */
#define pr_fmt(fmt) "tsc: " fmt

#include <asm/cpufeature.h>
#include <asm/x86.h>
#include <kernel/printk.h>
#include <kernel/time.h>

#define PIT_HZ		1193182ull
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PIT_GATE	0x61	/* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 output */
#define CALIBRATE_MS	10

uint64_t tsc_khz;
uint64_t tsc_at_boot;

/* ns = ticks * cyc2ns_mult >> 32, and ticks = ns * ns2cyc_mult >> 32. */
static uint64_t cyc2ns_mult, ns2cyc_mult;

/* TSC ticks during @ms milliseconds of PIT time, or 0 if the PIT never finished. */
static uint64_t measure_once(unsigned int ms)
{
	uint32_t count = (uint32_t)(PIT_HZ * ms / 1000);
	uint64_t start, end;

	/* Gate low, speaker off; channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count). */
	outb(PIT_GATE, (inb(PIT_GATE) & ~0x03));
	outb(PIT_CMD, 0xb0);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	if (inb(PIT_GATE) & 0x20)	/* mode 0 holds OUT2 low until the count runs out */
		return 0;		/* so no 8254 is answering */
	/* Raise the gate: counting starts; OUT2 goes high when the count reaches 0. */
	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);
	start = rdtsc();
	while (!(inb(PIT_GATE) & 0x20))
		if (rdtsc() - start > 10000000ull * ms)	/* longer than a 10 GHz TSC needs */
			return 0;
	end = rdtsc();
	outb(PIT_GATE, inb(PIT_GATE) & ~0x01);
	return end - start;
}

static void set_cyc2ns(void)
{
	/* ns per tick = 10^6 / kHz; ticks per ns = kHz / 10^6, both as 32.32 fixed point. */
	cyc2ns_mult = (NSEC_PER_MSEC << 32) / tsc_khz;
	ns2cyc_mult = (tsc_khz << 32) / NSEC_PER_MSEC;
}

void tsc_init(void)
{
	uint64_t best = ~0ull;

	for (int i = 0; i < 3; i++) {
		uint64_t t = measure_once(CALIBRATE_MS);

		if (!t)
			break;	/* a PIT that failed once will fail again: do not wait twice */
		if (t < best)
			best = t;
	}
	/* No answer, or an answer no x86_64 CPU could give (below 100 MHz, above 10 GHz). */
	if (best == ~0ull || best / CALIBRATE_MS < 100000 || best / CALIBRATE_MS > 10000000) {
		tsc_khz = 1000000;
		set_cyc2ns();
		pr_warn("PIT calibration failed, assuming a 1 GHz TSC: times will be off\n");
		return;
	}
	tsc_khz = best / CALIBRATE_MS;
	set_cyc2ns();
	pr_info("Detected %llu.%03llu MHz processor (TSC %sinvariant)\n",
		(unsigned long long)(tsc_khz / 1000), (unsigned long long)(tsc_khz % 1000),
		boot_cpu.invariant_tsc ? "" : "not ");
}

uint64_t tsc_to_ns(uint64_t delta)
{
	if (!tsc_khz)
		return 0;
	/* ns = ticks * 10^6 / kHz, split into whole ms and the rest so nothing overflows. */
	return delta / tsc_khz * NSEC_PER_MSEC + delta % tsc_khz * NSEC_PER_MSEC / tsc_khz;
}

/* The 128-bit product cannot overflow; ticks since boot fit in 64 bits for centuries. */
uint64_t cycles_to_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * cyc2ns_mult) >> 32);
}

uint64_t ns_to_cycles(uint64_t ns)
{
	return (uint64_t)(((unsigned __int128)ns * ns2cyc_mult) >> 32);
}

uint64_t sched_clock(void)
{
	return cycles_to_ns(rdtsc() - tsc_at_boot);
}

uint64_t ktime_get_ns(void)
{
	return sched_clock();
}

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + us * (tsc_khz ? tsc_khz : 1000000) / 1000;

	while ((int64_t)(rdtsc() - end) < 0)
		cpu_relax();
}

void mdelay(uint64_t ms)
{
	udelay(ms * 1000);
}

/*
 * TSC calibration and the boot clock. We let the PIT count down a known number of
 * its 1.193182 MHz ticks (channel 2, gated by port 0x61, polled: no interrupt is
 * needed) and see how far the TSC moved meanwhile; the smallest of a few tries wins,
 * as a try that got interrupted or preempted by the host only reads too high.
 * Limits: assumes a constant-rate TSC (we log whether CPUID promises one); the
 * scheduler issue adds the APIC timer and high-resolution timers on top.
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
bool tsc_invariant;

/* TSC ticks during @ms milliseconds of PIT time, or 0 if the PIT never finished. */
static uint64_t measure_once(unsigned int ms)
{
	uint32_t count = (uint32_t)(PIT_HZ * ms / 1000);
	uint64_t start, end, spins = 0;

	/* Gate low, speaker off; channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count). */
	outb(PIT_GATE, (inb(PIT_GATE) & ~0x03));
	outb(PIT_CMD, 0xb0);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	/* Raise the gate: counting starts; OUT2 goes high when the count reaches 0. */
	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);
	start = rdtsc();
	while (!(inb(PIT_GATE) & 0x20))
		if (++spins > 100000000)
			return 0;
	end = rdtsc();
	outb(PIT_GATE, inb(PIT_GATE) & ~0x01);
	return end - start;
}

void tsc_init(void)
{
	uint64_t best = ~0ull;

	tsc_invariant = boot_cpu.invariant_tsc;
	for (int i = 0; i < 3; i++) {
		uint64_t t = measure_once(CALIBRATE_MS);

		if (t && t < best)
			best = t;
	}
	if (best == ~0ull) {
		tsc_khz = 1000000;	/* the PIT never counted: assume 1 GHz and say so */
		pr_warn("PIT calibration failed, assuming a 1 GHz TSC\n");
		return;
	}
	tsc_khz = best / CALIBRATE_MS;
	pr_info("Detected %llu.%03llu MHz processor (TSC %sinvariant)\n",
		(unsigned long long)(tsc_khz / 1000), (unsigned long long)(tsc_khz % 1000),
		tsc_invariant ? "" : "not ");
}

uint64_t tsc_to_ns(uint64_t delta)
{
	if (!tsc_khz)
		return 0;
	/* ns = ticks * 10^6 / kHz, split into whole ms and the rest so nothing overflows. */
	return delta / tsc_khz * NSEC_PER_MSEC + delta % tsc_khz * NSEC_PER_MSEC / tsc_khz;
}

uint64_t ktime_get_ns(void)
{
	return tsc_to_ns(rdtsc() - tsc_at_boot);
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

/*
 * Time since boot from the TSC (kernel/time.c). The TSC is calibrated once against
 * the PIT's channel 2, whose input clock is a fixed 1.193182 MHz; after that,
 * sched_clock() and ktime_get_ns() are a rdtsc and a multiply. Under QEMU with -icount
 * the TSC counts guest instructions, which is what `make bench` relies on.
 * The tick (jiffies, HZ) and timers that fire are in include/kernel/hrtimer.h.
 */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <kernel/compiler.h>

#define NSEC_PER_USEC	1000ull
#define NSEC_PER_MSEC	1000000ull
#define NSEC_PER_SEC	1000000000ull

extern uint64_t tsc_khz;	/* 0 until calibrated */
extern uint64_t tsc_at_boot;	/* TSC early in _start32 (boot/entry32.S) */

void tsc_init(void);
uint64_t tsc_to_ns(uint64_t tsc_delta);
uint64_t ktime_get_ns(void);	/* ns since kernel entry; 0 before calibration */
uint64_t sched_clock(void);	/* the same clock, under the name the scheduler uses */
uint64_t cycles_to_ns(uint64_t tsc_ticks);	/* by the calibrated frequency */
uint64_t ns_to_cycles(uint64_t ns);
void udelay(uint64_t us);
void mdelay(uint64_t ms);

#endif

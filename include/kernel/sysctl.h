/*
 * Tunables by name, as Linux's /proc/sys and procps' sysctl show them: "kernel.sched_rt_
 * runtime_us = 950000". A subsystem declares each with SYSCTL(); the linker gathers them
 * (the .sysctl_table section). The value lives in the subsystem's own 64-bit variable in
 * the kernel's unit; the table says how many of those make one shown unit (1000 ns per
 * us), the bounds in shown units, and optionally a write hook for rules that tie one
 * value to another (a runtime no longer than its period). The shell's `sysctl` and the
 * boot parameter sysctl.NAME=VALUE go through sysctl_write. kernel/sysctl.c.
 */
#ifndef KERNEL_SYSCTL_H
#define KERNEL_SYSCTL_H

#include <kernel/compiler.h>

struct ctl_table {
	const char *procname;	/* "kernel.sched_rt_runtime_us" */
	int64_t *data;		/* the variable, in the kernel's unit */
	int64_t scale;		/* kernel units per shown unit (1000: ns behind a _us name) */
	int64_t min, max;	/* shown units, inclusive */
	/* Checks @val (shown units, within the bounds) and stores it; 0 or -EINVAL. */
	int (*write)(const struct ctl_table *t, int64_t val);
};

#define SYSCTL(id, name, var, unit, lo, hi, hook)                                     \
	static const struct ctl_table __sysctl_##id __used __section(".sysctl_table")   \
		__aligned(8) = { name, (int64_t *)(var), unit, lo, hi, hook }

/* The value in shown units (a negative one, such as -1 for "unlimited", as stored). */
int64_t sysctl_value(const struct ctl_table *t);
const struct ctl_table *sysctl_find(const char *name);
/* Parse @text (decimal) and set @name: 0, -ENOENT (no such name) or -EINVAL. */
int sysctl_write(const char *name, const char *text);
/* The default write: store @val * scale. Hooks call it once their own rule holds. */
int sysctl_store(const struct ctl_table *t, int64_t val);

#endif

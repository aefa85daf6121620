/*
 * CPU sets as text, the way util-linux's taskset reads and prints them (lib/cpulist.c):
 *
 *   a mask   hexadecimal, lowest CPU in the lowest bit: "f" is CPUs 0-3. An optional "0x",
 *            and commas as in sysfs ("ff,ffffffff") that are simply skipped; printed in
 *            lowercase without leading zeros ("0" for no CPU).
 *   a list   decimal CPUs and ranges joined by commas: "0,3,7-11", a range may take a
 *            stride ("0-31:2" is every even CPU). Printed with ranges only for three CPUs
 *            or more in a row: {0,1} is "0,1", {0,1,2} is "0-2", as taskset and lscpu do.
 *
 * Parsing keeps CPUs below @nbits (at most the bits of a cpumask_t) and ignores the
 * others, as taskset ignores CPUs past the kernel's mask size: whether a CPU exists is
 * for sched_setaffinity to say, not the parser. Pure functions, no allocation: the host
 * unit tests (tests/host/test_cpulist.c) build this file as it is.
 */
#ifndef LIB_CPULIST_H
#define LIB_CPULIST_H

#include <kernel/cpumask.h>

/* 0 with *mask set, or -EINVAL for text that is no mask (*mask is then unchanged). */
int cpumask_parse(const char *s, unsigned int nbits, cpumask_t *mask);
int cpulist_parse(const char *s, unsigned int nbits, cpumask_t *mask);

/*
 * Write @mask into @buf as a mask or a list, NUL-terminated when @size > 0. Returns the
 * length of the whole text, as snprintf does (CPULIST_BUF_SIZE always holds it).
 */
size_t cpumask_print(char *buf, size_t size, cpumask_t mask);
size_t cpulist_print(char *buf, size_t size, cpumask_t mask);

/*
 * Room for any list of a cpumask_t and its NUL: the longest, 121 characters, is two CPUs
 * of every three, "0,1,3,4,...,60,61,63" (a third in a row would make a range).
 */
#define CPULIST_BUF_SIZE	128

#endif

/*
 * CPU masks: one bit per logical CPU. NR_CPUS fits a word, so a mask is an unsigned long
 * and the operations are the C bit operators; these helpers only name the common ones.
 * cpu_online_mask (include/kernel/smp.h) is the set of CPUs that are up.
 */
#ifndef KERNEL_CPUMASK_H
#define KERNEL_CPUMASK_H

#include <kernel/percpu.h>

typedef unsigned long cpumask_t;

_Static_assert(NR_CPUS <= 8 * sizeof(cpumask_t), "a CPU mask is one word");

#define CPU_MASK_ALL	((cpumask_t)((NR_CPUS == 64) ? ~0ul : (1ul << NR_CPUS) - 1))

static inline cpumask_t cpumask_of(unsigned int cpu) { return 1ul << cpu; }
static inline bool cpumask_test_cpu(unsigned int cpu, cpumask_t m)
{
	return cpu < NR_CPUS && (m >> cpu) & 1;
}

static inline unsigned int cpumask_weight(cpumask_t m)
{
	unsigned int n = 0;

	for (; m; m &= m - 1)	/* clear the lowest set bit (no popcnt before SSE4.2) */
		n++;
	return n;
}

/* The lowest CPU in @m, or NR_CPUS if it is empty. */
static inline unsigned int cpumask_first(cpumask_t m)
{
	return m ? (unsigned int)__builtin_ctzl(m) : NR_CPUS;
}

#define for_each_cpu(cpu, mask)						\
	for (cpumask_t __m = (mask); __m && ((cpu) = __builtin_ctzl(__m), 1);	\
	     __m &= __m - 1)

#endif

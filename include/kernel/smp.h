/*
 * Bringing up the other CPUs (kernel/smpboot.c, docs/smp.md). The MADT lists every
 * processor's local APIC; the boot CPU (BSP, CPU 0) wakes each application processor
 * (AP) with INIT-SIPI-SIPI and a real-mode trampoline (kernel/trampoline.S) copied below
 * 1 MiB. CPU numbers are logical: 0 is the BSP, the APs follow in MADT order.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

/* The trampoline's page: startup IPIs can only point below 1 MiB, at a 4 KiB boundary. */
#define TRAMPOLINE_PHYS	0x8000

#ifndef __ASSEMBLER__
#include <kernel/compiler.h>
#include <kernel/cpumask.h>
#include <kernel/percpu.h>

/* The parameter block at the end of the trampoline, filled by the BSP before each SIPI. */
struct trampoline_params {
	uint64_t cr3;		/* early page tables: identity map and kernel image, below 4 GiB */
	uint64_t efer;
	uint64_t entry;		/* ap_start64 */
	uint64_t pgd;		/* the kernel's page tables (physical) */
	uint64_t stack;		/* top of the AP's boot stack */
	uint64_t cpu;		/* logical CPU number */
};

/* What each AP read back of itself once up (kernel/smpboot.c), for the kernel test. */
struct ap_self_check {
	struct cpu *gs_self;	/* %gs:0: its own struct cpu */
	uint16_t tr;		/* the task register: its TSS selector */
	uint64_t gdt_base;	/* sgdt: its own GDT, in its struct cpu */
	uint64_t idt_base;
	uint32_t apic_id;	/* read from its own local APIC */
	uint64_t cr3;
};
extern struct ap_self_check ap_self_check[NR_CPUS];

extern cpumask_t cpu_online_mask;	/* bit N: CPU N is up (and runs its idle task) */

static inline bool cpu_online(unsigned int cpu)
{
	return cpu < NR_CPUS && (__atomic_load_n(&cpu_online_mask, __ATOMIC_ACQUIRE) >> cpu) & 1;
}

static inline cpumask_t online_cpus(void)
{
	return __atomic_load_n(&cpu_online_mask, __ATOMIC_ACQUIRE);
}

static inline unsigned int num_online_cpus(void) { return cpumask_weight(online_cpus()); }

/* The CPUs the command line allows, the BSP included: 1 with nosmp, else maxcpus=. */
unsigned int smp_cpus_wanted(void);

/*
 * Start CPU @cpu (a free logical number) at local APIC @apic_id and wait for it:
 * 0, -ETIMEDOUT if it did not answer (reported, left out), -ENOMEM, -ERANGE (an ID
 * xAPIC mode cannot address), -EINVAL (a number or APIC ID in use, no trampoline).
 */
int smp_boot_cpu(unsigned int cpu, uint32_t apic_id);

int cpuinfo_format(char *buf, size_t size);	/* /proc/cpuinfo (kernel/cpuinfo.c) */

/*
 * Running a function on other CPUs (kernel/smp.c), through the call-function IPI. The
 * function runs in that CPU's interrupt context (interrupts off): it must not sleep.
 * @wait: return only once it has run everywhere (@info may then live on the caller's
 * stack); without, it must stay valid until it ran. Waiting is safe with interrupts off:
 * the waiter serves calls sent to itself meanwhile, so two CPUs calling each other do not
 * deadlock. Offline CPUs in a mask are skipped.
 */
typedef void (*smp_call_func_t)(void *info);
int smp_call_function_single(unsigned int cpu, smp_call_func_t func, void *info, bool wait);
void smp_call_function_many(cpumask_t mask, smp_call_func_t func, void *info, bool wait);
void on_each_cpu_mask(cpumask_t mask, smp_call_func_t func, void *info, bool wait);
static inline void on_each_cpu(smp_call_func_t func, void *info, bool wait)
{
	on_each_cpu_mask(online_cpus(), func, info, wait);
}
void smp_send_reschedule(unsigned int cpu);	/* the reschedule IPI: look at need_resched */
void smp_ipi_init(void);			/* the call queues, before any CPU comes up */
void smp_call_function_interrupt(void);		/* the two IPI vectors (kernel/irq.c) */
void smp_reschedule_interrupt(void);

/* Start every AP the MADT lists (up to maxcpus=, none with nosmp). From kernel_init. */
void smp_init(void);

#endif /* __ASSEMBLER__ */
#endif

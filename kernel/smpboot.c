/*
 * SMP bring-up: the boot CPU starts every other CPU the MADT lists (docs/smp.md).
 *
 * An AP after reset waits for a startup IPI. The MP protocol is INIT assert, 10 ms, INIT
 * deassert (for old APICs), then startup IPI twice, 200 us apart; an AP already
 * running ignores the second. The SIPI's vector is the page the AP starts at in real mode
 * (kernel/trampoline.S, copied to TRAMPOLINE_PHYS, a page memblock keeps out of the
 * allocator with the rest of the low 1 MiB). APs start one at a time: they share the
 * trampoline and its parameter block. Each AP then loads its own GDT, TSS and GS base
 * (cpu_init), the shared IDT, the BSP's control registers and PAT, turns on its local APIC
 * and calibrates its timer, and reports in by setting its bit in cpu_online_mask.
 *
 * Then the AP becomes the idle task the BSP made for it (fork_idle, on the stack it came
 * up on), starts its tick on its own APIC timer, turns interrupts on and idles: from then
 * on its run queue takes tasks (affinity, sched/smp.c) and it answers IPIs (kernel/smp.c).
 * Device interrupts all go to the BSP. The APs need the local APIC timer for their tick:
 * with the PIT as the clock (nolapic_timer) they are not started.
 *
 * nosmp: only the BSP. maxcpus=N: at most N CPUs in all (0 is read as 1, the BSP).
 * A CPU that does not come up within AP_BOOT_TIMEOUT_MS is reported and left out.
 */
#include <asm/apic.h>
#include <asm/fpu.h>
#include <asm/layout.h>
#include <asm/segment.h>
#include <asm/x86.h>
#include <drivers/acpi.h>
#include <kernel/bootinfo.h>
#include <kernel/hrtimer.h>
#include <kernel/kstack.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <kernel/traps.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <asm/io.h>
#include <mm/pgtable.h>
#include <sched/task.h>

#define AP_BOOT_TIMEOUT_MS	2000	/* TCG runs an AP's first instructions slowly */
#define MSR_IA32_PAT		0x277

extern const char trampoline_start[], trampoline_end[], trampoline_params[];
extern char early_pml4[];
void ap_start64(void);
void __noreturn start_secondary(unsigned int cpu);
static struct task_struct *ap_idle;	/* the idle task of the AP being started */

cpumask_t cpu_online_mask = 1;	/* the BSP */
struct ap_self_check ap_self_check[NR_CPUS];

static bool nosmp;
static unsigned int max_cpus = NR_CPUS;

KERNEL_PARAM_FLAG("nosmp", nosmp, NULL, "no value: only the boot CPU, no other CPU started");

static int set_maxcpus(const char *val)
{
	unsigned int n;

	if (!val || kstrtouint(val, 10, &n))
		return -EINVAL;
	max_cpus = n ? (n < NR_CPUS ? n : NR_CPUS) : 1;
	return 0;
}
KERNEL_PARAM("maxcpus", set_maxcpus, "a number: the CPUs to run, the boot CPU included");

unsigned int smp_cpus_wanted(void)
{
	return nosmp ? 1 : max_cpus;
}

/* The BSP's state an AP copies: whatever mm/init.c, fpu.c and syscall.c turned on. */
static struct { uint64_t cr0, cr4, pat; } bsp_state;

/*
 * The AP in C, on its own stack and the kernel's page tables, interrupts off. What it
 * finds about itself goes to ap_self_check[] for the kernel test to compare; nothing is
 * printed here (the BSP reports), so the log keeps one writer.
 */
void __noreturn start_secondary(unsigned int cpu)
{
	struct ap_self_check *chk = &ap_self_check[cpu];
	struct desc_ptr idtr, gdtr;
	uint16_t tr;

	write_cr0(bsp_state.cr0);
	write_cr4(bsp_state.cr4);
	wrmsr(MSR_IA32_PAT, bsp_state.pat);
	fpu_secondary_init();	/* XCR0, which the CR4.OSXSAVE just copied needs */
	cpu_init(cpu);		/* GDT, TSS with IST stacks, GS base -> cpus[cpu] */
	idt_load();
	lapic_ap_setup();
	cpus[cpu].apic_timer_khz = lapic_timer_measure_khz();

	__asm__ volatile("str %0" : "=r"(tr));
	__asm__ volatile("sidt %0" : "=m"(idtr));
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	chk->gdt_base = gdtr.base;
	chk->gs_self = this_cpu();
	chk->tr = tr;
	chk->idt_base = idtr.base;
	chk->apic_id = read_apic_id();
	chk->cr3 = read_cr3();

	init_idle(ap_idle, cpu);	/* this flow is its idle task from here on */
	this_cpu()->current_task = ap_idle;
	lapic_timer_setup_ap();		/* smp_init checked that the tick is the APIC's */
	tick_start_cpu();
	__atomic_or_fetch(&cpu_online_mask, 1ul << cpu, __ATOMIC_RELEASE);	/* "I am up" */
	local_irq_enable();
	cpu_idle_loop();
}

/* INIT, deassert, then two startup IPIs; true once the AP has set its online bit. */
static bool wake_ap(unsigned int cpu, uint32_t apic_id)
{
	uint32_t sipi = APIC_DM_STARTUP | (TRAMPOLINE_PHYS >> PAGE_SHIFT);

	apic_write(APIC_ESR, 0);
	apic_icr_write(APIC_DM_INIT | APIC_INT_LEVELTRIG | APIC_INT_ASSERT, apic_id);
	mdelay(10);
	apic_icr_write(APIC_DM_INIT | APIC_INT_LEVELTRIG, apic_id);
	for (int i = 0; i < 2 && !cpu_online(cpu); i++) {
		apic_icr_write(sipi, apic_id);
		udelay(200);
	}
	for (unsigned int ms = 0; ms < AP_BOOT_TIMEOUT_MS && !cpu_online(cpu); ms++)
		mdelay(1);
	return cpu_online(cpu);
}

static bool overlaps_page(uint64_t start, uint64_t end)
{
	return start < TRAMPOLINE_PHYS + PAGE_SIZE && end > TRAMPOLINE_PHYS;
}

/*
 * Is the trampoline's page RAM the firmware called usable (no firmware data there), and
 * holds none of the boot loader's data that the kernel still reads (its information
 * structure, where boot_info's strings point, and the modules)?
 */
static bool trampoline_page_usable(void)
{
	if (overlaps_page(boot_info.info_phys, boot_info.info_phys + boot_info.info_size))
		return false;
	for (unsigned int i = 0; i < boot_info.nr_modules; i++)
		if (overlaps_page(boot_info.modules[i].start, boot_info.modules[i].end))
			return false;
	for (unsigned int i = 0; i < boot_info.nr_mem; i++) {
		const struct mem_region *r = &boot_info.mem[i];

		if (r->type == MEM_USABLE && r->base <= TRAMPOLINE_PHYS &&
		    r->base + r->length >= TRAMPOLINE_PHYS + PAGE_SIZE)
			return true;
	}
	return false;
}

static unsigned int enabled_aps(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < acpi.madt.nr_cpus; i++)
		n += acpi.madt.cpus[i].enabled && acpi.madt.cpus[i].apic_id != cpus[0].apic_id;
	return n;
}

static struct trampoline_params *tp;	/* in the installed trampoline page, or NULL */

/* Copy the trampoline below 1 MiB and fill what every AP shares. Stays for later wakeups. */
static int trampoline_install(void)
{
	char *page;

	if (!trampoline_page_usable()) {
		pr_warn("smp: the page at 0x%x is not usable RAM, or holds boot loader data\n",
			TRAMPOLINE_PHYS);
		return -ENODEV;
	}
	page = ioremap(TRAMPOLINE_PHYS, PAGE_SIZE);
	if (!page) {
		pr_err("smp: cannot map the trampoline page\n");
		return -ENOMEM;
	}
	memcpy(page, trampoline_start, trampoline_end - trampoline_start);
	tp = (struct trampoline_params *)(page + (trampoline_params - trampoline_start));
	tp->cr3 = __pa(early_pml4);
	tp->efer = rdmsr(MSR_EFER) & ~EFER_LMA;
	tp->entry = (uint64_t)ap_start64;
	tp->pgd = __pa(init_pgd);	/* PCID 0, so CR4.PCIDE may be set on it */
	bsp_state.cr0 = read_cr0();
	bsp_state.cr4 = read_cr4();
	bsp_state.pat = rdmsr(MSR_IA32_PAT);
	return 0;
}

/* Is @apic_id an online CPU's (INIT would reset it)? */
static bool apic_id_in_use(uint32_t apic_id)
{
	for (unsigned int c = 0; c < NR_CPUS; c++)
		if (cpu_online(c) && cpus[c].apic_id == apic_id)
			return true;
	return false;
}

int smp_boot_cpu(unsigned int cpu, uint32_t apic_id)
{
	void *stack;

	if (!tp || cpu == 0 || cpu >= NR_CPUS || cpu_online(cpu) || apic_id_in_use(apic_id))
		return -EINVAL;
	if (!x2apic_mode && apic_id >= 0xff) {	/* 0xff is xAPIC's broadcast */
		pr_err("smpboot: APIC id %u needs x2APIC mode: CPU left out\n", apic_id);
		return -ERANGE;
	}
	stack = kstack_alloc(NULL);
	ap_idle = stack ? fork_idle(cpu, stack) : NULL;
	if (!ap_idle) {
		pr_err("smpboot: no memory for a stack: CPU %u (APIC id %u) left out\n", cpu, apic_id);
		if (stack)
			kstack_free(stack);
		return -ENOMEM;
	}
	cpus[cpu].apic_id = apic_id;
	tp->stack = (uint64_t)stack + THREAD_SIZE;
	tp->cpu = cpu;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* parameters written before the IPI */
	if (!wake_ap(cpu, apic_id)) {
		/*
		 * A CPU that is merely slow could still be on its way with these parameters.
		 * INIT stops it wherever it is and leaves it waiting for a startup IPI, which only
		 * a later smp_boot_cpu for it would send. If it set its bit meanwhile, it was
		 * stopped too: take the bit back. Then (after the INIT surely landed: x2APIC has
		 * no delivery status) its stack can go.
		 */
		bool late;

		apic_icr_write(APIC_DM_INIT | APIC_INT_LEVELTRIG | APIC_INT_ASSERT, apic_id);
		apic_icr_write(APIC_DM_INIT | APIC_INT_LEVELTRIG, apic_id);
		mdelay(1);
		late = __atomic_fetch_and(&cpu_online_mask, ~(1ul << cpu), __ATOMIC_ACQ_REL) &
		       (1ul << cpu);
		pr_err("smpboot: CPU %u (APIC id %u) did not answer INIT-SIPI-SIPI in %u ms%s: "
		       "left out\n", cpu, apic_id, AP_BOOT_TIMEOUT_MS,
		       late ? " (it came up late and was stopped)" : "");
		hrtimers_dead_cpu(cpu);	/* it may have armed its tick before INIT hit it */
		free_idle_task(ap_idle);
		return -ETIMEDOUT;
	}
	pr_info("smpboot: CPU %u (APIC id %u) is up, APIC timer %llu.%03llu MHz\n", cpu, apic_id,
		(unsigned long long)(cpus[cpu].apic_timer_khz / 1000),
		(unsigned long long)(cpus[cpu].apic_timer_khz % 1000));
	return 0;
}

void smp_init(void)
{
	unsigned int next = 1, listed;

	smp_ipi_init();
	cpus[0].apic_id = lapic_usable() ? read_apic_id() : 0;
	listed = acpi.madt.present ? enabled_aps() : 0;
	if (!listed)
		return;		/* a uniprocessor: nothing to say */
	if (smp_cpus_wanted() == 1) {
		pr_info("smp: %s: %u other CPU(s) left off\n", nosmp ? "nosmp" : "maxcpus=1", listed);
		return;
	}
	if (!lapic_usable()) {
		pr_warn("smp: no local APIC to send startup IPIs with: %u other CPU(s) left off\n",
			listed);
		return;
	}
	if (!lapic_timer_in_use()) {
		pr_warn("smp: the tick comes from the %s, which only CPU 0 hears: %u other CPU(s) "
			"left off\n", clock_event ? clock_event->name : "no timer", listed);
		return;
	}
	if (trampoline_install()) {
		pr_warn("smp: no trampoline: %u other CPU(s) left off\n", listed);
		return;
	}
	pr_info("smp: Bringing up secondary CPUs ...\n");
	for (unsigned int i = 0; i < acpi.madt.nr_cpus; i++) {
		const struct acpi_madt_cpu *mc = &acpi.madt.cpus[i];

		if (!mc->enabled || mc->apic_id == cpus[0].apic_id)
			continue;
		if (next >= smp_cpus_wanted()) {
			if (max_cpus < NR_CPUS)
				pr_info("smp: maxcpus=%u: APIC id %u and any after it left off\n",
					max_cpus, mc->apic_id);
			else
				pr_warn("smp: the kernel has room for %u CPUs (NR_CPUS): APIC id %u "
					"and any after it left off\n", NR_CPUS, mc->apic_id);
			break;
		}
		int err = smp_boot_cpu(next, mc->apic_id);

		if (err == 0)
			next++;
		else if (err == -EINVAL)	/* the others said why themselves */
			pr_err("smpboot: APIC id %u: refused (%d)\n", mc->apic_id, err);
	}
	pr_info("smp: Brought up 1 node, %u CPU%s\n", num_online_cpus(),
		num_online_cpus() == 1 ? "" : "s");
}

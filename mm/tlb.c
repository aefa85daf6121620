/*
 * The TLB: flushing what a page-table change left behind (a struct tlb_batch,
 * include/mm/tlb.h states the contract), and switching address spaces (switch_mm).
 *
 * Flushing a batch: up to TLB_SINGLE_PAGE_FLUSH_CEILING pages, one invlpg per page of the
 * batch's stride (an invlpg also drops the paging-structure cache entries that translated
 * the address, Intel SDM vol. 3 4.10.4.1, which unlinked table pages need before reuse);
 * more pages, one whole flush: a CR3 load drops every non-global translation of the current
 * address space, a CR4.PGE toggle drops everything, global entries and all PCIDs included.
 *
 * PCID: with CR4.PCIDE each TLB entry is tagged with the 12-bit id in CR3's low bits, so a
 * CR3 load with bit 63 set switches spaces without flushing, and coming back finds the
 * old translations still there. Each mm gets its own id (init_mm has 0). The price:
 * invlpg and a CR3 load only reach the current id, so a change to a space that is not
 * loaded cannot be flushed now; instead the space is marked stale on this CPU and its next
 * switch_mm loads CR3 without bit 63, which drops all of that id's entries. A new mm starts
 * stale, since a reused id may still have entries of the mm that had it before.
 * Without PCID, every CR3 load flushes, so a space that is not loaded has nothing cached
 * and its flushes are skipped (they are counted as nr_tlb_flush_not_loaded either way).
 *
 * Kernel mappings (tlb->mm NULL, the upper half) are global and shared by all spaces, so
 * invlpg (which drops a global entry in every PCID) or a PGE toggle serves them.
 *
 * Other CPUs (shootdowns): each CPU has its own TLB, so a change another CPU may have
 * cached is flushed there too, by a call-function IPI (kernel/smp.c) that runs the same
 * local flush on it, and the change is complete only when every one has answered. Who is
 * asked: for kernel addresses, every other online CPU; for a user space, only the CPUs
 * that have it loaded now (loaded_mm[], a kernel thread borrowing it included). Without
 * PCID the others have nothing of it cached (their CR3 switch away flushed it); with PCID
 * they may, and are marked stale instead of interrupted. The ordering that makes reading
 * loaded_mm[] enough: the page-table change, a full fence, then the read; switch_mm
 * writes loaded_mm[] before the CR3 load (serializing), so a CPU not seen loading the
 * space loads it after the change. Interrupted CPUs count nr_tlb_remote_flush_received
 * and "TLB" in /proc/interrupts; the sender nr_tlb_remote_flush.
 * The wait for the answers is why a lock held across a flush must not be waited for with
 * interrupts off (kernel_pt_lock, the fault path: docs/smp.md, "Locking rules").
 * docs/paging.md, "The TLB"; docs/smp.md, "TLB shootdowns".
 */
#include <asm/cpufeature.h>
#include <asm/x86.h>
#include <kernel/oops.h>
#include <kernel/irq.h>
#include <kernel/percpu.h>
#include <kernel/smp.h>
#include <mm/mm_types.h>
#include <mm/mmu_context.h>
#include <mm/pgtable.h>
#include <mm/tlb.h>
#include <mm/vmstat.h>
#include <sched/task.h>

#define CR3_NOFLUSH	(1ull << 63)	/* with PCIDE: keep the new PCID's translations */
#define NR_PCIDS	4096

struct mm_struct init_mm;
struct mm_struct *loaded_mm[NR_CPUS];
static uint64_t pcid_used[NR_PCIDS / 64] = { 1 };	/* bit n: id n is taken; 0 is init_mm's */
static spinlock_t pcid_lock = SPINLOCK_INIT;

static bool pcid_on(void)
{
	return read_cr4() & X86_CR4_PCIDE;
}

/* Drop every translation, global ones and every PCID's included. */
static void flush_everything(bool local)
{
	unsigned long flags = local_irq_save();
	uint64_t cr4 = read_cr4();

	if (cr4 & X86_CR4_PGE) {
		write_cr4(cr4 & ~X86_CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());	/* no PGE: PCID is off too (mm/init.c), so this drops it all */
	}
	local_irq_restore(flags);
	if (local)
		count_vm_event(NR_TLB_LOCAL_FLUSH_GLOBAL);
}

void flush_tlb_all(void)
{
	flush_everything(true);
}

/* Is @mm (NULL: the kernel half) reachable by invlpg / CR3 on this CPU right now? */
static bool mm_is_loaded(const struct mm_struct *mm)
{
	return !mm || mm == &init_mm || mm == current_loaded_mm();
}

static void flush_not_loaded(struct mm_struct *mm, bool local)
{
	/* Nothing to do without PCID: its entries went at the CR3 switch away from it. */
	__atomic_fetch_or(&mm->context.stale_cpus, 1ull << smp_processor_id(), __ATOMIC_RELAXED);
	if (local)
		count_vm_event(NR_TLB_FLUSH_NOT_LOADED);
}

/* Flush the non-global translations of the loaded space (all of them). */
static void flush_loaded_mm(bool local)
{
	write_cr3(read_cr3() & ~CR3_NOFLUSH);
	if (local)
		count_vm_event(NR_TLB_LOCAL_FLUSH_ALL);
}

static void flush_pages(uint64_t start, uint64_t end, unsigned int stride_shift, bool local)
{
	uint64_t n = 0;

	for (uint64_t va = start; va != end; va += 1ull << stride_shift, n++)
		invlpg(va);
	if (!local)
		return;
	count_vm_events(NR_TLB_LOCAL_FLUSH_ONE, n);
	count_vm_event(NR_TLB_LOCAL_FLUSH_RANGE);
}

/*
 * This CPU's part of the flush of @tlb's range. @local: this CPU's own flush, counted in
 * the nr_tlb_local_* events (a shootdown's is counted as received, as Linux does).
 */
static void flush_tlb_local(const struct tlb_batch *tlb, bool local)
{
	if (!mm_is_loaded(tlb->mm))
		flush_not_loaded(tlb->mm, local);
	else if (va_is_kernel(tlb->start) && tlb->nr_tables && pcid_on())
		/*
		 * Freed kernel tables: invlpg clears paging-structure caches of the current PCID
		 * only, and any PCID may have walked through these tables. Drop everything.
		 */
		flush_everything(local);
	else if (!tlb_batch_wants_full_flush(tlb))
		flush_pages(tlb->start, tlb->end, tlb->stride_shift, local);
	else if (tlb->global || va_is_kernel(tlb->start))
		flush_everything(local);	/* kernel entries may sit under every PCID */
	else
		flush_loaded_mm(local);
}

/* The call-function IPI's work on a CPU asked to flush (interrupts off). */
static void flush_tlb_func(void *info)
{
	this_cpu_irq_stats()->tlb_shootdown++;
	count_vm_event(NR_TLB_REMOTE_FLUSH_RECEIVED);
	flush_tlb_local(info, false);
}

/* The other CPUs that may hold translations @tlb flushes; PCID ones not asked go stale. */
static cpumask_t tlb_remote_cpus(const struct tlb_batch *tlb)
{
	cpumask_t others = online_cpus() & ~cpumask_of(smp_processor_id()), loaded = 0;
	struct mm_struct *mm = tlb->mm;
	unsigned int cpu;

	if (!others || !mm || mm == &init_mm || va_is_kernel(tlb->start))
		return others;		/* the kernel half is in every CPU's TLB */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* the change before the read (see the top) */
	for_each_cpu(cpu, others)
		if (READ_ONCE(loaded_mm[cpu]) == mm)
			loaded |= cpumask_of(cpu);
	if (pcid_on())
		__atomic_fetch_or(&mm->context.stale_cpus, others & ~loaded, __ATOMIC_RELAXED);
	return loaded;
}

void tlb_flush_batch(struct tlb_batch *tlb)
{
	cpumask_t remote;

	if (tlb->start == tlb->end) {
		tlb_batch_done(tlb);
		return;
	}
	preempt_disable();	/* "this CPU" and "the others" must stay the same CPUs */
	remote = tlb_remote_cpus(tlb);
	flush_tlb_local(tlb, true);
	if (remote) {
		count_vm_event(NR_TLB_REMOTE_FLUSH);
		smp_call_function_many(remote, flush_tlb_func, tlb, true);
	}
	preempt_enable();
	tlb_batch_done(tlb);
}

/* The Linux-named entry points, for changes made outside a batch. */
void flush_tlb_range(struct mm_struct *mm, uint64_t start, uint64_t end)
{
	struct tlb_batch tlb;

	tlb_batch_init(&tlb, NULL);
	tlb.mm = mm;
	tlb.start = start;
	tlb.end = end;
	tlb.global = va_is_kernel(start);
	tlb_flush_batch(&tlb);
}

void flush_tlb_page(struct mm_struct *mm, uint64_t va)
{
	flush_tlb_range(mm, va, va + PAGE_SIZE);
}

/* A PCID for a new mm: the lowest free one, or 0 (shared with init_mm) when all are taken. */
static uint16_t pcid_alloc(void)
{
	unsigned long flags = spin_lock_irqsave(&pcid_lock);
	uint16_t id = 0;

	for (unsigned int w = 0; w < NR_PCIDS / 64 && !id; w++) {
		if (pcid_used[w] == ~0ull)
			continue;
		id = (uint16_t)(w * 64 + __builtin_ctzll(~pcid_used[w]));
		pcid_used[w] |= 1ull << (id % 64);
	}
	spin_unlock_irqrestore(&pcid_lock, flags);
	return id;
}

static void pcid_free(uint16_t id)
{
	unsigned long flags;

	if (!id)
		return;
	flags = spin_lock_irqsave(&pcid_lock);
	pcid_used[id / 64] &= ~(1ull << (id % 64));
	spin_unlock_irqrestore(&pcid_lock, flags);
}

void mm_context_init(struct mm_struct *mm)
{
	mm->context.pcid = pcid_on() ? pcid_alloc() : 0;
	mm->context.stale_cpus = ~0ull;	/* a reused id may still have the old owner's entries */
}

/* On a CPU that still has @mm loaded for a kernel thread (lazily): load init_mm instead. */
static void leave_mm_func(void *info)
{
	struct mm_struct *mm = info;

	if (current_loaded_mm() != mm)
		return;
	switch_mm(&init_mm);
	if (current->active_mm == mm)
		current->active_mm = &init_mm;
}

/*
 * @mm is going (no task uses it): no CPU may keep it loaded, not even the idle task or a
 * kernel thread that borrowed it at a switch. This CPU left it already (mm_destroy).
 */
void mm_leave_lazy_cpus(struct mm_struct *mm)
{
	cpumask_t mask = 0;
	unsigned int cpu;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for_each_cpu(cpu, online_cpus())
		if (READ_ONCE(loaded_mm[cpu]) == mm)
			mask |= cpumask_of(cpu);
	if (mask)
		on_each_cpu_mask(mask, leave_mm_func, mm, true);
}

void mm_context_destroy(struct mm_struct *mm)
{
	for (unsigned int i = 0; i < NR_CPUS; i++)
		BUG_ON(loaded_mm[i] == mm);	/* the caller switched away first */
	pcid_free(mm->context.pcid);
}

/*
 * Load @next's page tables on this CPU. Interrupts must be off (the scheduler calls this
 * inside the context switch), so the loaded_mm record and CR3 never disagree.
 */
void switch_mm(struct mm_struct *next)
{
	unsigned int cpu = smp_processor_id();
	uint64_t cr3 = __pa(next->pgd);
	uint64_t bit = 1ull << cpu;

	if (loaded_mm[cpu] == next)
		return;
	if (pcid_on()) {
		cr3 |= next->context.pcid;
		if (!(next->context.stale_cpus & bit) && next->context.pcid)
			cr3 |= CR3_NOFLUSH;
	}
	__atomic_fetch_and(&next->context.stale_cpus, ~bit, __ATOMIC_RELAXED);
	WRITE_ONCE(loaded_mm[cpu], next);	/* before the CR3 load: see the top */
	write_cr3(cr3);
	count_vm_event(cr3 & CR3_NOFLUSH ? NR_TLB_SWITCH_NOFLUSH : NR_TLB_SWITCH_FLUSH);
}

/* Boot: the kernel's own space is the one loaded (mm_init switched CR3 to init_pgd). */
void init_mm_setup(void)
{
	init_mm.pgd = init_pgd;
	init_mm.context.pcid = 0;
	loaded_mm[smp_processor_id()] = &init_mm;
}

/*
 * The page-fault handler (#PF, vector 14). The CPU gives the faulting address in CR2 and an
 * error code: P (0: no translation, 1: the translation forbids this access), W (a write),
 * U (from ring 3), RSVD (a reserved bit set in an entry: corrupted tables), I (an
 * instruction fetch). do_page_fault sorts each fault into one case, in this order:
 *  1. Reserved bit: the page tables are corrupt. Never handled: an oops.
 *  2. User address, from the kernel: without EFLAGS.AC (stac) under SMAP, or an
 *     instruction fetch under SMEP, it is a bug, reported as such.
 *  3. Spurious: the entry in memory already allows the access. The CPU used a stale TLB
 *     entry (a permission was widened without a flush, which is allowed: x86 rechecks
 *     the tables on a fault), so flushing that one page and retrying is the whole fix.
 *  4. Kernel address: a stack guard page is reported as a stack overflow; anything else
 *     is a kernel bug (the caller prints the oops).
 *  5. User address inside a VMA that allows the access: not mapped yet -> demand paging
 *     (a zeroed frame); mapped read-only in a writable VMA -> copy-on-write (private VMA,
 *     shared frame) or write access given back. The mm's mmap_lock is held for reading.
 *  6. Anything else: a bad access (a segfault for a user program later; an oops now).
 * Counted: pgfault for every fault, pgcowfault, pgfault_spurious, and min_flt/cow_flt per
 * address space and per task (the task that faulted: current).
 * Runs with interrupts off (the IDT gate is an interrupt gate). docs/paging.md.
 */
#define pr_fmt(fmt) "fault: " fmt

#include <asm/x86.h>
#include <kernel/oops.h>
#include <kernel/preempt.h>
#include <kernel/printk.h>
#include <kernel/traps.h>
#include <lib/errno.h>
#include <mm/fault.h>
#include <mm/memory.h>
#include <mm/mmu_context.h>
#include <mm/oom.h>
#include <mm/pgtable.h>
#include <mm/vma.h>
#include <mm/vmscan.h>
#include <mm/vmstat.h>
#include <sched/task.h>

/* Would the entry that maps @addr now allow the access @error_code describes? */
static bool access_allowed(pteval_t *pgd, uint64_t addr, unsigned long error_code)
{
	uint64_t pa;
	pteval_t prot;

	if (!follow_pte(pgd, addr, &pa, &prot))
		return false;
	if ((error_code & X86_PF_WRITE) && !(prot & _PAGE_RW))
		return false;
	if ((error_code & X86_PF_USER) && !(prot & _PAGE_USER))
		return false;
	if ((error_code & X86_PF_INSTR) && (prot & _PAGE_NX & supported_pte_mask))
		return false;
	return true;
}

bool spurious_fault(uint64_t addr, unsigned long error_code)
{
	pteval_t *pgd = __va(read_cr3() & PTE_ADDR_MASK);

	if (!access_allowed(pgd, addr, error_code))
		return false;
	invlpg(addr);
	count_vm_event(PGSPURIOUS);
	return true;
}

/*
 * Case 5: the fault is in @vma; returns 0 when the access can be retried, -EAGAIN with
 * *@swp set when the page is out on swap (to be read with the lock dropped).
 */
static int handle_mm_fault(struct vm_area_struct *vma, uint64_t addr, unsigned long error_code,
			   pteval_t *swp)
{
	struct mm_struct *mm = vma->vm_mm;
	uint64_t pa;
	pteval_t prot;
	int err;

	/* Before any allocation: a swap-in takes its page unlocked, where it may reclaim. */
	if (!(error_code & X86_PF_PROT) && is_swap_pte(*swp = read_pte(mm->pgd, addr)))
		return -EAGAIN;
	if (!(error_code & X86_PF_PROT) || !follow_pte(mm->pgd, addr, &pa, &prot)) {
		err = do_anonymous_page(vma, addr);
		if (err == -EEXIST)	/* another fault mapped it first: retry the access */
			return 0;
		if (!err) {
			mm->min_flt++;
			current->min_flt++;
		}
		return err;
	}
	if ((error_code & X86_PF_WRITE) && !(prot & _PAGE_RW)) {
		err = do_wp_page(vma, addr, pa);
		if (err < 0)
			return err;
		mm->min_flt++;
		current->min_flt++;
		if (err == WP_COPIED) {
			mm->cow_flt++;
			current->cow_flt++;
			count_vm_event(PGCOWFAULT);
		}
		return 0;
	}
	return -EFAULT;
}

static bool access_error(const struct vm_area_struct *vma, unsigned long error_code)
{
	if (error_code & X86_PF_WRITE)
		return !(vma->vm_flags & VM_WRITE);
	if (error_code & X86_PF_INSTR)
		return !(vma->vm_flags & VM_EXEC);
	return !(vma->vm_flags & VM_READ);
}

/*
 * Case 2: the kernel touched a user address outside a user-access window (stac/clac).
 * Under SMAP that is a bug even where a VMA would allow it; a page that is present names
 * SMAP (or SMEP, for a fetch) as the refusal, a missing one is a plain bad address.
 */
static enum fault_result kernel_user_access(const struct pt_regs *regs, unsigned long error_code)
{
	bool present = error_code & X86_PF_PROT;

	if ((read_cr4() & X86_CR4_SMEP) && (error_code & X86_PF_INSTR))
		return present ? FAULT_SMEP : FAULT_USER_ADDR;
	if ((read_cr4() & X86_CR4_SMAP) && !(regs->rflags & X86_EFLAGS_AC))
		return present ? FAULT_SMAP : FAULT_USER_ADDR;
	return FAULT_HANDLED;
}

/*
 * May this fault sleep (read from swap, reclaim)? Not inside the kernel's atomic code, nor
 * where interrupts were off. The handler runs with them off (an interrupt gate); the
 * sleeping parts turn them back on, as they were where the fault hit.
 */
static bool fault_may_sleep(const struct pt_regs *regs)
{
	return !in_atomic() && (regs->rflags & X86_EFLAGS_IF);
}

/*
 * Out of memory for the page (the fault path allocates with __GFP_NORETRY, since it holds
 * the mmap_lock, a spinlock): now unlocked, reclaim and OOM-kill (pagefault_out_of_memory)
 * with interrupts on where the fault may sleep. True if the fault should be retried.
 */
static bool fault_oom(const struct pt_regs *regs)
{
	return pagefault_out_of_memory(fault_may_sleep(regs));
}

static enum fault_result user_addr_fault(struct pt_regs *regs, uint64_t addr,
					 unsigned long error_code)
{
	struct mm_struct *mm = current_loaded_mm();
	struct vm_area_struct *vma;
	pteval_t swp = 0;
	int err, tries = 0;

	if (!mm || mm == &init_mm)
		return FAULT_BAD_AREA;	/* the kernel's own space has no user half */
retry:
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (!vma || access_error(vma, error_code))
		err = -EFAULT;
	else
		err = handle_mm_fault(vma, addr, error_code, &swp);
	mmap_read_unlock(mm);
	if (err == -EAGAIN) {		/* out on swap: a major fault */
		if (!fault_may_sleep(regs)) {
			static bool told;

			if (!told)
				pr_warn("fault on a swapped-out user page at %llx where the kernel "
					"may not sleep: -EFAULT\n", (unsigned long long)addr);
			told = true;
			return FAULT_BAD_AREA;
		}
		mmget(mm);	/* held across the sleep, whatever happens to the task's mm */
		err = do_swap_page(mm, addr, swp);
		mmput(mm);
		if (!err) {
			current->maj_flt++;
			count_vm_event(PGMAJFAULT);
		}
		if (!err || err == -EAGAIN)	/* -EAGAIN: another fault read it: not ours */
			return FAULT_HANDLED;
	}
	if (err == -ENOMEM && ++tries <= 8 && fault_oom(regs))
		goto retry;
	if (err == -ENOMEM)
		return FAULT_OOM;
	return err ? FAULT_BAD_AREA : FAULT_HANDLED;
}

/*
 * With interrupts on while the fault is served, if the faulting code had them on (CR2 is
 * read already): a CPU spinning here for the mmap_lock must still answer the TLB
 * shootdown IPI its holder may be waiting on (mm/tlb.c). It is also where the fault may
 * sleep (swap-in, reclaim).
 */
static enum fault_result user_addr_fault_irqs_on(struct pt_regs *regs, uint64_t addr,
						 unsigned long error_code)
{
	bool irqs = regs->rflags & X86_EFLAGS_IF;
	enum fault_result r;

	if (irqs)
		local_irq_enable();
	r = user_addr_fault(regs, addr, error_code);
	if (irqs)
		local_irq_disable();
	return r;
}

enum fault_result do_page_fault(struct pt_regs *regs, uint64_t addr)
{
	unsigned long error_code = regs->error_code;

	count_vm_event(PGFAULT);
	if (error_code & X86_PF_RSVD)
		return FAULT_RSVD;
	if (!va_is_kernel(addr) && !(error_code & X86_PF_USER)) {
		enum fault_result r = kernel_user_access(regs, error_code);

		if (r != FAULT_HANDLED)
			return r;
	}
	if (spurious_fault(addr, error_code))
		return FAULT_HANDLED;
	if (va_is_kernel(addr))
		return addr_in_stack_guard(addr) ? FAULT_STACK_GUARD : FAULT_KERNEL;
	return user_addr_fault_irqs_on(regs, addr, error_code);
}

const char *fault_result_name(enum fault_result r)
{
	static const char *const names[] = {
		[FAULT_HANDLED] = "handled",
		[FAULT_RSVD] = "reserved bit set in a page-table entry (corrupt tables)",
		[FAULT_KERNEL] = "kernel address not mapped or not allowed",
		[FAULT_STACK_GUARD] = "kernel stack guard page hit (stack overflow)",
		[FAULT_SMAP] = "SMAP: kernel access to a user address outside stac/clac",
		[FAULT_SMEP] = "SMEP: kernel tried to execute a user page",
		[FAULT_USER_ADDR] = "kernel access to an unmapped user address (outside stac/clac)",
		[FAULT_BAD_AREA] = "no VMA allows this access",
		[FAULT_OOM] = "out of memory",
	};

	return r < ARRAY_SIZE(names) ? names[r] : "?";
}

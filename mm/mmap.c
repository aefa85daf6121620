/*
 * Address spaces: creating one (its own PGD, the kernel half shared), mapping, unmapping
 * and protecting anonymous memory in it, copying it for fork, and destroying it.
 * The VMA bookkeeping is mm/vma.c's; this file connects it to the page tables (mm/pgtable.c
 * through mm/memory.c) and the TLB (mm/tlb.c). Reserving memory with vm_mmap_anon only
 * creates a VMA: the VSZ (total_vm) grows at once, the RSS only when pages are touched and
 * the fault handler (mm/fault.c) maps them.
 * The kernel half: every PGD copies init_pgd's entries 256..511 when it is made, so those
 * entries must never change afterwards. mm_init preallocates the PUD tables of the kernel
 * regions that grow after boot, so that new kernel mappings only ever change tables below
 * the shared PUDs (and mm_alloc warns if one did not).
 * mm_users counts the tasks on it (more than one only while a vfork child shares its
 * parent's); mmput destroys it with the last. docs/paging.md.
 */
#define pr_fmt(fmt) "mm: " fmt

#include <kernel/oops.h>
#include <kernel/printk.h>
#include <kernel/signal.h>
#include <kernel/smp.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include <mm/mm.h>
#include <mm/memory.h>
#include <mm/mmu_context.h>
#include <mm/pgtable.h>
#include <mm/slab.h>
#include <mm/shmem.h>
#include <mm/vma.h>
#include <mm/vmscan.h>
#include <sched/task.h>

#define KERNEL_PGD_FIRST 256	/* PGD entries from here on map the kernel half */

static struct kmem_cache *mm_cachep;

/* The kernel-half PGD entries present after boot: they must never change afterwards. */
static unsigned int kernel_pgds_at_boot;

static unsigned int count_kernel_pgds(void)
{
	unsigned int n = 0;

	for (unsigned int i = KERNEL_PGD_FIRST; i < PTRS_PER_TABLE; i++)
		n += !!(init_pgd[i] & _PAGE_PRESENT);
	return n;
}

/*
 * Give the kernel-half PGD entries of the regions that get mappings after boot (vmalloc,
 * ioremap and kernel stacks: [VMALLOC_START, VMEMMAP_START)) their PUD tables now, so
 * that the entries every new PGD copies stay right for every later kernel mapping. About
 * 66 pages. The direct map, mem_map and the image are complete by now.
 */
void preallocate_kernel_pgds(struct pt_ops *ops)
{
	for (uint64_t va = VMALLOC_START; va < VMEMMAP_START; va += 1ull << 39)	/* 512 GiB */
		if (pgd_populate_table(init_pgd, va, ops))
			panic("mm: no memory for the kernel's PUD tables");
	kernel_pgds_at_boot = count_kernel_pgds();
}

void mm_cache_init(void)
{
	mm_cachep = KMEM_CACHE(mm_struct, 0);
	if (!mm_cachep)
		pr_err("no mm_struct cache: address spaces cannot be created\n");
	vma_cache_init();
}

struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = mm_cachep ? kmem_cache_zalloc(mm_cachep, GFP_KERNEL) : NULL;
	struct page *pgd;

	if (!mm)
		return NULL;
	pgd = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!pgd) {
		kmem_cache_free(mm_cachep, mm);
		return NULL;
	}
	pgtable_stats.allocated++;
	/* A kernel mapping outside the preallocated regions would be missing from this copy. */
	WARN_ON(count_kernel_pgds() != kernel_pgds_at_boot);
	mm_struct_init(mm, page_address(pgd));
	mm->mm_users = 1;	/* after the init, which clears the struct */
	mm_pt_ops_init(mm);
	/* The one write of entries outside mm/pgtable.c: a new, unused PGD gets the kernel
	 * half as it is; no CPU can have walked it, so there is nothing to flush. */
	memcpy(mm->pgd + KERNEL_PGD_FIRST, init_pgd + KERNEL_PGD_FIRST,
	       (PTRS_PER_TABLE - KERNEL_PGD_FIRST) * sizeof(pteval_t));
	mm_context_init(mm);
	return mm;
}

static void zap_vma(struct vm_area_struct *vma, void *arg)
{
	(void)arg;
	zap_vma_range(vma->vm_mm, vma->vm_start, vma->vm_end);
}

void mmget(struct mm_struct *mm)
{
	__atomic_add_fetch(&mm->mm_users, 1, __ATOMIC_RELAXED);
}

void mmput(struct mm_struct *mm)
{
	if (__atomic_sub_fetch(&mm->mm_users, 1, __ATOMIC_ACQ_REL) == 0)
		mm_destroy(mm);
}

/*
 * Run on a CPU that still has @info in CR3 although no task of it runs there: a kernel
 * thread or the idle task borrowed it after the process moved away (sched_setaffinity).
 */
static void drop_lazy_mm(void *info)
{
	if (current_loaded_mm() == info)
		switch_mm(&init_mm);
}

void mm_destroy(struct mm_struct *mm)
{
	unsigned long flags = local_irq_save();
	cpumask_t lazy = 0;

	if (current_loaded_mm() == mm)
		switch_mm(&init_mm);
	local_irq_restore(flags);
	/*
	 * No task has @mm (mm_users is 0) and no CPU can load it again, but a CPU it ran on
	 * before it moved may still have it loaded: make those load the kernel's tables,
	 * and wait, before the tables and the PCID go (mm_context_destroy checks).
	 */
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		if (READ_ONCE(loaded_mm[cpu]) == mm)
			lazy |= cpumask_of(cpu);
	if (lazy)
		smp_call_function_many(lazy, drop_lazy_mm, mm, true);
	mmap_write_lock(mm);
	mm_vmas_destroy(mm, zap_vma, NULL);
	mmap_write_unlock(mm);
	for (unsigned int i = 0; i < KERNEL_PGD_FIRST; i++)
		BUG_ON(mm->pgd[i]);	/* every user table went with its last mapping */
	mm_context_destroy(mm);
	free_page((unsigned long)mm->pgd);
	pgtable_stats.freed++;
	kmem_cache_free(mm_cachep, mm);
}

unsigned long vm_mmap_anon(struct mm_struct *mm, unsigned long addr, unsigned long len,
			   unsigned long vm_flags, const char *name)
{
	struct vm_backing *shared = NULL;
	struct vm_area_struct *vma;
	int err;

	if (!len || len > TASK_SIZE)
		return (unsigned long)-EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	/* Shared: the pages live in a shmem object (mm/shmem.c), made before the lock. */
	if ((vm_flags & VM_SHARED) && !(shared = shmem_anon_create(len >> PAGE_SHIFT)))
		return (unsigned long)-ENOMEM;
	mmap_write_lock(mm);
	addr = get_unmapped_area(mm, len, addr);
	if (IS_ERR_VALUE(addr)) {
		mmap_write_unlock(mm);
		goto put_shared;
	}
	vma = vm_area_alloc(mm);
	if (!vma) {
		mmap_write_unlock(mm);
		addr = (unsigned long)-ENOMEM;
		goto put_shared;
	}
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	/* What mmap would let mprotect add later: everything, as for MAP_PRIVATE|MAP_ANONYMOUS. */
	vma->vm_flags = vm_flags | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	vma->vm_pgoff = addr >> PAGE_SHIFT;
	vma->anon_name = name;
	if (shared) {
		vma->vm_file = shared;	/* the object's first reference becomes this VMA's */
		vma->vm_pgoff = 0;
		vma->anon_name = name ? name : "/dev/zero (deleted)";	/* Linux's maps name */
	}
	err = insert_vm_struct(mm, vma);
	mmap_write_unlock(mm);
	if (err) {
		vm_area_free(vma);
		return (unsigned long)err;
	}
	return addr;
put_shared:
	if (shared)
		shared->release(shared);	/* no VMA took it */
	return addr;
}

int vm_munmap(struct mm_struct *mm, unsigned long addr, unsigned long len)
{
	int err;

	mmap_write_lock(mm);
	err = vma_unmap_range(mm, addr, addr + len, zap_vma, NULL);
	mmap_write_unlock(mm);
	return err;
}

/* mprotect on the pages already mapped: write access is never added here (see below). */
static void protect_vma(struct vm_area_struct *vma, unsigned long oldflags, void *arg)
{
	pteval_t want = vm_page_prot(vma->vm_flags, false), set, clear;
	struct tlb_batch tlb;

	(void)oldflags;
	(void)arg;
	/*
	 * Taking write access away is immediate; giving it back is left to the write fault,
	 * which must see whether the frame is shared copy-on-write (then it copies).
	 */
	clear = _PAGE_RW | ((_PAGE_NX | _PAGE_USER) & ~want);
	set = want & (_PAGE_NX | _PAGE_USER);
	tlb_batch_init(&tlb, &vma->vm_mm->pt_ops);
	tlb.mm = vma->vm_mm;
	protect_range(vma->vm_mm->pgd, vma->vm_start, vma->vm_end - vma->vm_start, set, clear,
		      &tlb);
	tlb_flush_batch(&tlb);
}

int vm_mprotect(struct mm_struct *mm, unsigned long addr, unsigned long len, unsigned long prot)
{
	int err;

	mmap_write_lock(mm);
	err = vma_protect_range(mm, addr, addr + ALIGN_UP(len, PAGE_SIZE), prot, protect_vma,
				NULL);
	mmap_write_unlock(mm);
	return err;
}

static int copy_vma(struct vm_area_struct *dst, struct vm_area_struct *src, void *arg)
{
	(void)arg;
	return copy_anon_range(dst, src);
}

struct mm_struct *dup_mm(struct mm_struct *oldmm)
{
	struct mm_struct *mm = mm_alloc();
	int err;

	if (!mm)
		return NULL;
	/* The copy allocates tables and VMAs under the lock, where reclaim cannot swap. */
	reclaim_before_atomic(oldmm->pgtables_bytes / PAGE_SIZE + oldmm->map_count + 8);
	mmap_write_lock(oldmm);
	/* Killed while reclaim slept (the OOM killer may have reaped oldmm): no copy. */
	if (fatal_signal_pending(current) || (oldmm->flags & (1ul << MMF_OOM_SKIP)))
		err = -EINTR;
	else
		err = dup_vmas(mm, oldmm, copy_vma, NULL);
	mmap_write_unlock(oldmm);
	if (err) {
		/* dup_vmas emptied the VMA tree; the pages copied so far are still mapped. */
		zap_vma_range(mm, 0, TASK_SIZE);
		mm_destroy(mm);
		return NULL;
	}
	return mm;
}

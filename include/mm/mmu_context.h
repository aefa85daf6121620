/*
 * Address spaces and the CPU (mm/tlb.c, mm/mmap.c): which space's page tables a CPU has
 * loaded, switching between them (with PCID, without flushing the TLB), and creating and
 * destroying spaces. init_mm is the kernel's own space: init_pgd, no VMAs, PCID 0; every
 * other space shares its upper half (PGD entries 256..511).
 */
#ifndef MM_MMU_CONTEXT_H
#define MM_MMU_CONTEXT_H

#include <kernel/percpu.h>
#include <mm/mm_types.h>

extern struct mm_struct init_mm;

void init_mm_setup(void);			/* boot: init_mm is loaded on this CPU */
extern struct mm_struct *loaded_mm[NR_CPUS];	/* the space whose PGD is in each CPU's CR3 */

static inline struct mm_struct *current_loaded_mm(void)	/* inline: every switch asks */
{
	return loaded_mm[smp_processor_id()];
}

/* Load @next's tables on this CPU (interrupts off); nothing happens if it is loaded. */
void switch_mm(struct mm_struct *next);
void mm_context_init(struct mm_struct *mm);	/* a PCID; stale everywhere */
void mm_context_destroy(struct mm_struct *mm);	/* no CPU may have it loaded */
void mm_leave_lazy_cpus(struct mm_struct *mm);	/* CPUs that still have it loaded load init_mm */

/* A new empty address space (the kernel half shared), or NULL. */
struct mm_struct *mm_alloc(void);
/* Unmap and free everything of @mm, its tables and itself; switches away first if loaded. */
void mm_destroy(struct mm_struct *mm);
/* One more task uses @mm (a CLONE_VM child); mmput drops it, the last one destroys it. */
void mmget(struct mm_struct *mm);
void mmput(struct mm_struct *mm);
/* fork: a copy of @mm whose private writable pages are shared copy-on-write, or NULL. */
struct mm_struct *dup_mm(struct mm_struct *mm);

/* mmap/munmap/mprotect of anonymous memory, for kernel code and (later) system calls. */
unsigned long vm_mmap_anon(struct mm_struct *mm, unsigned long addr, unsigned long len,
			   unsigned long vm_flags, const char *name);	/* or -errno */
int vm_munmap(struct mm_struct *mm, unsigned long addr, unsigned long len);
int vm_mprotect(struct mm_struct *mm, unsigned long addr, unsigned long len, unsigned long prot);

#endif

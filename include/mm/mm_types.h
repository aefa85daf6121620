/*
 * A process's address space: struct mm_struct, and the regions in it, struct vm_area_struct
 * (VMAs), with Linux's names, flag values and counters. The operations on them are in
 * include/mm/vma.h; docs/paging.md ("Address spaces and VMAs") explains the idea.
 *
 * A VMA is a half-open range [vm_start, vm_end) of user addresses, page aligned, in which
 * every page has the same protection and the same backing: anonymous memory (vm_file NULL) or,
 * once the page cache exists, a file at page offset vm_pgoff. A VMA says what *may* be mapped;
 * the page tables say what *is* mapped: pages appear there lazily, at the first fault.
 *
 * Invariants of an mm (checked by tests/host/test_vma.c after every step): the VMAs are sorted
 * by address and do not overlap; no two neighbours could be merged into one (same flags, same
 * backing, contiguous vm_pgoff, same name); map_count is their number and total_vm the sum of
 * their pages.
 */
#ifndef MM_MM_TYPES_H
#define MM_MM_TYPES_H

#include <kernel/compiler.h>
#include <kernel/spinlock.h>
#include <lib/rbtree.h>
#include <mm/pgtable.h>

/* vm_flags, with Linux's values (include/linux/mm.h). The low four are PROT_* too. */
#define VM_NONE		0x00000000ul
#define VM_READ		0x00000001ul
#define VM_WRITE	0x00000002ul
#define VM_EXEC		0x00000004ul
#define VM_SHARED	0x00000008ul
/* What mprotect may turn on later: VM_MAYx (== VM_x << 4) permits VM_x. A shared mapping of
 * a file opened read-only lacks VM_MAYWRITE, so it can never become writable. */
#define VM_MAYREAD	0x00000010ul
#define VM_MAYWRITE	0x00000020ul
#define VM_MAYEXEC	0x00000040ul
#define VM_MAYSHARE	0x00000080ul	/* MAP_SHARED was asked for: maps shows 's' */
#define VM_GROWSDOWN	0x00000100ul	/* a stack: grows down at a fault just below it */
#define VM_PFNMAP	0x00000400ul	/* raw page frames, no struct page (device memory) */
#define VM_LOCKED	0x00002000ul	/* mlock: never reclaimed */
#define VM_IO		0x00004000ul	/* memory-mapped I/O */
#define VM_DONTCOPY	0x00020000ul	/* fork does not copy it (MADV_DONTFORK) */
#define VM_DONTEXPAND	0x00040000ul	/* mremap cannot grow it */
#define VM_ACCOUNT	0x00100000ul	/* counted against the commit limit */
#define VM_NORESERVE	0x00200000ul	/* not counted against it (MAP_NORESERVE) */
#define VM_WIPEONFORK	0x02000000ul	/* the child gets it empty (MADV_WIPEONFORK) */
#define VM_DONTDUMP	0x04000000ul	/* left out of core dumps */
#define VM_MIXEDMAP	0x10000000ul	/* a mix of struct page and raw frames */
/* teachos only: bench=fault's own VMA takes frames without clearing them, to time the fault
 * without the clearing. Kernel code sets it; nothing a user asks for ever does. */
#define VM_BENCH_NOZERO	0x100000000ul

#define VM_STACK	VM_GROWSDOWN
#define VM_ACCESS_FLAGS	(VM_READ | VM_WRITE | VM_EXEC)
/* Never merged with a neighbour: their pages are not ordinary memory. */
#define VM_SPECIAL	(VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)
#define VM_DATA_DEFAULT_FLAGS	(VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)
#define VM_STACK_DEFAULT_FLAGS	(VM_DATA_DEFAULT_FLAGS | VM_GROWSDOWN | VM_ACCOUNT)

struct mm_struct;

/*
 * What backs a VMA other than private anonymous memory: shared anonymous memory now
 * (mm/shmem.c), files once there is a page cache. Every VMA over it holds a reference
 * (mm/vma.c takes and drops them as VMAs are copied, split, merged and freed); the last
 * one calls release.
 */
struct vm_backing {
	unsigned int refcount;
	void (*release)(struct vm_backing *b);
};

struct vm_area_struct {
	unsigned long vm_start;		/* first byte */
	unsigned long vm_end;		/* first byte after; vm_start < vm_end, both page aligned */
	struct mm_struct *vm_mm;	/* the address space it belongs to */
	unsigned long vm_flags;		/* VM_* */
	struct rb_node vm_rb;		/* in vm_mm->mm_rb, keyed by vm_start */
	/*
	 * The backing: offset in pages into vm_file for the page at vm_start. For anonymous
	 * memory it is vm_start >> PAGE_SHIFT at creation (Linux does the same), so that two
	 * neighbours created separately still have contiguous offsets and can merge.
	 */
	unsigned long vm_pgoff;
	struct vm_backing *vm_file;	/* NULL: private anonymous; else a shmem object */
	/*
	 * The pathname column of /proc/PID/maps: "[heap]", "[stack]", "[anon:x]", a path until
	 * vm_file can give one... NULL prints nothing (or [heap]/[stack] by position, as Linux).
	 * Not copied: the string must outlive the VMA and its copies (a literal does).
	 */
	const char *anon_name;
};

/* The RSS counters, Linux's (pages actually mapped, by kind). */
enum {
	MM_FILEPAGES,	/* pages of files (page cache) */
	MM_ANONPAGES,	/* anonymous pages */
	MM_SWAPENTS,	/* anonymous pages out on swap (not resident: not in the RSS) */
	MM_SHMEMPAGES,	/* shared memory pages */
	NR_MM_COUNTERS
};

/* mm->flags bits */
#define MMF_TOPDOWN	0	/* get_unmapped_area searches down from mmap_base */
#define MMF_OOM_SKIP	1	/* the OOM killer reaped it: not a candidate again */

/* What the TLB code keeps per address space (mm/tlb.c). */
typedef struct {
	uint16_t pcid;			/* process-context id in CR3 with PCIDE; 0: init_mm's */
	uint64_t stale_cpus;		/* bit n: CPU n may hold stale entries of this space */
} mm_context_t;

struct mm_struct {
	struct rb_root mm_rb;		/* the VMAs, by vm_start */
	int map_count;			/* number of VMAs */
	/*
	 * Linux's mmap_lock is a sleeping reader/writer lock; until the kernel has one this is a
	 * spinlock, taken through mmap_read_lock()/mmap_write_lock() (include/mm/vma.h) so that
	 * callers do not change when it becomes one. The VMA functions never take it themselves.
	 */
	spinlock_t mmap_lock;
	unsigned int mm_users;		/* tasks using it (a vfork child shares it): atomic */
	spinlock_t page_table_lock;	/* the page-table code's, for its own use */
	pteval_t *pgd;			/* top-level page table; its upper half is the kernel's */
	/* Where its lower tables come from: the buddy allocator, counted in pgtables_bytes
	 * (VmPTE, and part of the OOM badness) as Linux's mm_pgtables_bytes. */
	struct pt_ops pt_ops;
	long pgtables_bytes;

	unsigned long flags;		/* MMF_* */
	unsigned long task_size;	/* user addresses are below this */
	unsigned long mmap_base;	/* top-down search starts below this */
	unsigned long mmap_legacy_base;	/* bottom-up search starts here */
	unsigned long highest_vm_end;	/* vm_end of the last VMA, 0 with none */

	/* Set by exec and brk; maps uses them to name [heap] and [stack], as Linux does. */
	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk, start_stack;

	/* In pages. total_vm is the VSZ; the others split it as /proc/PID/status does. */
	unsigned long total_vm;		/* all VMAs */
	unsigned long data_vm;		/* private writable, not stack: VmData */
	unsigned long exec_vm;		/* executable, not writable, not stack: VmExe */
	unsigned long stack_vm;		/* VM_STACK: VmStk */
	unsigned long hiwater_vm;	/* the largest total_vm seen: VmPeak */

	/* Pages mapped (the RSS), changed only via add_mm_counter() and friends. */
	long rss_stat[NR_MM_COUNTERS];
	unsigned long hiwater_rss;	/* VmHWM */

	/*
	 * Fault counts for this address space, filled by the fault handler. Linux counts
	 * min_flt/maj_flt per task; with one task per mm so far, the mm is the same thing.
	 */
	unsigned long min_flt;		/* faults served without I/O */
	unsigned long maj_flt;		/* faults that had to read from a disk */
	unsigned long cow_flt;		/* write faults that copied a shared page */

	mm_context_t context;		/* PCID and TLB state (mm/tlb.c) */
};

#endif

/*
 * Operations on an address space's VMAs (mm/vma.c): find, insert with merging, split, unmap
 * a range, change protections on a range, find a free range, copy for fork, tear down, and the
 * /proc/PID/maps line. The types are in include/mm/mm_types.h.
 *
 * This is the bookkeeping half of mmap/munmap/mprotect: it never touches page tables. Where
 * pages must be unmapped or their protection changed, the functions call back the caller with
 * the VMA piece concerned, and the caller (the system call, holding mm->mmap_lock for writing)
 * changes the page tables through mm/paging. None of these functions takes a lock.
 *
 * Addresses are bytes, page aligned where a range is given; ranges are half-open [start, end).
 * Errors are negative errno values, and a function that fails has changed nothing: the VMAs
 * it may need are allocated before the first change.
 */
#ifndef MM_VMA_H
#define MM_VMA_H

#include <asm/layout.h>
#include <mm/mm_types.h>

#ifndef TASK_SIZE
/* The top of user space: the last page below the non-canonical hole is left out, as Linux. */
#define TASK_SIZE		((1ul << 47) - PAGE_SIZE)
#endif
#define TASK_UNMAPPED_BASE	ALIGN_DOWN(TASK_SIZE / 3, PAGE_SIZE)	/* bottom-up start */
/* Top-down start when nothing says otherwise: room for a 128 MiB stack below TASK_SIZE. */
#define MMAP_BASE_DEFAULT	(TASK_SIZE - (128ul << 20))
#define DEFAULT_MAX_MAP_COUNT	65530	/* Linux's vm.max_map_count */

#ifndef IS_ERR_VALUE
#define MAX_ERRNO		4095
#define IS_ERR_VALUE(x)		((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)
#endif

extern unsigned long mmap_min_addr;	/* nothing is placed below: 64 KiB, as Linux */
extern unsigned long stack_guard_gap;	/* bytes kept free below a VM_GROWSDOWN VMA: 1 MiB */
extern int sysctl_max_map_count;	/* most VMAs per mm */

static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

static inline bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return !vma->vm_file;
}

/*
 * A private mapping that may be written: its pages are shared after fork (or with the file)
 * until the first write copies them. Linux's test: VM_MAYWRITE without VM_SHARED.
 */
static inline bool is_cow_mapping(unsigned long flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

/* Where the free space must end below @vma: a stack keeps stack_guard_gap unmapped below it. */
static inline unsigned long vm_start_gap(const struct vm_area_struct *vma)
{
	unsigned long start = vma->vm_start;

	if (vma->vm_flags & VM_GROWSDOWN)
		start = start > stack_guard_gap ? start - stack_guard_gap : 0;
	return start;
}

/* ---- the allocation hook: the kernel uses a slab cache, host tests calloc ---- */

struct vma_allocator {
	struct vm_area_struct *(*alloc)(void);	/* zeroed, or NULL */
	void (*free)(struct vm_area_struct *vma);
};

void vma_set_allocator(const struct vma_allocator *a);
void vma_cache_init(void);	/* kernel: the "vm_area_struct" slab cache (mm/vma_cache.c) */

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);	/* zeroed, vm_mm set; or NULL */
struct vm_area_struct *vm_area_dup(const struct vm_area_struct *orig);	/* not linked */
void vm_area_free(struct vm_area_struct *vma);

/* ---- an address space ---- */

/* An mm with no VMA, the default layout (top-down), and @pgd as its page table. */
void mm_struct_init(struct mm_struct *mm, pteval_t *pgd);

static inline void mmap_write_lock(struct mm_struct *mm) { spin_lock(&mm->mmap_lock); }
static inline void mmap_write_unlock(struct mm_struct *mm) { spin_unlock(&mm->mmap_lock); }
static inline void mmap_read_lock(struct mm_struct *mm) { spin_lock(&mm->mmap_lock); }
static inline void mmap_read_unlock(struct mm_struct *mm) { spin_unlock(&mm->mmap_lock); }

/* ---- lookup and iteration ---- */

/* The first VMA with vm_end > @addr (it may start above @addr), or NULL. As Linux. */
struct vm_area_struct *find_vma(const struct mm_struct *mm, unsigned long addr);
/* The VMA containing @addr, or NULL. */
struct vm_area_struct *vma_lookup(const struct mm_struct *mm, unsigned long addr);
/* The first VMA overlapping [start, end), or NULL. */
struct vm_area_struct *find_vma_intersection(const struct mm_struct *mm, unsigned long start,
					     unsigned long end);

static inline struct vm_area_struct *vma_first(const struct mm_struct *mm)
{
	return rb_entry_safe(rb_first(&mm->mm_rb), struct vm_area_struct, vm_rb);
}

static inline struct vm_area_struct *vma_next(const struct vm_area_struct *vma)
{
	return rb_entry_safe(rb_next(&vma->vm_rb), struct vm_area_struct, vm_rb);
}

static inline struct vm_area_struct *vma_prev(const struct vm_area_struct *vma)
{
	return rb_entry_safe(rb_prev(&vma->vm_rb), struct vm_area_struct, vm_rb);
}

/*
 * In address order. Linux 6.1+ spells it for_each_vma(vmi, vma) with an iterator over the
 * maple tree; the loop body reads the same. The body must not remove @vma.
 */
#define for_each_vma(mm, vma) \
	for (vma = vma_first(mm); vma; vma = vma_next(vma))

/* ---- changing the set of VMAs; the caller holds mm->mmap_lock for writing ---- */

/*
 * Links @vma (from vm_area_alloc, range and fields set, not linked) into @mm. Returns 0, or
 * -EINVAL (range not page aligned, empty or above task_size), -EEXIST (it overlaps a VMA),
 * -ENOMEM (map_count at sysctl_max_map_count); on error @vma is still the caller's.
 * On success @vma belongs to the mm and stays valid: a mergeable neighbour on either side
 * (vma_can_merge) is absorbed into it and freed, so @vma may now cover more than asked.
 */
int insert_vm_struct(struct mm_struct *mm, struct vm_area_struct *vma);

/*
 * Splits @vma at @addr (page aligned, strictly inside) into two VMAs with the same flags and
 * backing. With @new_below the new VMA is the lower part and @vma keeps [addr, vm_end),
 * else the new VMA is the upper part. Returns 0, -EINVAL, or -ENOMEM (allocation, map_count).
 * The two parts are mergeable: the caller changes one of them, or calls vma_merge_range().
 */
int split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
	      int new_below);

/* Whether @prev and @next (which must follow each other) could be one VMA. */
bool vma_can_merge(const struct vm_area_struct *prev, const struct vm_area_struct *next);

/* Merges every mergeable pair among the VMAs that touch [start, end] (ends included). */
void vma_merge_range(struct mm_struct *mm, unsigned long start, unsigned long end);

/* Called with a VMA piece that is leaving the mm (already unlinked, freed afterwards). */
typedef void (*vma_unmap_fn)(struct vm_area_struct *vma, void *arg);

/*
 * munmap's bookkeeping: removes [start, end) from the mm, splitting the VMAs that stick out
 * at either end, and passes each removed piece to @unmap (may be NULL) so the caller can
 * clear its page tables and RSS. Holes in the range are fine. Returns 0, -EINVAL (start not
 * page aligned, end <= start, end above task_size; end is rounded up to a page), or -ENOMEM.
 */
int vma_unmap_range(struct mm_struct *mm, unsigned long start, unsigned long end,
		    vma_unmap_fn unmap, void *arg);

/* Called with each VMA piece whose flags changed, before neighbours are re-merged. */
typedef void (*vma_protect_fn)(struct vm_area_struct *vma, unsigned long oldflags, void *arg);

/*
 * mprotect's bookkeeping: sets the VM_READ/VM_WRITE/VM_EXEC bits of [start, end) to @prot
 * (those bits only; PROT_READ/WRITE/EXEC have the same values), splitting VMAs at the ends
 * where the flags change and merging the result with its neighbours. @changed (may be NULL)
 * gets each piece whose flags changed, to update its page tables. Returns 0, -EINVAL,
 * -ENOMEM (a hole in the range, allocation, map_count) or -EACCES (a bit without its VM_MAYx);
 * the first problem in address order decides, and nothing is changed then.
 */
int vma_protect_range(struct mm_struct *mm, unsigned long start, unsigned long end,
		      unsigned long prot, vma_protect_fn changed, void *arg);

/*
 * A free range of @len bytes (rounded up to pages) for a new mapping: @hint (rounded up to a
 * page) if that range is free, else, with MMF_TOPDOWN, the highest free range below mmap_base,
 * else (or when that fails) the lowest one above mmap_legacy_base. Nothing is placed below
 * mmap_min_addr or into the stack_guard_gap below a VM_GROWSDOWN VMA. Returns the address,
 * or -ENOMEM as an unsigned long (test with IS_ERR_VALUE).
 */
unsigned long get_unmapped_area(const struct mm_struct *mm, unsigned long len,
				unsigned long hint);

/* Called for each VMA copied by dup_vmas (dst linked into the child): copy page tables. */
typedef int (*vma_copy_fn)(struct vm_area_struct *dst, struct vm_area_struct *src, void *arg);

/*
 * fork's bookkeeping: copies @src's VMAs, except VM_DONTCOPY ones, into @dst (initialised,
 * no VMAs yet), with the counters and layout. @copy (may be NULL) is called for each pair;
 * if it or an allocation fails, @dst is emptied again (without calling any unmap) and the
 * error (-ENOMEM, or @copy's) is returned.
 */
int dup_vmas(struct mm_struct *dst, struct mm_struct *src, vma_copy_fn copy, void *arg);

/*
 * exit's bookkeeping: removes every VMA, passing each to @unmap (may be NULL), and frees them.
 * The tree is taken apart without rebalancing, so @unmap must not look at other VMAs.
 */
void mm_vmas_destroy(struct mm_struct *mm, vma_unmap_fn unmap, void *arg);

/*
 * One line of /proc/PID/maps for @vma, newline included, exactly as Linux prints it:
 *   7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]
 * start-end, perms (r w x, then s for VM_MAYSHARE or p), the file offset (0 for anonymous),
 * device and inode (00:00 0 until vm_file is a real file), then, if there is a name, spaces
 * up to column 73 and the name; without a name the line ends in "0 ". Returns the bytes
 * stored without the NUL, as scnprintf does.
 */
int vma_format_maps_line(const struct vm_area_struct *vma, char *buf, size_t len);

/* The name maps shows for @vma, or NULL: anon_name, else [heap] or [stack] by position. */
const char *vma_name(const struct vm_area_struct *vma);

/* ---- RSS, as Linux's counters (the fault handler and unmap code call these) ---- */

static inline unsigned long get_mm_counter(const struct mm_struct *mm, int member)
{
	long v = __atomic_load_n(&mm->rss_stat[member], __ATOMIC_RELAXED);

	return v > 0 ? (unsigned long)v : 0;	/* a racing reader may see a transient < 0 */
}

/* Resident pages: file, anonymous and shared memory; not the swap entries. */
static inline unsigned long get_mm_rss(const struct mm_struct *mm)
{
	return get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_ANONPAGES) +
	       get_mm_counter(mm, MM_SHMEMPAGES);
}

static inline void add_mm_counter(struct mm_struct *mm, int member, long value)
{
	unsigned long rss;

	__atomic_fetch_add(&mm->rss_stat[member], value, __ATOMIC_RELAXED);
	rss = get_mm_rss(mm);
	if (rss > mm->hiwater_rss)
		mm->hiwater_rss = rss;
}

static inline void inc_mm_counter(struct mm_struct *mm, int member)
{
	add_mm_counter(mm, member, 1);
}

static inline void dec_mm_counter(struct mm_struct *mm, int member)
{
	add_mm_counter(mm, member, -1);
}

#endif

/*
 * get_unmapped_area: where a new mapping goes when the caller does not insist on an address
 * (include/mm/vma.h has the contract).
 *
 * The free space of an address space is the gaps between its VMAs: from one VMA's vm_end to
 * the next one's vm_start_gap() (its start, minus stack_guard_gap if it is a stack, so nothing
 * lands where the stack will grow). The search walks these gaps in address order, O(map_count).
 *
 * Top-down, as on Linux x86_64 by default: new mappings are placed just below mmap_base (which
 * sits below the stack's reserved room) and grow down, while brk grows the heap up from the
 * end of the program. The big hole between them stays one piece that either side can use, and
 * the addresses are the 0x7f... a student sees in /proc/self/maps on Linux. Bottom-up from
 * mmap_legacy_base (TASK_UNMAPPED_BASE, a third of the way up) is Linux's legacy layout and the
 * fallback when top-down finds nothing below mmap_base.
 */
#include <lib/errno.h>
#include <mm/vma.h>

static struct vm_area_struct *vma_last(const struct mm_struct *mm)
{
	return rb_entry_safe(rb_last(&mm->mm_rb), struct vm_area_struct, vm_rb);
}

/* Whether [addr, addr + len) lies in one gap: the first VMA ending above addr leaves room. */
static bool range_free(const struct mm_struct *mm, unsigned long addr, unsigned long len)
{
	const struct vm_area_struct *next = find_vma(mm, addr);

	return !next || addr + len <= vm_start_gap(next);
}

/* The highest @len bytes in a gap, inside [low, high); -ENOMEM if none. */
static unsigned long search_topdown(const struct mm_struct *mm, unsigned long len,
				    unsigned long low, unsigned long high)
{
	struct vm_area_struct *vma = find_vma(mm, high);
	unsigned long gap_end = vma ? vm_start_gap(vma) : mm->task_size, gap_start, top, bottom;

	/* Gaps from the one below the first VMA ending above @high, downwards. */
	for (vma = vma ? vma_prev(vma) : vma_last(mm);; vma = vma_prev(vma)) {
		gap_start = vma ? vma->vm_end : 0;
		top = MIN(gap_end, high);
		bottom = MAX(gap_start, low);
		if (top >= bottom + len)
			return top - len;
		if (!vma || gap_start <= low)
			return (unsigned long)-ENOMEM;
		gap_end = vm_start_gap(vma);
	}
}

/* The lowest @len bytes in a gap, inside [low, high); -ENOMEM if none. */
static unsigned long search_bottomup(const struct mm_struct *mm, unsigned long len,
				     unsigned long low, unsigned long high)
{
	struct vm_area_struct *vma = find_vma(mm, low), *prev = vma ? vma_prev(vma) : vma_last(mm);
	unsigned long gap_start = prev ? prev->vm_end : 0, gap_end, top, bottom;

	for (;; vma = vma_next(vma)) {
		gap_end = vma ? vm_start_gap(vma) : mm->task_size;
		top = MIN(gap_end, high);
		bottom = MAX(gap_start, low);
		if (top >= bottom + len)
			return bottom;
		if (!vma || gap_end >= high)
			return (unsigned long)-ENOMEM;
		gap_start = vma->vm_end;
	}
}

unsigned long get_unmapped_area(const struct mm_struct *mm, unsigned long len,
				unsigned long hint)
{
	unsigned long low = MAX(ALIGN_UP(mmap_min_addr, PAGE_SIZE), (unsigned long)PAGE_SIZE);
	unsigned long addr;

	if (!len)
		return (unsigned long)-EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len || low >= mm->task_size || len > mm->task_size - low)
		return (unsigned long)-ENOMEM;
	if (hint) {
		hint = ALIGN_UP(hint, PAGE_SIZE);
		if (hint >= low && hint <= mm->task_size - len && range_free(mm, hint, len))
			return hint;
	}
	if (mm->flags & (1ul << MMF_TOPDOWN)) {
		addr = search_topdown(mm, len, low, MIN(mm->mmap_base, mm->task_size));
		if (!IS_ERR_VALUE(addr))
			return addr;
	}
	return search_bottomup(mm, len, MAX(low, mm->mmap_legacy_base), mm->task_size);
}

/*
 * The VMA tree of an address space (include/mm/vma.h has the contracts, docs/paging.md the
 * picture): lookup, insertion with merging, splitting, unmapping and re-protecting a range,
 * copying for fork and tearing down. Pure bookkeeping: no page table is touched here, the
 * callers are told which pieces changed through callbacks.
 *
 * How: one red-black tree per mm, keyed by vm_start (lib/rbtree.c); neighbours are found with
 * rb_next/rb_prev, so there is no separate list to keep in step. Because VMAs never overlap,
 * changing a VMA's vm_start or vm_end in place keeps the tree sorted as long as it does not
 * cross a neighbour, which merging and splitting never do: they only move a boundary between
 * two pieces of what was already covered.
 *
 * Invariant kept by every public function (see include/mm/mm_types.h): sorted, non-overlapping,
 * no mergeable neighbours left unmerged (except right after split_vma, on purpose), map_count
 * and the page counters right. Failures change nothing: VMAs needed by a split are allocated
 * before the first change. Limits: the free-range search walks the VMAs one by one, O(map_count);
 * Linux used to keep the largest gap in each subtree (rb_subtree_gap) to make it O(log n).
 */
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/vma.h>

unsigned long mmap_min_addr = 65536;
unsigned long stack_guard_gap = 256ul << PAGE_SHIFT;
int sysctl_max_map_count = DEFAULT_MAX_MAP_COUNT;

static const struct vma_allocator *allocator;

void vma_set_allocator(const struct vma_allocator *a)
{
	allocator = a;
}

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma = allocator ? allocator->alloc() : NULL;

	if (!vma)
		return NULL;
	memset(vma, 0, sizeof(*vma));
	vma->vm_mm = mm;
	RB_CLEAR_NODE(&vma->vm_rb);
	return vma;
}

/* A copy of a VMA is one more user of its backing; a freed VMA one fewer. */
static void backing_get(struct vm_area_struct *vma)
{
	if (vma->vm_file)
		vma->vm_file->refcount++;
}

static void backing_put(struct vm_area_struct *vma)
{
	if (vma->vm_file && --vma->vm_file->refcount == 0)
		vma->vm_file->release(vma->vm_file);
}

struct vm_area_struct *vm_area_dup(const struct vm_area_struct *orig)
{
	struct vm_area_struct *vma = vm_area_alloc(orig->vm_mm);

	if (!vma)
		return NULL;
	*vma = *orig;
	RB_CLEAR_NODE(&vma->vm_rb);
	backing_get(vma);
	return vma;
}

void vm_area_free(struct vm_area_struct *vma)
{
	backing_put(vma);
	allocator->free(vma);
}

void mm_struct_init(struct mm_struct *mm, pteval_t *pgd)
{
	memset(mm, 0, sizeof(*mm));
	mm->mm_rb = RB_ROOT;
	mm->pgd = pgd;
	mm->flags = 1ul << MMF_TOPDOWN;
	mm->task_size = TASK_SIZE;
	mm->mmap_base = MMAP_BASE_DEFAULT;
	mm->mmap_legacy_base = TASK_UNMAPPED_BASE;
}

/* ---- accounting ---- */

/* Adds @npages (negative: removes) of VMAs with @flags to the counters, as Linux sorts them. */
static void vm_stat_account(struct mm_struct *mm, unsigned long flags, long npages)
{
	mm->total_vm += npages;
	if ((flags & VM_STACK) == VM_STACK)
		mm->stack_vm += npages;
	else if ((flags & (VM_EXEC | VM_WRITE)) == VM_EXEC)
		mm->exec_vm += npages;
	else if ((flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
		mm->data_vm += npages;
	if (mm->total_vm > mm->hiwater_vm)
		mm->hiwater_vm = mm->total_vm;
}

static void update_highest_vm_end(struct mm_struct *mm)
{
	struct rb_node *last = rb_last(&mm->mm_rb);

	mm->highest_vm_end = last ? rb_entry(last, struct vm_area_struct, vm_rb)->vm_end : 0;
}

/* ---- the tree ---- */

/* Links @vma by vm_start; the caller has checked that it overlaps nothing. */
static void vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct rb_node **link = &mm->mm_rb.rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (vma->vm_start < rb_entry(parent, struct vm_area_struct, vm_rb)->vm_start)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&vma->vm_rb, parent, link);
	rb_insert_color(&vma->vm_rb, &mm->mm_rb);
	mm->map_count++;
}

static void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma)
{
	rb_erase(&vma->vm_rb, &mm->mm_rb);
	RB_CLEAR_NODE(&vma->vm_rb);
	mm->map_count--;
}

struct vm_area_struct *find_vma(const struct mm_struct *mm, unsigned long addr)
{
	struct rb_node *node = mm->mm_rb.rb_node;
	struct vm_area_struct *found = NULL;

	while (node) {
		struct vm_area_struct *vma = rb_entry(node, struct vm_area_struct, vm_rb);

		if (vma->vm_end > addr) {
			found = vma;	/* a candidate; a lower one may still end above addr */
			if (vma->vm_start <= addr)
				break;
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	return found;
}

struct vm_area_struct *vma_lookup(const struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}

struct vm_area_struct *find_vma_intersection(const struct mm_struct *mm, unsigned long start,
					     unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	return vma && vma->vm_start < end ? vma : NULL;
}

/* ---- merging ---- */

static bool same_name(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool vma_can_merge(const struct vm_area_struct *prev, const struct vm_area_struct *next)
{
	return prev->vm_end == next->vm_start && prev->vm_flags == next->vm_flags &&
	       !(prev->vm_flags & VM_SPECIAL) && prev->vm_file == next->vm_file &&
	       prev->vm_pgoff + vma_pages(prev) == next->vm_pgoff &&
	       same_name(prev->anon_name, next->anon_name);
}

/* @vma grows over its successor, which is freed. Same flags: the page counters do not move. */
static void absorb_next(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *next = vma_next(vma);

	vma_unlink(mm, next);
	vma->vm_end = next->vm_end;
	vm_area_free(next);
}

/* @vma grows down over its predecessor, taking its offset; the predecessor is freed. */
static void absorb_prev(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *prev = vma_prev(vma);

	vma_unlink(mm, prev);
	vma->vm_start = prev->vm_start;
	vma->vm_pgoff = prev->vm_pgoff;
	vm_area_free(prev);
}

void vma_merge_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start ? start - 1 : 0), *next;

	for (; vma && vma->vm_start <= end; vma = vma_next(vma))
		while ((next = vma_next(vma)) && vma_can_merge(vma, next))
			absorb_next(mm, vma);
}

/* ---- insertion and splitting ---- */

static bool range_ok(const struct mm_struct *mm, unsigned long start, unsigned long end)
{
	return start < end && end <= mm->task_size && !(start & (PAGE_SIZE - 1)) &&
	       !(end & (PAGE_SIZE - 1));
}

int insert_vm_struct(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *prev, *next;

	if (!range_ok(mm, vma->vm_start, vma->vm_end))
		return -EINVAL;
	if (find_vma_intersection(mm, vma->vm_start, vma->vm_end))
		return -EEXIST;
	if (mm->map_count >= sysctl_max_map_count)
		return -ENOMEM;
	vma->vm_mm = mm;
	vma_link(mm, vma);
	vm_stat_account(mm, vma->vm_flags, (long)vma_pages(vma));
	prev = vma_prev(vma);
	if (prev && vma_can_merge(prev, vma))
		absorb_prev(mm, vma);
	next = vma_next(vma);
	if (next && vma_can_merge(vma, next))
		absorb_next(mm, vma);
	update_highest_vm_end(mm);
	return 0;
}

/*
 * Splits with a VMA the caller allocated (so it cannot fail): @new is @vma's copy for the
 * part below @addr (@new_below) or from @addr up; @vma keeps the other part. Returns @new.
 */
static struct vm_area_struct *__split_vma(struct mm_struct *mm, struct vm_area_struct *vma,
					  unsigned long addr, bool new_below,
					  struct vm_area_struct *new)
{
	unsigned long below_pages = (addr - vma->vm_start) >> PAGE_SHIFT;

	*new = *vma;
	RB_CLEAR_NODE(&new->vm_rb);
	backing_get(new);
	if (new_below) {
		new->vm_end = addr;
		vma->vm_start = addr;
		vma->vm_pgoff += below_pages;
	} else {
		new->vm_start = addr;
		new->vm_pgoff += below_pages;
		vma->vm_end = addr;
	}
	vma_link(mm, new);	/* page counters unchanged: same pages, same flags */
	return new;
}

int split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
	      int new_below)
{
	struct vm_area_struct *new;

	if ((addr & (PAGE_SIZE - 1)) || addr <= vma->vm_start || addr >= vma->vm_end)
		return -EINVAL;
	if (mm->map_count >= sysctl_max_map_count)
		return -ENOMEM;
	new = vm_area_alloc(mm);
	if (!new)
		return -ENOMEM;
	__split_vma(mm, vma, addr, new_below, new);
	return 0;
}

/*
 * The VMAs an operation will need, allocated up front so that it cannot fail halfway: a range
 * operation splits at most twice, once at each end. The map_count limit is the caller's check.
 */
struct prealloc {
	struct vm_area_struct *vma[2];
	int n;
};

static int prealloc_get(struct mm_struct *mm, struct prealloc *p, int n)
{
	p->n = 0;
	for (; p->n < n; p->n++) {
		p->vma[p->n] = vm_area_alloc(mm);
		if (!p->vma[p->n]) {
			while (p->n)
				vm_area_free(p->vma[--p->n]);
			return -ENOMEM;
		}
	}
	return 0;
}

static struct vm_area_struct *prealloc_take(struct prealloc *p)
{
	return p->vma[--p->n];
}

static void prealloc_put(struct prealloc *p)
{
	while (p->n)
		vm_area_free(p->vma[--p->n]);
}

/* ---- unmapping ---- */

int vma_unmap_range(struct mm_struct *mm, unsigned long start, unsigned long end,
		    vma_unmap_fn unmap, void *arg)
{
	struct vm_area_struct *vma, *tail, *next;
	bool split_start, split_end;
	struct prealloc pre;

	end = ALIGN_UP(end, PAGE_SIZE);
	if (!range_ok(mm, start, end))
		return -EINVAL;
	vma = find_vma_intersection(mm, start, end);
	if (!vma)
		return 0;
	tail = vma_lookup(mm, end - 1);
	split_start = vma->vm_start < start;
	split_end = tail && tail->vm_end > end;
	/* Only a hole punched in one VMA leaves one more VMA behind (Linux's check). */
	if (split_start && split_end && tail == vma && mm->map_count >= sysctl_max_map_count)
		return -ENOMEM;
	if (prealloc_get(mm, &pre, split_start + split_end))
		return -ENOMEM;
	if (split_start)
		__split_vma(mm, vma, start, false, prealloc_take(&pre));
	if (split_end)
		__split_vma(mm, vma_lookup(mm, end - 1), end, true, prealloc_take(&pre));
	for (vma = find_vma(mm, start); vma && vma->vm_start < end; vma = next) {
		next = vma_next(vma);
		vma_unlink(mm, vma);
		vm_stat_account(mm, vma->vm_flags, -(long)vma_pages(vma));
		if (unmap)
			unmap(vma, arg);
		vm_area_free(vma);
	}
	update_highest_vm_end(mm);
	return 0;
}

/* ---- protections ---- */

static unsigned long protect_flags(const struct vm_area_struct *vma, unsigned long prot)
{
	return (vma->vm_flags & ~VM_ACCESS_FLAGS) | prot;
}

/*
 * Checks the whole range before anything changes: no hole (-ENOMEM), every new bit allowed by
 * its VM_MAYx (-EACCES), first problem in address order wins. Returns the number of splits
 * needed (0..2) or the error.
 */
static int protect_check(const struct mm_struct *mm, unsigned long start, unsigned long end,
			 unsigned long prot)
{
	struct vm_area_struct *vma = find_vma(mm, start), *first = vma, *last = NULL;
	unsigned long cursor = start, flags;
	int splits = 0;

	for (; cursor < end; cursor = vma->vm_end, vma = vma_next(vma)) {
		if (!vma || vma->vm_start > cursor)
			return -ENOMEM;
		flags = protect_flags(vma, prot);
		if ((flags & ~(flags >> 4)) & VM_ACCESS_FLAGS)
			return -EACCES;
		last = vma;
	}
	if (first->vm_start < start && protect_flags(first, prot) != first->vm_flags)
		splits++;
	if (last->vm_end > end && protect_flags(last, prot) != last->vm_flags)
		splits++;
	return splits;
}

int vma_protect_range(struct mm_struct *mm, unsigned long start, unsigned long end,
		      unsigned long prot, vma_protect_fn changed, void *arg)
{
	struct vm_area_struct *vma;
	unsigned long oldflags;
	struct prealloc pre;
	int splits;

	end = ALIGN_UP(end, PAGE_SIZE);
	if (!range_ok(mm, start, end) || (prot & ~VM_ACCESS_FLAGS))
		return -EINVAL;
	splits = protect_check(mm, start, end, prot);
	if (splits < 0)
		return splits;
	if (mm->map_count + splits > sysctl_max_map_count || prealloc_get(mm, &pre, splits))
		return -ENOMEM;
	for (vma = find_vma(mm, start); vma && vma->vm_start < end; vma = vma_next(vma)) {
		oldflags = vma->vm_flags;
		if (protect_flags(vma, prot) == oldflags)
			continue;
		if (vma->vm_start < start)
			vma = __split_vma(mm, vma, start, false, prealloc_take(&pre));
		if (vma->vm_end > end)
			__split_vma(mm, vma, end, false, prealloc_take(&pre));
		vm_stat_account(mm, oldflags, -(long)vma_pages(vma));
		vma->vm_flags = protect_flags(vma, prot);
		vm_stat_account(mm, vma->vm_flags, (long)vma_pages(vma));
		if (changed)
			changed(vma, oldflags, arg);
	}
	prealloc_put(&pre);	/* none left over: protect_check counted exactly */
	vma_merge_range(mm, start, end);
	update_highest_vm_end(mm);
	return 0;
}

/* ---- fork and exit ---- */

int dup_vmas(struct mm_struct *dst, struct mm_struct *src, vma_copy_fn copy, void *arg)
{
	struct vm_area_struct *vma, *new;
	int err = 0;

	for_each_vma(src, vma) {
		if (vma->vm_flags & VM_DONTCOPY)
			continue;
		new = vm_area_dup(vma);
		if (!new) {
			err = -ENOMEM;
			break;
		}
		new->vm_mm = dst;
		vma_link(dst, new);
		vm_stat_account(dst, new->vm_flags, (long)vma_pages(new));
		if (copy && (err = copy(new, vma, arg)) != 0)
			break;
	}
	if (err) {
		mm_vmas_destroy(dst, NULL, NULL);
		return err;
	}
	dst->flags = src->flags;
	dst->task_size = src->task_size;
	dst->mmap_base = src->mmap_base;
	dst->mmap_legacy_base = src->mmap_legacy_base;
	dst->start_code = src->start_code;
	dst->end_code = src->end_code;
	dst->start_data = src->start_data;
	dst->end_data = src->end_data;
	dst->start_brk = src->start_brk;
	dst->brk = src->brk;
	dst->start_stack = src->start_stack;
	dst->hiwater_vm = dst->total_vm;
	update_highest_vm_end(dst);
	return 0;
}

void mm_vmas_destroy(struct mm_struct *mm, vma_unmap_fn unmap, void *arg)
{
	struct vm_area_struct *vma, *n;

	/* Post-order: each node is freed after its children, and nothing is rebalanced. */
	rbtree_postorder_for_each_entry_safe(vma, n, &mm->mm_rb, vm_rb) {
		vm_stat_account(mm, vma->vm_flags, -(long)vma_pages(vma));
		if (unmap)
			unmap(vma, arg);
		vm_area_free(vma);
	}
	mm->mm_rb = RB_ROOT;
	mm->map_count = 0;
	mm->highest_vm_end = 0;
}

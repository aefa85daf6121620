/*
 * The vmalloc range allocator (include/mm/vmap_area.h has the contract): free blocks in a
 * red-black tree by address, augmented with the largest block below each node; areas in
 * use in a second tree by address; freed areas on a lazy list until their TLB flush.
 *
 * Finding a place: the lowest free block where an aligned area and its guard fit. The
 * augmented value prunes every subtree whose largest block is too small, so with page
 * alignment (vmalloc, vmap, ioremap, stacks) the walk goes down one path: O(log n). A
 * larger alignment can make a big enough block fail to fit, and the walk then also visits
 * those blocks: O(log n + k), k being the big enough blocks below the answer that the
 * alignment rules out. Carving the area out shrinks the block, or splits it in two.
 * Giving an area back merges it with the free blocks just below and just above, so free
 * blocks never touch: the free tree holds the maximal free runs, nothing else.
 * Invariant, after every call: free, busy, lazy and purging pieces tile [start, end)
 * without overlap, and each node's subtree_max_size is the largest block in its subtree.
 * Plain C: the kernel (mm/vmalloc.c) and tests/host/test_vmap_area.c build this file.
 */
#include <lib/errno.h>
#include <lib/rbtree_augmented.h>
#include <mm/vmap_area.h>

static inline unsigned long block_size(const struct vmap_area *va)
{
	return va->va_end - va->va_start;
}

RB_DECLARE_CALLBACKS_MAX(static, free_aug, struct vmap_area, rb_node, unsigned long,
			 subtree_max_size, block_size);

static inline struct vmap_area *node_va(const struct rb_node *n)
{
	return rb_entry_safe(n, struct vmap_area, rb_node);
}

static inline unsigned long subtree_max(const struct rb_node *n)
{
	return n ? node_va(n)->subtree_max_size : 0;
}

/* ---- the free tree ---- */

/* Link @va (not touching any free block) into the free tree, keeping the maxima. */
static void free_insert(struct vmap_space *s, struct vmap_area *va)
{
	struct rb_node **link = &s->free_root.rb_node, *parent = NULL;
	unsigned long size = block_size(va);

	while (*link) {
		struct vmap_area *p = node_va(*link);

		parent = *link;
		if (p->subtree_max_size < size)
			p->subtree_max_size = size;	/* the contract: cover @va going down */
		link = va->va_start < p->va_start ? &parent->rb_left : &parent->rb_right;
	}
	va->subtree_max_size = size;
	rb_link_node(&va->rb_node, parent, link);
	rb_insert_augmented(&va->rb_node, &s->free_root, &free_aug);
	s->nr_free++;
}

static void free_erase(struct vmap_space *s, struct vmap_area *va)
{
	rb_erase_augmented(&va->rb_node, &s->free_root, &free_aug);
	s->nr_free--;
}

/* @va's block changed size in place: bring the maxima on its path up to date. */
static void free_resized(struct vmap_area *va)
{
	free_aug.propagate(&va->rb_node, NULL);
}

/* The lowest aligned address in @b where @size bytes fit, if any. */
static bool fits(const struct vmap_area *b, unsigned long size, unsigned long align,
		 unsigned long *addr)
{
	unsigned long a = ALIGN_UP(b->va_start, align);

	if (a < b->va_start || a >= b->va_end || b->va_end - a < size)
		return false;
	*addr = a;
	return true;
}

/*
 * The lowest block in the subtree at @n where @size fits at @align: left subtree first,
 * then the node, then the right subtree, skipping any subtree whose largest block is
 * smaller than @size. Recursion only to the left: at most the tree's height deep.
 */
static struct vmap_area *lowest_fit(struct rb_node *n, unsigned long size, unsigned long align,
				    unsigned long *addr)
{
	for (; n && subtree_max(n) >= size; n = n->rb_right) {
		struct vmap_area *b = lowest_fit(n->rb_left, size, align, addr);

		if (b)
			return b;
		b = node_va(n);
		if (fits(b, size, align, addr))
			return b;
	}
	return NULL;
}

/*
 * Take [addr, addr + size) out of free block @b. What is left of @b on either side stays
 * free: @b shrinks, or vanishes, or keeps the lower part while @spare takes the upper.
 */
static void carve(struct vmap_space *s, struct vmap_area *b, unsigned long addr,
		  unsigned long size, struct vmap_area *spare)
{
	unsigned long end = addr + size, old_end = b->va_end;

	if (addr == b->va_start && end == old_end) {
		free_erase(s, b);
		s->free_va(b);
	} else if (addr == b->va_start) {
		b->va_start = end;
		free_resized(b);
	} else {
		b->va_end = addr;
		free_resized(b);
		if (end != old_end) {
			spare->va_start = end;
			spare->va_end = old_end;
			free_insert(s, spare);
		}
	}
}

/* The free block with the highest start below @addr, or NULL. */
static struct vmap_area *free_below(const struct vmap_space *s, unsigned long addr)
{
	struct rb_node *n = s->free_root.rb_node;
	struct vmap_area *best = NULL;

	while (n) {
		struct vmap_area *b = node_va(n);

		if (b->va_start < addr) {
			best = b;
			n = n->rb_right;
		} else {
			n = n->rb_left;
		}
	}
	return best;
}

/* Give [va_start, va_end) of @va back to the free tree, merged with what touches it. */
static void free_merge(struct vmap_space *s, struct vmap_area *va)
{
	struct vmap_area *prev = free_below(s, va->va_start);
	struct vmap_area *next = node_va(prev ? rb_next(&prev->rb_node) : rb_first(&s->free_root));
	bool join_prev = prev && prev->va_end == va->va_start;
	bool join_next = next && next->va_start == va->va_end;

	if (join_prev && join_next) {
		unsigned long end = next->va_end;

		free_erase(s, next);
		s->free_va(next);
		prev->va_end = end;
		free_resized(prev);
	} else if (join_prev) {
		prev->va_end = va->va_end;
		free_resized(prev);
	} else if (join_next) {
		next->va_start = va->va_start;
		free_resized(next);
	} else {
		free_insert(s, va);
		return;
	}
	s->free_va(va);
}

/* ---- the busy tree ---- */

static void busy_insert(struct vmap_space *s, struct vmap_area *va)
{
	struct rb_node **link = &s->busy_root.rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = va->va_start < node_va(parent)->va_start ? &parent->rb_left :
								   &parent->rb_right;
	}
	rb_link_node(&va->rb_node, parent, link);
	rb_insert_color(&va->rb_node, &s->busy_root);
	s->nr_busy++;
	s->busy_bytes += block_size(va);
}

static void busy_erase(struct vmap_space *s, struct vmap_area *va)
{
	rb_erase(&va->rb_node, &s->busy_root);
	s->nr_busy--;
	s->busy_bytes -= block_size(va);
}

struct vmap_area *vmap_area_find(const struct vmap_space *s, unsigned long addr)
{
	struct rb_node *n = s->busy_root.rb_node;

	while (n) {
		struct vmap_area *va = node_va(n);

		if (addr < va->va_start)
			n = n->rb_left;
		else if (addr >= va->va_end)
			n = n->rb_right;
		else
			return va;
	}
	return NULL;
}

/* ---- the interface ---- */

int vmap_space_init(struct vmap_space *s, unsigned long start, unsigned long end,
		    struct vmap_area *(*alloc_va)(void), void (*free_va)(struct vmap_area *))
{
	struct vmap_area *all;

	if (start >= end || (start | end) & (PAGE_SIZE - 1))
		return -EINVAL;
	*s = (struct vmap_space){ .start = start, .end = end, .alloc_va = alloc_va,
				  .free_va = free_va };
	INIT_LIST_HEAD(&s->lazy_list);
	all = alloc_va();
	if (!all)
		return -ENOMEM;
	all->va_start = start;
	all->va_end = end;
	free_insert(s, all);
	return 0;
}

int vmap_area_alloc(struct vmap_space *s, unsigned long size, unsigned long align,
		    struct vmap_area **out)
{
	unsigned long total = size + VMAP_GUARD_SIZE, addr = 0;
	struct vmap_area *b, *va, *spare = NULL;

	if (!size || size & (PAGE_SIZE - 1) || total < size || align < PAGE_SIZE ||
	    (align & (align - 1)))
		return -EINVAL;
	b = lowest_fit(s->free_root.rb_node, total, align, &addr);
	if (!b)
		return -ENOSPC;
	/* Both structs before anything changes, so a failure leaves nothing half done. */
	va = s->alloc_va();
	if (!va)
		return -ENOMEM;
	if (addr != b->va_start && addr + total != b->va_end) {
		spare = s->alloc_va();
		if (!spare) {
			s->free_va(va);
			return -ENOMEM;
		}
	}
	carve(s, b, addr, total, spare);
	va->va_start = addr;
	va->va_end = addr + total;
	va->vm = NULL;
	INIT_LIST_HEAD(&va->list);
	busy_insert(s, va);
	*out = va;
	return 0;
}

void vmap_area_free(struct vmap_space *s, struct vmap_area *va)
{
	busy_erase(s, va);
	free_merge(s, va);
}

void vmap_area_free_lazy(struct vmap_space *s, struct vmap_area *va)
{
	busy_erase(s, va);
	list_add_tail(&va->list, &s->lazy_list);
	s->lazy_pages += block_size(va) >> PAGE_SHIFT;
}

unsigned long vmap_area_take_lazy(struct vmap_space *s, struct list_head *out)
{
	unsigned long pages = s->lazy_pages;
	struct list_head *first = s->lazy_list.next, *last = s->lazy_list.prev;

	INIT_LIST_HEAD(out);
	if (list_empty(&s->lazy_list))
		return 0;
	/* Splice the whole list onto @out. */
	out->next = first;
	first->prev = out;
	out->prev = last;
	last->next = out;
	INIT_LIST_HEAD(&s->lazy_list);
	s->lazy_pages = 0;
	return pages;
}

void vmap_area_release(struct vmap_space *s, struct vmap_area *va)
{
	list_del(&va->list);
	free_merge(s, va);
}

enum vmap_state vmap_addr_state(const struct vmap_space *s, unsigned long addr,
				struct vmap_area **va)
{
	struct vmap_area *f;

	*va = NULL;
	if (addr < s->start || addr >= s->end)
		return VMAP_OUTSIDE;
	*va = vmap_area_find(s, addr);
	if (*va)
		return VMAP_BUSY;
	list_for_each_entry(f, &s->lazy_list, list)
		if (addr >= f->va_start && addr < f->va_end) {
			*va = f;
			return VMAP_LAZY;
		}
	f = free_below(s, addr + 1);
	return f && addr < f->va_end ? VMAP_FREE : VMAP_PURGING;
}

unsigned long vmap_largest_free(const struct vmap_space *s)
{
	return subtree_max(s->free_root.rb_node);
}

struct vmap_area *vmap_area_first(const struct vmap_space *s)
{
	return node_va(rb_first(&s->busy_root));
}

struct vmap_area *vmap_area_next(const struct vmap_area *va)
{
	return node_va(rb_next(&va->rb_node));
}

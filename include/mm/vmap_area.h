/*
 * The range allocator under vmalloc, vmap and ioremap (mm/vmap_area.c): it hands out
 * page-aligned pieces of one virtual range and takes them back. Plain C that touches no
 * page table, built into the kernel (mm/vmalloc.c owns the one instance, for
 * [VMALLOC_START, VMALLOC_END]) and into tests/host, where a model checks it.
 *
 * Every piece of the range is in exactly one of four states:
 *   free    a block in the free tree: by address, each node augmented with the largest
 *           block size in its subtree, so the lowest block that fits is found in
 *           O(log n) without visiting the blocks that are too small;
 *   busy    an area in use, in the busy tree by address (vmap_area_find);
 *   lazy    freed by its owner but not yet reusable: its translations may still sit in
 *           a TLB until the owner's next flush (the lazy list, docs/vmalloc.md);
 *   purging taken off the lazy list by vmap_area_take_lazy for the flush, given back
 *           with vmap_area_release.
 * An area is followed by a guard page that is part of it ([va_start, va_end) includes it)
 * and is never mapped, so running off its end faults instead of reaching the next area.
 *
 * Placement is first fit by address: an area goes at the lowest address, aligned as
 * asked, where it and its guard fit. Free blocks are always maximal (two free blocks
 * never touch: a block given back merges with its neighbours), so nothing is lost to
 * fragmentation beyond the distances alignment forces, and a request fails only if no
 * gap anywhere could hold it.
 * The caller serialises every call (mm/vmalloc.c: vmap_area_lock).
 */
#ifndef MM_VMAP_AREA_H
#define MM_VMAP_AREA_H

#include <asm/layout.h>
#include <kernel/compiler.h>
#include <lib/list.h>
#include <lib/rbtree.h>

#define VMAP_GUARD_SIZE	PAGE_SIZE	/* bytes of the unmapped guard after every area */

struct vmap_area {
	unsigned long va_start;		/* first byte */
	unsigned long va_end;		/* one past the last; an area's last page is its guard */
	struct rb_node rb_node;		/* in the free tree or the busy tree */
	unsigned long subtree_max_size;	/* free: the largest block in this subtree, bytes */
	struct list_head list;		/* lazy or purging: on that list */
	void *vm;			/* busy, lazy, purging: the owner's record */
};

/* Bytes an area offers its owner: all but the guard page. */
static inline unsigned long vmap_area_size(const struct vmap_area *va)
{
	return va->va_end - va->va_start - VMAP_GUARD_SIZE;
}

struct vmap_space {
	unsigned long start, end;	/* the range managed: [start, end), page aligned */
	struct rb_root free_root;	/* free blocks by address, augmented */
	struct rb_root busy_root;	/* areas in use, by address */
	struct list_head lazy_list;	/* freed areas waiting for the flush, oldest first */
	unsigned long nr_free;		/* blocks in the free tree */
	unsigned long nr_busy;		/* areas in the busy tree */
	unsigned long busy_bytes;	/* their bytes, guard pages included */
	unsigned long lazy_pages;	/* pages (guards included) on the lazy list */
	/* Where struct vmap_area comes from: a slab cache in the kernel, calloc in tests. */
	struct vmap_area *(*alloc_va)(void);
	void (*free_va)(struct vmap_area *va);
};

/*
 * An empty space of [start, end) (page aligned, start < end): one free block. -EINVAL for
 * a bad range, -ENOMEM without memory.
 */
int vmap_space_init(struct vmap_space *s, unsigned long start, unsigned long end,
		    struct vmap_area *(*alloc_va)(void), void (*free_va)(struct vmap_area *));

/*
 * A new busy area offering @size bytes (page aligned, > 0) at an address aligned to @align
 * (a power of two, at least PAGE_SIZE), followed by its guard page: the lowest such place.
 * 0 and *@out; -ENOSPC if no gap can hold it, -ENOMEM if no struct vmap_area could be had,
 * -EINVAL for bad arguments. On error nothing changed.
 */
int vmap_area_alloc(struct vmap_space *s, unsigned long size, unsigned long align,
		    struct vmap_area **out);

/* The busy area whose [va_start, va_end) holds @addr (its guard included), or NULL. */
struct vmap_area *vmap_area_find(const struct vmap_space *s, unsigned long addr);

/* Busy -> free now: for an area that was never mapped, or whose unmap was flushed. */
void vmap_area_free(struct vmap_space *s, struct vmap_area *va);

/* Busy -> lazy: the owner unmapped it but has not flushed yet. */
void vmap_area_free_lazy(struct vmap_space *s, struct vmap_area *va);

/*
 * Move every lazy area to @out (purging) and return their pages. The caller flushes the
 * TLB after this call, then gives each back with vmap_area_release.
 */
unsigned long vmap_area_take_lazy(struct vmap_space *s, struct list_head *out);

/* Purging -> free (taken off @va->list by the caller or not: this unlinks it). */
void vmap_area_release(struct vmap_space *s, struct vmap_area *va);

enum vmap_state { VMAP_OUTSIDE, VMAP_FREE, VMAP_BUSY, VMAP_LAZY, VMAP_PURGING };

/*
 * Where @addr is: in a busy area (*@va set), a lazy one (*@va set), a free block, outside
 * the space, or else in an area being purged. For error messages: O(lazy areas).
 */
enum vmap_state vmap_addr_state(const struct vmap_space *s, unsigned long addr,
				struct vmap_area **va);

/* The largest free block, bytes (0 when full): /proc/meminfo's VmallocChunk. */
unsigned long vmap_largest_free(const struct vmap_space *s);

/* Busy areas in address order: the first, and the one after @va (NULL at the end). */
struct vmap_area *vmap_area_first(const struct vmap_space *s);
struct vmap_area *vmap_area_next(const struct vmap_area *va);

#endif

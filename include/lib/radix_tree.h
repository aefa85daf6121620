/*
 * A radix tree: a map from unsigned long indices to pointers, the structure the page
 * cache keeps a file's (or a disk's) pages in, by page index (lib/radix_tree.c). Each node
 * has 64 slots and covers 6 bits of the index; the tree is as tall as the largest index
 * needs (a disk of 64 MiB, 16384 pages: 3 levels) and empty branches are freed. Each slot
 * also carries RADIX_TREE_MAX_TAGS tag bits, set on the way down to a tagged item, so
 * "the next dirty page from here" skips whole untagged subtrees: that is how writeback
 * finds dirty pages without looking at clean ones (Linux's xarray marks do the same).
 *
 * Not thread-safe: the caller's lock guards a tree. Items must be non-NULL.
 */
#ifndef LIB_RADIX_TREE_H
#define LIB_RADIX_TREE_H

#include <kernel/compiler.h>
#include <mm/gfp.h>

#define RADIX_TREE_MAP_SHIFT	6
#define RADIX_TREE_MAP_SIZE	(1ul << RADIX_TREE_MAP_SHIFT)
#define RADIX_TREE_MAX_TAGS	2	/* the page cache's: dirty, writeback */

struct radix_tree_node {
	uint8_t shift;			/* index bits below this node's slots: 0 at a leaf */
	uint8_t offset;			/* which slot of the parent points here */
	uint16_t count;			/* slots in use */
	struct radix_tree_node *parent;
	uint64_t tags[RADIX_TREE_MAX_TAGS];	/* bit i: slot i is tagged (or has a tagged item) */
	void *slots[RADIX_TREE_MAP_SIZE];
};

struct radix_tree_root {
	struct radix_tree_node *node;	/* NULL: empty */
	gfp_t gfp;			/* for the nodes */
};

#define RADIX_TREE_INIT(gfp_mask)	{ .node = NULL, .gfp = (gfp_mask) }

void radix_tree_init(void);		/* the node cache; once, at boot */
/* 0, -EEXIST (the index has an item), -ENOMEM (the tree is unchanged), -EINVAL (NULL). */
int radix_tree_insert(struct radix_tree_root *root, unsigned long index, void *item);
void *radix_tree_lookup(const struct radix_tree_root *root, unsigned long index);
void *radix_tree_delete(struct radix_tree_root *root, unsigned long index);	/* the item */
/* Tags on an item that is there: set returns the item (NULL if none), clear too. */
void *radix_tree_tag_set(struct radix_tree_root *root, unsigned long index, unsigned int tag);
void *radix_tree_tag_clear(struct radix_tree_root *root, unsigned long index, unsigned int tag);
bool radix_tree_tag_get(const struct radix_tree_root *root, unsigned long index, unsigned int tag);
bool radix_tree_tagged(const struct radix_tree_root *root, unsigned int tag);	/* any item */
/*
 * Up to @max items at indices >= @first in index order (with @tag set, or any when @tag
 * is RADIX_TREE_ANY), into @items and their indices into @indices (may be NULL). Returns
 * how many.
 */
#define RADIX_TREE_ANY	(~0u)
unsigned int radix_tree_gang_lookup(const struct radix_tree_root *root, void **items,
				    unsigned long *indices, unsigned long first, unsigned int max,
				    unsigned int tag);
extern unsigned long radix_tree_nr_nodes;	/* allocated now, all trees */

#endif

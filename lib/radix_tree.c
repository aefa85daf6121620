/*
 * The radix tree of include/lib/radix_tree.h. A node of shift s covers 64 << s indices:
 * slot i holds index bits (i << s) .. ((i + 1) << s) - 1 of its range. The root node is
 * the smallest that covers the largest index stored; inserting a larger one puts new
 * roots on top (the old root becomes slot 0), deleting shrinks it again while the root
 * has only slot 0 in use. A node whose last slot empties is freed and its parent's slot
 * cleared, up the tree. Tags: a node's tag bit i is set exactly when slot i holds a tagged
 * item (leaf) or a child with any tag bit set (above), so a search for tagged items
 * descends only into tagged slots.
 */
#include <lib/errno.h>
#include <lib/radix_tree.h>
#include <lib/string.h>
#include <mm/slab.h>

#define MAP_MASK	(RADIX_TREE_MAP_SIZE - 1)

static struct kmem_cache *node_cache;
unsigned long radix_tree_nr_nodes;

void radix_tree_init(void)
{
	node_cache = kmem_cache_create("radix_tree_node", sizeof(struct radix_tree_node), 0, 0,
				       NULL);
}

static struct radix_tree_node *node_alloc(const struct radix_tree_root *root, unsigned int shift)
{
	struct radix_tree_node *n = node_cache ? kmem_cache_zalloc(node_cache, root->gfp) : NULL;

	if (n) {
		n->shift = (uint8_t)shift;
		radix_tree_nr_nodes++;
	}
	return n;
}

static void node_free(struct radix_tree_node *n)
{
	kmem_cache_free(node_cache, n);
	radix_tree_nr_nodes--;
}

/* The largest index a root of @shift covers. */
static unsigned long max_index(unsigned int shift)
{
	return shift + RADIX_TREE_MAP_SHIFT >= 64 ? ~0ul
		: (RADIX_TREE_MAP_SIZE << shift) - 1;
}

static unsigned int slot_of(const struct radix_tree_node *n, unsigned long index)
{
	return (unsigned int)(index >> n->shift) & MAP_MASK;
}

/* Remove empty nodes from @n up; the root's pointer too if it empties. */
static void prune(struct radix_tree_root *root, struct radix_tree_node *n)
{
	while (n && n->count == 0) {
		struct radix_tree_node *parent = n->parent;

		if (parent) {
			parent->slots[n->offset] = NULL;
			parent->count--;
			for (unsigned int t = 0; t < RADIX_TREE_MAX_TAGS; t++)
				parent->tags[t] &= ~(1ull << n->offset);
		} else {
			root->node = NULL;
		}
		node_free(n);
		n = parent;
	}
}

/* Put new roots on top until the tree covers @index. */
static int grow(struct radix_tree_root *root, unsigned long index)
{
	while (index > max_index(root->node->shift)) {
		struct radix_tree_node *old = root->node;
		struct radix_tree_node *top = node_alloc(root, old->shift + RADIX_TREE_MAP_SHIFT);

		if (!top)
			return -ENOMEM;
		top->slots[0] = old;
		top->count = 1;
		for (unsigned int t = 0; t < RADIX_TREE_MAX_TAGS; t++)
			top->tags[t] = old->tags[t] ? 1 : 0;
		old->parent = top;
		old->offset = 0;
		root->node = top;
	}
	return 0;
}

/* Take roots off while the root uses only slot 0 (undoes grow). */
static void shrink(struct radix_tree_root *root)
{
	struct radix_tree_node *n = root->node;

	while (n && n->shift && n->count == 1 && n->slots[0]) {
		struct radix_tree_node *child = n->slots[0];

		child->parent = NULL;
		root->node = child;
		node_free(n);
		n = child;
	}
}

int radix_tree_insert(struct radix_tree_root *root, unsigned long index, void *item)
{
	struct radix_tree_node *n;
	unsigned int shift = 0;

	if (!item)
		return -EINVAL;
	if (!root->node) {
		while (index > max_index(shift))
			shift += RADIX_TREE_MAP_SHIFT;
		root->node = node_alloc(root, shift);
		if (!root->node)
			return -ENOMEM;
	} else if (grow(root, index)) {
		shrink(root);	/* the roots added so far are single-slot: take them off */
		return -ENOMEM;
	}
	n = root->node;
	while (n->shift) {
		unsigned int i = slot_of(n, index);
		struct radix_tree_node *child = n->slots[i];

		if (!child) {
			child = node_alloc(root, n->shift - RADIX_TREE_MAP_SHIFT);
			if (!child) {
				prune(root, n);
				shrink(root);
				return -ENOMEM;
			}
			child->parent = n;
			child->offset = (uint8_t)i;
			n->slots[i] = child;
			n->count++;
		}
		n = child;
	}
	if (n->slots[index & MAP_MASK])
		return -EEXIST;
	n->slots[index & MAP_MASK] = item;
	n->count++;
	return 0;
}

/* The leaf that holds @index, or NULL. */
static struct radix_tree_node *leaf_of(const struct radix_tree_root *root, unsigned long index)
{
	struct radix_tree_node *n = root->node;

	if (!n || index > max_index(n->shift))
		return NULL;
	while (n && n->shift)
		n = n->slots[slot_of(n, index)];
	return n;
}

void *radix_tree_lookup(const struct radix_tree_root *root, unsigned long index)
{
	struct radix_tree_node *n = leaf_of(root, index);

	return n ? n->slots[index & MAP_MASK] : NULL;
}

/* Clear @tag's bit for slot @i of @n, and above it while a node has no tag left. */
static void clear_tag_up(struct radix_tree_node *n, unsigned int i, unsigned int tag)
{
	while (n) {
		n->tags[tag] &= ~(1ull << i);
		if (n->tags[tag])
			return;
		i = n->offset;
		n = n->parent;
	}
}

void *radix_tree_delete(struct radix_tree_root *root, unsigned long index)
{
	struct radix_tree_node *n = leaf_of(root, index);
	unsigned int i = (unsigned int)(index & MAP_MASK);
	void *item = n ? n->slots[i] : NULL;

	if (!item)
		return NULL;
	for (unsigned int t = 0; t < RADIX_TREE_MAX_TAGS; t++)
		if (n->tags[t] & (1ull << i))
			clear_tag_up(n, i, t);
	n->slots[i] = NULL;
	n->count--;
	prune(root, n);
	shrink(root);
	return item;
}

void *radix_tree_tag_set(struct radix_tree_root *root, unsigned long index, unsigned int tag)
{
	struct radix_tree_node *n = leaf_of(root, index);
	unsigned int i = (unsigned int)(index & MAP_MASK);

	if (tag >= RADIX_TREE_MAX_TAGS || !n || !n->slots[i])
		return NULL;
	/* Up from the leaf: every node on the path says "tagged below". */
	for (struct radix_tree_node *p = n; p; i = p->offset, p = p->parent) {
		if (p->tags[tag] & (1ull << i))
			break;	/* already set from here up */
		p->tags[tag] |= 1ull << i;
	}
	return n->slots[index & MAP_MASK];
}

void *radix_tree_tag_clear(struct radix_tree_root *root, unsigned long index, unsigned int tag)
{
	struct radix_tree_node *n = leaf_of(root, index);
	unsigned int i = (unsigned int)(index & MAP_MASK);

	if (tag >= RADIX_TREE_MAX_TAGS || !n || !n->slots[i])
		return NULL;
	if (n->tags[tag] & (1ull << i))
		clear_tag_up(n, i, tag);
	return n->slots[i];
}

bool radix_tree_tag_get(const struct radix_tree_root *root, unsigned long index, unsigned int tag)
{
	struct radix_tree_node *n = leaf_of(root, index);

	return tag < RADIX_TREE_MAX_TAGS && n && (n->tags[tag] >> (index & MAP_MASK) & 1);
}

bool radix_tree_tagged(const struct radix_tree_root *root, unsigned int tag)
{
	return tag < RADIX_TREE_MAX_TAGS && root->node && root->node->tags[tag];
}

struct gang {
	void **items;
	unsigned long *indices;
	unsigned long first;
	unsigned int max, found, tag;
};

/* Collect from @n, which covers indices from @base, in order; false when full. */
static bool collect(const struct radix_tree_node *n, unsigned long base, struct gang *g)
{
	unsigned int i = 0;

	if (g->first > base)
		i = (unsigned int)((g->first - base) >> n->shift);	/* < 64: first is inside */
	for (; i < RADIX_TREE_MAP_SIZE; i++) {
		unsigned long at = base + ((unsigned long)i << n->shift);

		if (!n->slots[i] || (g->tag != RADIX_TREE_ANY && !(n->tags[g->tag] >> i & 1)))
			continue;
		if (n->shift == 0) {
			if (at < g->first)
				continue;
			g->items[g->found] = n->slots[i];
			if (g->indices)
				g->indices[g->found] = at;
			if (++g->found == g->max)
				return false;
		} else if (!collect(n->slots[i], at, g)) {
			return false;
		}
	}
	return true;
}

unsigned int radix_tree_gang_lookup(const struct radix_tree_root *root, void **items,
				    unsigned long *indices, unsigned long first, unsigned int max,
				    unsigned int tag)
{
	struct gang g = { items, indices, first, max, 0, tag };

	if (!root->node || !max || first > max_index(root->node->shift) ||
	    (tag != RADIX_TREE_ANY && tag >= RADIX_TREE_MAX_TAGS))
		return 0;
	collect(root->node, 0, &g);
	return g.found;
}

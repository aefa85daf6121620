/*
 * Intrusive red-black trees with Linux's names and semantics (lib/rbtree.c). The node is
 * embedded in the object and rb_entry() (container_of) gets back to it. The tree does not
 * compare keys: the caller walks down from the root itself, links the new node where the
 * search ended with rb_link_node(), and then calls rb_insert_color() to rebalance. So any key,
 * any order and duplicates are the caller's business; rb_add() and rb_find() below do the
 * walk for the common case of a "less" and a "cmp" function.
 *
 * Invariants (checked by tests/host/test_rbtree.c after every step): the root is black, a red
 * node has no red child, every path from a node down to a NULL link has the same number of
 * black nodes. Hence the height is at most 2*log2(n+1) and every operation is O(log n).
 *
 * The parent pointer and the colour share one word: nodes are at least 4-byte aligned, so bit
 * 0 of the parent address is free and holds the colour (0 red, 1 black). An unlinked node
 * that was RB_CLEAR_NODE()d points at itself, which RB_EMPTY_NODE() tests.
 *
 * rb_root_cached also remembers the leftmost node, so a priority queue (CFS's timeline, the
 * free-area tree) gets its minimum in O(1). The augmented variant, where every node caches a
 * value computed over its subtree, is in include/lib/rbtree_augmented.h.
 */
#ifndef LIB_RBTREE_H
#define LIB_RBTREE_H

#include <kernel/compiler.h>

struct rb_node {
	unsigned long __rb_parent_color;	/* parent address | colour (bit 0) */
	struct rb_node *rb_right;
	struct rb_node *rb_left;
} __aligned(sizeof(long));

struct rb_root {
	struct rb_node *rb_node;
};

struct rb_root_cached {
	struct rb_root rb_root;
	struct rb_node *rb_leftmost;	/* NULL when empty */
};

#define RB_RED		0
#define RB_BLACK	1

#define RB_ROOT		(struct rb_root){ NULL }
#define RB_ROOT_CACHED	(struct rb_root_cached){ { NULL }, NULL }

#define rb_entry(ptr, type, member)	container_of(ptr, type, member)
#define rb_entry_safe(ptr, type, member) \
	({ __typeof__(ptr) ____p = (ptr); ____p ? rb_entry(____p, type, member) : NULL; })

#define RB_EMPTY_ROOT(root)	(READ_ONCE((root)->rb_node) == NULL)
/* An unlinked node points at itself; rb_erase() does not do this, the caller does. */
#define RB_EMPTY_NODE(node)	((node)->__rb_parent_color == (unsigned long)(node))
#define RB_CLEAR_NODE(node)	((node)->__rb_parent_color = (unsigned long)(node))

static inline struct rb_node *rb_parent(const struct rb_node *n)
{
	return (struct rb_node *)(n->__rb_parent_color & ~3ul);
}

/*
 * Puts @node, red and without children, at *@rb_link, a NULL child link of @parent (or the
 * root link, with parent NULL). Then rb_insert_color() restores the invariants.
 */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **rb_link)
{
	node->__rb_parent_color = (unsigned long)parent;
	node->rb_left = node->rb_right = NULL;
	*rb_link = node;
}

void rb_insert_color(struct rb_node *node, struct rb_root *root);
void rb_erase(struct rb_node *node, struct rb_root *root);

/* In-order walks; NULL past either end. O(log n) worst case, O(1) amortised over a walk. */
struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

/*
 * Post-order walk: children before their parent, so the callback may free each node (tear
 * down a whole tree in O(n) without rebalancing). The tree is garbage afterwards.
 */
struct rb_node *rb_first_postorder(const struct rb_root *root);
struct rb_node *rb_next_postorder(const struct rb_node *node);

#define rbtree_postorder_for_each_entry_safe(pos, n, root, field)                               \
	for (pos = rb_entry_safe(rb_first_postorder(root), __typeof__(*pos), field);            \
	     pos && ({ n = rb_entry_safe(rb_next_postorder(&pos->field), __typeof__(*pos),      \
					  field); 1; });                                         \
	     pos = n)

static inline int rb_color(const struct rb_node *n)
{
	return n->__rb_parent_color & 1;
}

static inline void rb_set_parent_color(struct rb_node *n, struct rb_node *p, int color)
{
	n->__rb_parent_color = (unsigned long)p | (unsigned long)color;
}

static inline void rb_set_parent(struct rb_node *n, struct rb_node *p)
{
	rb_set_parent_color(n, p, rb_color(n));
}

/* Makes whatever pointed at @old (its parent's link, or the root) point at @new. */
static inline void rb_change_child(struct rb_node *old, struct rb_node *new,
				   struct rb_node *parent, struct rb_root *root)
{
	if (!parent)
		root->rb_node = new;
	else if (parent->rb_left == old)
		parent->rb_left = new;
	else
		parent->rb_right = new;
}

/*
 * Puts @new in @victim's place (same key order assumed), without rebalancing. Inline: the
 * fair class's yield ping-pong does one per switch.
 */
static inline void rb_replace_node(struct rb_node *victim, struct rb_node *new,
				   struct rb_root *root)
{
	*new = *victim;		/* its parent, colour and children */
	if (victim->rb_left)
		rb_set_parent(victim->rb_left, new);
	if (victim->rb_right)
		rb_set_parent(victim->rb_right, new);
	rb_change_child(victim, new, rb_parent(victim), root);
}

/*
 * Cached trees. @leftmost says whether the search that found the link went left at every
 * step, i.e. whether @node is the new minimum.
 */
static inline void rb_insert_color_cached(struct rb_node *node, struct rb_root_cached *root,
					  bool leftmost)
{
	if (leftmost)
		root->rb_leftmost = node;
	rb_insert_color(node, &root->rb_root);
}

/* Returns the new leftmost node if @node was the leftmost, else NULL (as Linux does). */
static inline struct rb_node *rb_erase_cached(struct rb_node *node, struct rb_root_cached *root)
{
	struct rb_node *leftmost = NULL;

	if (root->rb_leftmost == node)
		leftmost = root->rb_leftmost = rb_next(node);
	rb_erase(node, &root->rb_root);
	return leftmost;
}

#define rb_first_cached(root)	((root)->rb_leftmost)

/* rb_replace_node in a cached tree: @new takes @victim's place, as leftmost too if it was. */
static inline void rb_replace_node_cached(struct rb_node *victim, struct rb_node *new,
					  struct rb_root_cached *root)
{
	if (root->rb_leftmost == victim)
		root->rb_leftmost = new;
	rb_replace_node(victim, new, &root->rb_root);
}

/*
 * Insert by a strict "less" order; equal keys go after the ones already there, so equal
 * entries come out in insertion order. Returns @node if it became the leftmost, else NULL.
 */
static inline struct rb_node *rb_add_cached(struct rb_node *node, struct rb_root_cached *tree,
					    bool (*less)(struct rb_node *, const struct rb_node *))
{
	struct rb_node **link = &tree->rb_root.rb_node, *parent = NULL;
	bool leftmost = true;

	while (*link) {
		parent = *link;
		if (less(node, parent)) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(node, parent, link);
	rb_insert_color_cached(node, tree, leftmost);
	return leftmost ? node : NULL;
}

static inline void rb_add(struct rb_node *node, struct rb_root *tree,
			  bool (*less)(struct rb_node *, const struct rb_node *))
{
	struct rb_node **link = &tree->rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = less(node, parent) ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(node, parent, link);
	rb_insert_color(node, tree);
}

/* @cmp(key, node) < 0 when key sorts before node. Returns any node equal to @key, or NULL. */
static inline struct rb_node *rb_find(const void *key, const struct rb_root *tree,
				      int (*cmp)(const void *key, const struct rb_node *))
{
	struct rb_node *node = tree->rb_node;

	while (node) {
		int c = cmp(key, node);

		if (c < 0)
			node = node->rb_left;
		else if (c > 0)
			node = node->rb_right;
		else
			return node;
	}
	return NULL;
}

#endif

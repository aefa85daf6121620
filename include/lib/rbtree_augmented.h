/*
 * Augmented red-black trees, as Linux's rbtree_augmented.h: every node caches a value computed
 * from itself and its two subtrees (the largest free gap below it, for vmalloc's free-area
 * tree; the subtree's highest end, for an interval tree). A search can then skip a whole
 * subtree whose cached value says the answer is not in it.
 *
 * The tree code keeps the cached values right through rebalancing by calling three hooks:
 *   propagate(node, stop): recompute node, its parent, ... up to but not including @stop
 *                          (NULL: up to the root); it may stop early once a value is unchanged.
 *   copy(old, new):        @new takes @old's place in the tree: new's value = old's value.
 *   rotate(old, new):      @new was rotated up into @old's place: new's value = old's value
 *                          (same set of nodes below that spot), old's recomputed.
 *
 * Contract on insertion: while walking down to the insertion point the caller updates the value
 * of every node it passes so that it covers the new node too, sets the new node's own value,
 * then calls rb_link_node() and rb_insert_augmented(). Erasing needs nothing from the caller.
 * RB_DECLARE_CALLBACKS_MAX() writes the three hooks for the usual "max over the subtree" case.
 */
#ifndef LIB_RBTREE_AUGMENTED_H
#define LIB_RBTREE_AUGMENTED_H

#include <lib/rbtree.h>

struct rb_augment_callbacks {
	void (*propagate)(struct rb_node *node, struct rb_node *stop);
	void (*copy)(struct rb_node *old, struct rb_node *new);
	void (*rotate)(struct rb_node *old, struct rb_node *new);
};

void rb_insert_augmented(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *augment);
void rb_erase_augmented(struct rb_node *node, struct rb_root *root,
			const struct rb_augment_callbacks *augment);

static inline void rb_insert_augmented_cached(struct rb_node *node, struct rb_root_cached *root,
					      bool leftmost,
					      const struct rb_augment_callbacks *augment)
{
	if (leftmost)
		root->rb_leftmost = node;
	rb_insert_augmented(node, &root->rb_root, augment);
}

static inline void rb_erase_augmented_cached(struct rb_node *node, struct rb_root_cached *root,
					     const struct rb_augment_callbacks *augment)
{
	if (root->rb_leftmost == node)
		root->rb_leftmost = rb_next(node);
	rb_erase_augmented(node, &root->rb_root, augment);
}

/*
 * Declares the callbacks struct RBNAME for a node type RBSTRUCT whose rb_node field is RBFIELD
 * and whose field RBAUGMENTED (of type RBTYPE) must equal the largest RBCOMPUTE(node) in the
 * node's subtree. RBSTATIC is "static" or empty. RBCOMPUTE takes a const RBSTRUCT pointer.
 */
#define RB_DECLARE_CALLBACKS_MAX(RBSTATIC, RBNAME, RBSTRUCT, RBFIELD, RBTYPE, RBAUGMENTED,       \
				 RBCOMPUTE)                                                      \
static inline bool RBNAME ## _compute_max(RBSTRUCT *node, bool exit)                            \
{                                                                                               \
	RBTYPE max = RBCOMPUTE(node);                                                           \
	RBSTRUCT *child;                                                                        \
                                                                                                \
	if (node->RBFIELD.rb_left) {                                                            \
		child = rb_entry(node->RBFIELD.rb_left, RBSTRUCT, RBFIELD);                     \
		if (child->RBAUGMENTED > max)                                                   \
			max = child->RBAUGMENTED;                                               \
	}                                                                                       \
	if (node->RBFIELD.rb_right) {                                                           \
		child = rb_entry(node->RBFIELD.rb_right, RBSTRUCT, RBFIELD);                    \
		if (child->RBAUGMENTED > max)                                                   \
			max = child->RBAUGMENTED;                                               \
	}                                                                                       \
	if (exit && node->RBAUGMENTED == max)                                                   \
		return true;                                                                    \
	node->RBAUGMENTED = max;                                                                \
	return false;                                                                           \
}                                                                                               \
static void RBNAME ## _propagate(struct rb_node *rb, struct rb_node *stop)                      \
{                                                                                               \
	for (; rb != stop; rb = rb_parent(rb))                                                  \
		if (RBNAME ## _compute_max(rb_entry(rb, RBSTRUCT, RBFIELD), true))              \
			break;                                                                  \
}                                                                                               \
static void RBNAME ## _copy(struct rb_node *rb_old, struct rb_node *rb_new)                     \
{                                                                                               \
	rb_entry(rb_new, RBSTRUCT, RBFIELD)->RBAUGMENTED =                                      \
		rb_entry(rb_old, RBSTRUCT, RBFIELD)->RBAUGMENTED;                               \
}                                                                                               \
static void RBNAME ## _rotate(struct rb_node *rb_old, struct rb_node *rb_new)                   \
{                                                                                               \
	RBNAME ## _copy(rb_old, rb_new);                                                        \
	RBNAME ## _compute_max(rb_entry(rb_old, RBSTRUCT, RBFIELD), false);                     \
}                                                                                               \
RBSTATIC const struct rb_augment_callbacks RBNAME = {                                           \
	.propagate = RBNAME ## _propagate,                                                      \
	.copy = RBNAME ## _copy,                                                                \
	.rotate = RBNAME ## _rotate,                                                            \
}

#endif

/*
 * Red-black tree rebalancing and walks (include/lib/rbtree.h states the invariants).
 *
 * Insertion: the new node is red, so black heights still hold; only "no red child of a red
 * node" can break, between the node and its parent. A red uncle lets us push the grandparent's
 * black down to both children and retry two levels up; a black uncle is fixed for good with one
 * or two rotations.
 *
 * Erasure: a node with two children first swaps places with its in-order successor (which has
 * no left child), so the node actually unlinked always has at most one child. Removing a red
 * node, or a black node with a (necessarily red) child that is then painted black, keeps every
 * invariant. Removing a black leaf leaves its spot one black short, and the fix-up walks up
 * borrowing from the sibling's side: at most three rotations, recolouring otherwise.
 *
 * Both directions are written once: rotate_up(y) lifts y above its parent whichever side y is
 * on, and the code asks "which side" instead of having a mirrored copy of every case.
 * Augmented trees (rbtree_augmented.h) get their hooks called at every structural change; the
 * plain API passes NULL hooks. No allocation, no locking: the caller owns the tree and its lock.
 */
#include <lib/rbtree.h>
#include <lib/rbtree_augmented.h>

static inline bool rb_is_red(const struct rb_node *n)
{
	return n && !(n->__rb_parent_color & RB_BLACK);
}

static inline void rb_set_color(struct rb_node *n, int color)
{
	rb_set_parent_color(n, rb_parent(n), color);
}

/*
 * Lifts @y into the place of its parent x; x becomes y's child on the side opposite to where
 * y was, and y's inner subtree (keys between y and x) moves under x. In-order sequence and
 * colours are unchanged. Only x's and y's subtrees change, which is what aug->rotate fixes.
 */
static void rotate_up(struct rb_node *y, struct rb_root *root,
		      const struct rb_augment_callbacks *aug)
{
	struct rb_node *x = rb_parent(y), *g = rb_parent(x), *inner;

	if (y == x->rb_left) {
		inner = y->rb_right;
		x->rb_left = inner;
		y->rb_right = x;
	} else {
		inner = y->rb_left;
		x->rb_right = inner;
		y->rb_left = x;
	}
	if (inner)
		rb_set_parent(inner, x);
	rb_set_parent(x, y);
	rb_set_parent(y, g);
	rb_change_child(x, y, g, root);
	if (aug)
		aug->rotate(x, y);
}

/* Called with @node red and linked; only a red parent can violate the invariants. */
static void insert_fixup(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *aug)
{
	for (;;) {
		struct rb_node *parent = rb_parent(node), *gparent, *uncle;

		if (!parent) {
			rb_set_color(node, RB_BLACK);	/* the root is black */
			return;
		}
		if (!rb_is_red(parent))
			return;
		gparent = rb_parent(parent);	/* exists: a red node is never the root */
		uncle = parent == gparent->rb_left ? gparent->rb_right : gparent->rb_left;
		if (rb_is_red(uncle)) {
			/* Same black count on every path below gparent; the problem moves up. */
			rb_set_color(parent, RB_BLACK);
			rb_set_color(uncle, RB_BLACK);
			rb_set_color(gparent, RB_RED);
			node = gparent;
			continue;
		}
		/* An inner grandchild is first turned into an outer one. */
		if ((node == parent->rb_right) == (parent == gparent->rb_left)) {
			rotate_up(node, root, aug);
			parent = node;
		}
		rotate_up(parent, root, aug);
		rb_set_color(parent, RB_BLACK);
		rb_set_color(gparent, RB_RED);
		return;
	}
}

void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
	insert_fixup(node, root, NULL);
}

void rb_insert_augmented(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *augment)
{
	insert_fixup(node, root, augment);
}

/*
 * The subtree at @node (possibly NULL), a child of @parent, has one black less than its
 * sibling's. The sibling exists: its side has at least one black node more.
 */
static void erase_fixup(struct rb_node *node, struct rb_node *parent, struct rb_root *root,
			const struct rb_augment_callbacks *aug)
{
	while (parent) {
		bool left = node == parent->rb_left;
		struct rb_node *sib = left ? parent->rb_right : parent->rb_left, *near, *far;

		if (rb_is_red(sib)) {
			/* Make the sibling black: rotate the red one up, parent turns red. */
			rotate_up(sib, root, aug);
			rb_set_color(sib, RB_BLACK);
			rb_set_color(parent, RB_RED);
			sib = left ? parent->rb_right : parent->rb_left;
		}
		near = left ? sib->rb_left : sib->rb_right;
		far = left ? sib->rb_right : sib->rb_left;
		if (!rb_is_red(near) && !rb_is_red(far)) {
			/* One black off the sibling's side too: now parent's subtree is short. */
			rb_set_color(sib, RB_RED);
			if (rb_is_red(parent)) {
				rb_set_color(parent, RB_BLACK);
				return;
			}
			node = parent;
			parent = rb_parent(node);
			continue;
		}
		if (!rb_is_red(far)) {
			/* Only the near nephew is red: rotate it up so the red one is outer. */
			rotate_up(near, root, aug);
			rb_set_color(near, RB_BLACK);
			rb_set_color(sib, RB_RED);
			far = sib;
			sib = near;
		}
		/* Sibling rises in parent's colour; black parent and far nephew add one a side. */
		rotate_up(sib, root, aug);
		rb_set_color(sib, rb_color(parent));
		rb_set_color(parent, RB_BLACK);
		rb_set_color(far, RB_BLACK);
		return;
	}
}

/* Unlinks a node with at most one child; returns true if the spot is now one black short. */
static bool unlink_simple(struct rb_node *node, struct rb_node **fix_parent, struct rb_root *root,
			  const struct rb_augment_callbacks *aug)
{
	struct rb_node *child = node->rb_left ? node->rb_left : node->rb_right;
	struct rb_node *parent = rb_parent(node);

	rb_change_child(node, child, parent, root);
	*fix_parent = parent;
	if (aug && parent)
		aug->propagate(parent, NULL);
	if (child) {
		/* A lone child is red (black heights) and its parent black: paint it black. */
		rb_set_parent_color(child, parent, RB_BLACK);
		return false;
	}
	return !rb_is_red(node);
}

/*
 * Unlinks a node with two children: its successor s (leftmost of the right subtree, so no left
 * child) takes node's place and colour, and the short spot, if any, is where s was.
 */
static bool unlink_with_successor(struct rb_node *node, struct rb_node **fix_parent,
				  struct rb_root *root, const struct rb_augment_callbacks *aug)
{
	struct rb_node *s = node->rb_right, *child, *sparent;
	bool short_black;

	while (s->rb_left)
		s = s->rb_left;
	child = s->rb_right;
	short_black = !child && !rb_is_red(s);
	if (s == node->rb_right) {
		sparent = s;		/* s keeps its right subtree */
	} else {
		sparent = rb_parent(s);
		sparent->rb_left = child;
		s->rb_right = node->rb_right;
		rb_set_parent(node->rb_right, s);
	}
	s->rb_left = node->rb_left;
	rb_set_parent(node->rb_left, s);
	rb_change_child(node, s, rb_parent(node), root);
	s->__rb_parent_color = node->__rb_parent_color;	/* node's parent and colour */
	if (child)
		rb_set_parent_color(child, sparent, RB_BLACK);	/* red lone child takes s's black */
	if (aug) {
		/* s's value must describe node's spot before propagation compares against it. */
		aug->copy(node, s);
		if (sparent != s)
			aug->propagate(sparent, s);
		aug->propagate(s, NULL);
	}
	*fix_parent = sparent;
	return short_black;
}

static void erase(struct rb_node *node, struct rb_root *root,
		  const struct rb_augment_callbacks *aug)
{
	struct rb_node *parent;
	bool short_black;

	if (node->rb_left && node->rb_right)
		short_black = unlink_with_successor(node, &parent, root, aug);
	else
		short_black = unlink_simple(node, &parent, root, aug);
	if (short_black)
		erase_fixup(NULL, parent, root, aug);
}

void rb_erase(struct rb_node *node, struct rb_root *root)
{
	erase(node, root, NULL);
}

void rb_erase_augmented(struct rb_node *node, struct rb_root *root,
			const struct rb_augment_callbacks *augment)
{
	erase(node, root, augment);
}

struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	while (n && n->rb_left)
		n = n->rb_left;
	return n;
}

struct rb_node *rb_last(const struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	while (n && n->rb_right)
		n = n->rb_right;
	return n;
}

struct rb_node *rb_next(const struct rb_node *node)
{
	const struct rb_node *parent;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_right) {
		node = node->rb_right;
		while (node->rb_left)
			node = node->rb_left;
		return (struct rb_node *)node;
	}
	/* Climb while we are a right child: those ancestors sort before us. */
	while ((parent = rb_parent(node)) && node == parent->rb_right)
		node = parent;
	return (struct rb_node *)parent;
}

struct rb_node *rb_prev(const struct rb_node *node)
{
	const struct rb_node *parent;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_left) {
		node = node->rb_left;
		while (node->rb_right)
			node = node->rb_right;
		return (struct rb_node *)node;
	}
	while ((parent = rb_parent(node)) && node == parent->rb_left)
		node = parent;
	return (struct rb_node *)parent;
}

/* The first node in post-order below @n: go down, preferring left, until a leaf. */
static struct rb_node *deepest_left_leaf(const struct rb_node *n)
{
	for (;;) {
		if (n->rb_left)
			n = n->rb_left;
		else if (n->rb_right)
			n = n->rb_right;
		else
			return (struct rb_node *)n;
	}
}

struct rb_node *rb_first_postorder(const struct rb_root *root)
{
	return root->rb_node ? deepest_left_leaf(root->rb_node) : NULL;
}

struct rb_node *rb_next_postorder(const struct rb_node *node)
{
	const struct rb_node *parent;

	if (!node)
		return NULL;
	parent = rb_parent(node);
	/* After a left child comes its right sibling's subtree, then the parent. */
	if (parent && node == parent->rb_left && parent->rb_right)
		return deepest_left_leaf(parent->rb_right);
	return (struct rb_node *)parent;
}

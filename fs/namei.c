/*
 * Path lookup: from a string to an inode, one component at a time from the root. Repeated
 * slashes are one, "." stays, ".." goes to the parent (the root's parent is the root), a
 * symlink met on the way is followed by walking its target (from the root if it starts with
 * '/', else from the directory holding it), at most MAX_SYMLINKS times per lookup: -ELOOP
 * beyond. A component under something that is not a directory is -ENOTDIR, one longer than
 * NAME_MAX is -ENAMETOOLONG. Runs under fs_lock; the inode returned has a reference.
 * docs/fs.md, "path lookup".
 */
#include <fs/fs.h>
#include <lib/errno.h>

struct walk {
	struct inode *dir;		/* where we are: a directory, referenced by the walk */
	unsigned int links;		/* symlinks followed so far */
};

static int walk_path(struct walk *w, const char *path, size_t len, unsigned int flags,
		     struct inode **out, const char **last, size_t *last_len);

/* The step for one name in w->dir: into *@next (referenced), following a symlink if asked. */
static int step(struct walk *w, const char *name, size_t len, bool follow, struct inode **next)
{
	struct dentry *d;
	struct inode *inode, *saved;
	int ret;

	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	if (len == 1 && name[0] == '.') {
		iget(w->dir);
		*next = w->dir;
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*next = w->dir->i_parent ? w->dir->i_parent : w->dir;
		iget(*next);
		return 0;
	}
	d = ramfs_find(w->dir, name, len);
	if (d) {
		inode = d->d_inode;
		iget(inode);
	} else if (w->dir->i_op && w->dir->i_op->lookup) {
		inode = w->dir->i_op->lookup(w->dir, name, len);	/* referenced */
		if (IS_ERR(inode))
			return PTR_ERR(inode);
	} else {
		return -ENOENT;
	}
	if (!S_ISLNK(inode->i_mode) || !follow) {
		*next = inode;
		return 0;
	}
	ret = -ELOOP;
	if (++w->links > MAX_SYMLINKS)
		goto out;
	ret = -ENOENT;
	if (inode->i_size == 0)
		goto out;
	/* Walk the target from the directory the link is in (or from the root). */
	saved = w->dir;
	iget(saved);
	ret = walk_path(w, inode->i_data, (size_t)inode->i_size,
			LOOKUP_FOLLOW, next, NULL, NULL);
	iput(w->dir);
	w->dir = saved;
out:
	iput(inode);	/* the link itself: a made-up one goes now */
	return ret;
}

/*
 * Walk @path (@len bytes, not necessarily NUL-terminated) starting at w->dir, or at the root
 * if it starts with '/'. w->dir is referenced on entry and still on return (maybe another).
 */
static int walk_path(struct walk *w, const char *path, size_t len, unsigned int flags,
		     struct inode **out, const char **last, size_t *last_len)
{
	size_t i = 0;
	struct inode *next;
	int ret;

	if (len && path[0] == '/') {
		iput(w->dir);
		w->dir = root_inode;
		iget(w->dir);
	}
	for (;;) {
		size_t start, n;
		bool final;

		while (i < len && path[i] == '/')
			i++;
		start = i;
		while (i < len && path[i] != '/')
			i++;
		n = i - start;
		while (i < len && path[i] == '/')
			i++;
		final = i == len;
		if (n == 0) {		/* "/" or "" or a trailing slash: the directory itself */
			if (flags & LOOKUP_PARENT) {
				*last = path + start;
				*last_len = 0;
			}
			iget(w->dir);
			*out = w->dir;
			return 0;
		}
		if (!S_ISDIR(w->dir->i_mode))
			return -ENOTDIR;
		if (final && (flags & LOOKUP_PARENT)) {
			bool dots = (n == 1 && path[start] == '.') ||
				    (n == 2 && path[start] == '.' && path[start + 1] == '.');

			if (n > NAME_MAX)
				return -ENAMETOOLONG;
			*last = path + start;
			*last_len = dots ? 0 : n;
			iget(w->dir);
			*out = w->dir;
			return 0;
		}
		/* A trailing slash asks for a directory, so it follows a final symlink too. */
		ret = step(w, path + start, n, !final || (flags & LOOKUP_FOLLOW) ||
			   path[len - 1] == '/', &next);
		if (ret)
			return ret;
		if (final) {
			if (path[len - 1] == '/' && !S_ISDIR(next->i_mode)) {
				iput(next);
				return -ENOTDIR;
			}
			*out = next;
			return 0;
		}
		iput(w->dir);
		w->dir = next;
	}
}

int path_lookup(const char *path, unsigned int flags, struct inode **out, const char **last,
		size_t *last_len)
{
	struct walk w = { .dir = root_inode };
	size_t len;
	int ret;

	if (!root_inode)
		return -ENOENT;
	len = strnlen(path, PATH_MAX);
	if (len == PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	iget(w.dir);
	ret = walk_path(&w, path, len, flags, out, last, last_len);
	iput(w.dir);
	return ret;
}

/*
 * Path names as strings, for the working directory: a process's cwd is kept as an absolute
 * name (fs/sys_open.c: chdir stores it, get_path puts it in front of a relative path), not
 * as an inode, so the VFS only ever walks absolute paths. path_join_cwd makes "rel" into
 * "cwd/rel" in place; path_normalize turns a name into its canonical form (no "//", "." or
 * ".."), which is what getcwd returns. ".." is worked out on the name, as a shell's logical
 * "cd" does: the two agree because the tree has no mounts and no hard links to directories;
 * a symlink in the cwd is kept by name (docs/fs.md, "the working directory").
 * Pure string code: unit-tested on the host.
 */
#include <fs/fs.h>
#include <lib/errno.h>
#include <mm/slab.h>

int path_join_cwd(char *buf, size_t len, const char *cwd)
{
	size_t clen = strlen(cwd);

	if (buf[0] == '/')
		return 0;
	if (clen + 1 + len + 1 > PATH_MAX)
		return -ENAMETOOLONG;
	memmove(buf + clen + 1, buf, len + 1);
	memcpy(buf, cwd, clen);
	buf[clen] = '/';
	return 0;
}

char *path_normalize(const char *path)
{
	char *out = kmalloc(strlen(path) + 2, GFP_KERNEL);
	size_t len = 0;		/* out[0, len) is "/a/b", no slash at the end */

	if (!out)
		return NULL;
	while (*path) {
		const char *name;
		size_t n;

		while (*path == '/')
			path++;
		name = path;
		while (*path && *path != '/')
			path++;
		n = (size_t)(path - name);
		if (!n || (n == 1 && name[0] == '.'))
			continue;
		if (n == 2 && name[0] == '.' && name[1] == '.') {
			while (len && out[len - 1] != '/')
				len--;
			if (len)
				len--;	/* "/a/b" -> "/a"; the root's ".." is the root */
			continue;
		}
		out[len++] = '/';
		memcpy(out + len, name, n);
		len += n;
	}
	if (!len)
		out[len++] = '/';
	out[len] = 0;
	return out;
}

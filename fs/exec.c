/*
 * execve: replace the caller's program. The file is read whole into a vmalloc buffer
 * (the ramfs has it in memory anyway; with a page cache this becomes mapping the file),
 * fs/binfmt_elf.c builds a complete new address space from it, and only when that worked
 * is there a point of no return: begin_new_exec (kernel/process.c) swaps the address
 * spaces, resets signal handlers and the FPU, and points the registers at the entry;
 * files marked close-on-exec are closed. Any failure before leaves the caller untouched
 * with an error (-ENOENT, -EACCES, -ENOEXEC for a file that is no valid ELF, -E2BIG ...).
 * The argument and environment strings are copied from the old program into the kernel
 * first (at most ARG_MAX bytes in all, as pointers plus strings), since its memory goes.
 * kernel_execve is the same for a kernel thread becoming a process (init=, the shell's
 * `run`): it gives the thread signals, an FPU area and stdin/stdout/stderr on
 * /dev/console, then leaves for user mode through start_user.
 */
#define pr_fmt(fmt) "exec: " fmt

#include <asm/uaccess.h>
#include <asm/x86.h>
#include <fs/elf.h>
#include <fs/fs.h>
#include <kernel/printk.h>
#include <kernel/process.h>
#include <kernel/syscalls.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/mmu_context.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>

#define ARG_MAX		(128u << 10)	/* bytes of argv + envp, pointers included */
#define MAX_ARG_COUNT	4096
#define EXEC_MAX_SIZE	(64u << 20)	/* the largest executable we read */

/* The whole file at @path in a vmalloc buffer (vfree it). */
static void *read_file(const char *path, size_t *len, int *err)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	struct stat st;
	loff_t pos = 0;
	void *buf = NULL;

	if (IS_ERR(f)) {
		*err = (int)PTR_ERR(f);
		return NULL;
	}
	*err = vfs_fstat(f, &st);
	/* As Linux: a directory, a device or a file without an x bit is -EACCES. */
	if (!*err && (!S_ISREG(st.st_mode) || !(st.st_mode & 0111)))
		*err = -EACCES;
	else if (!*err && (st.st_size <= 0 || st.st_size > EXEC_MAX_SIZE))
		*err = -ENOEXEC;
	if (!*err) {
		buf = vmalloc((size_t)st.st_size);
		if (!buf)
			*err = -ENOMEM;
		else if (kernel_read(f, buf, (size_t)st.st_size, &pos) != st.st_size)
			*err = -EIO;
	}
	fput(f);
	if (*err) {
		vfree(buf);
		return NULL;
	}
	*len = (size_t)st.st_size;
	return buf;
}

/* Load @path into a new address space and make it the caller's; @regs starts it. */
static int do_execve(const char *path, const char *const argv[], const char *const envp[],
		     struct pt_regs *regs)
{
	struct elf_load_result res;
	struct mm_struct *mm;
	size_t len;
	int err;
	void *image = read_file(path, &len, &err);

	if (!image)
		return err;
	mm = mm_alloc();
	err = mm ? load_elf_binary(mm, image, len, argv, envp, path, &res) : -ENOMEM;
	vfree(image);
	if (err) {
		if (mm)
			mm_destroy(mm);
		return err;
	}
	begin_new_exec(mm, path, regs, res.entry, res.sp);
	files_close_on_exec(current->files);
	return 0;
}

int kernel_execve(const char *path, const char *const argv[], const char *const envp[])
{
	struct pt_regs regs;
	int err = process_init_kthread(current);

	if (!err)
		err = do_execve(path, argv, envp, &regs);
	if (err)
		return err;
	local_irq_disable();
	start_user(&regs);
}

/* ---- execve(path, argv, envp) from user space ------------------------------------------- */

/*
 * Copy a NULL-terminated user array of strings into @buf (pointers first, then strings),
 * using at most *@room bytes; the kernel array's address, or an ERR_PTR.
 */
static const char **copy_strings(const char __user *const __user *uarr, char **buf, size_t *room)
{
	const char **arr = (const char **)*buf;
	size_t n = 0;
	char *s;

	if (!uarr) {		/* Linux takes a NULL argv or envp as empty */
		if (*room < sizeof(char *))
			return ERR_PTR(-E2BIG);
		arr[0] = NULL;
		*buf += sizeof(char *);
		*room -= sizeof(char *);
		return arr;
	}
	for (;; n++) {		/* count them: the pointers go first */
		uint64_t p;

		if (n >= MAX_ARG_COUNT)
			return ERR_PTR(-E2BIG);
		if (get_user(p, (const uint64_t __user *)uarr + n))
			return ERR_PTR(-EFAULT);
		if (!p)
			break;
	}
	if ((n + 1) * sizeof(char *) > *room)
		return ERR_PTR(-E2BIG);
	s = *buf + (n + 1) * sizeof(char *);
	*room -= (n + 1) * sizeof(char *);
	for (size_t i = 0; i < n; i++) {
		uint64_t p;
		long l;

		if (get_user(p, (const uint64_t __user *)uarr + i))
			return ERR_PTR(-EFAULT);
		l = strncpy_from_user(s, (const char __user *)p, (long)*room);
		if (l < 0)
			return ERR_PTR(l == -ENAMETOOLONG ? -E2BIG : l);
		arr[i] = s;
		s += l + 1;
		*room -= (size_t)l + 1;
	}
	arr[n] = NULL;
	*buf = (char *)ALIGN_UP((uint64_t)s, sizeof(char *));
	*room = *room > (size_t)(*buf - s) ? *room - (size_t)(*buf - s) : 0;
	return arr;
}

long __x64_sys_execve(const struct pt_regs *cregs)
{
	struct pt_regs *regs = (struct pt_regs *)cregs;
	char *area = vmalloc(ARG_MAX + PATH_MAX), *buf = area + PATH_MAX;
	size_t room = ARG_MAX;
	const char **argv, **envp;
	const char *cwd = current->cwd ? current->cwd : "/";
	long err, n;

	if (!area)
		return -ENOMEM;
	/* The path, absolute: relative ones are joined to the working directory. */
	n = strncpy_from_user(area, (const char __user *)regs->rdi, PATH_MAX);
	err = n < 0 ? n : n == 0 ? -ENOENT : 0;
	if (!err && area[0] != '/') {
		size_t clen = strlen(cwd);

		if (clen + 1 + (size_t)n + 1 > PATH_MAX) {
			err = -ENAMETOOLONG;
		} else {
			memmove(area + clen + 1, area, (size_t)n + 1);
			memcpy(area, cwd, clen);
			area[clen] = '/';
		}
	}
	argv = err ? NULL : copy_strings((const void __user *)regs->rsi, &buf, &room);
	if (!err && IS_ERR(argv))
		err = PTR_ERR(argv);
	envp = err ? NULL : copy_strings((const void __user *)regs->rdx, &buf, &room);
	if (!err && IS_ERR(envp))
		err = PTR_ERR(envp);
	if (!err)
		err = do_execve(area, argv, envp, regs);
	vfree(area);
	return err;	/* 0: rax of the new program starts at 0 */
}

/* ---- start a program from the kernel ----------------------------------------------------- */

struct spawn_args {
	char path[256];
	const char *const *argv;
	const char *const *envp;
};

static int spawn_fn(void *data)
{
	struct spawn_args *a = data;
	int err = kernel_execve(a->path, a->argv, a->envp);

	/* Only a failed exec returns; the thread is a process without a program. */
	pr_err("cannot run %s: %s\n", a->path, strerror(-err));
	kfree(a);
	return err == -ENOENT ? 127 : 126;	/* sh's "not found" and "cannot execute" */
}

int kernel_spawn(const char *path, const char *const argv[], const char *const envp[])
{
	struct spawn_args *a = kzalloc(sizeof(*a), GFP_KERNEL);
	int pid;

	if (!a)
		return -ENOMEM;
	strscpy(a->path, path, sizeof(a->path));
	a->argv = argv;
	a->envp = envp;
	pid = kernel_spawn_fn(spawn_fn, a, path);
	if (pid < 0)
		kfree(a);
	return pid;
}

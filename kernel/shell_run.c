/*
 * The kernel shell's way into user space: `run PROGRAM [ARGS...]` starts a program from the
 * initramfs as a child of the shell (a kernel thread that execs it, with stdin, stdout and
 * stderr on /dev/console), waits for it and says how it ended when that was not exit
 * status 0, as a shell's $? would:
 *   teachos# run segv
 *   segv[9]: segfault at 0 ip 0000000000401016 sp 00007ffffffdec58 error 6 in segv[401000+1000]
 *   run: /bin/segv: killed by signal 11 (SIGSEGV) (core dumped)
 * While it runs, what is typed goes to the program: the shell is blocked in kernel_wait4;
 * ^C sends SIGINT to the program and its children (kernel/console_input.c).
 * A name without '/' is looked up in /bin, as PATH=/bin would. A failed exec is the child's
 * exit status 127 (no such file) or 126 (cannot execute), as in sh; the reason is logged.
 * `init=/sbin/init` on the command line makes pid 1 itself exec a program instead of
 * running this shell (kernel/main.c).
 */
#include <kernel/console.h>
#include <kernel/process.h>
#include <kernel/shell.h>
#include <kernel/signal.h>
#include <lib/errno.h>
#include <lib/string.h>

#define RUN_MAX_ARGS	32

static int cmd_run(int argc, char **argv)
{
	static char path[256];
	const char *args[RUN_MAX_ARGS + 1];
	int pid, status = 0, ret;

	if (argc < 2 || argc > RUN_MAX_ARGS + 1)
		return -EINVAL;
	if (strchr(argv[1], '/')) {
		strscpy(path, argv[1], sizeof(path));
	} else {
		memcpy(path, "/bin/", 5);
		strscpy(path + 5, argv[1], sizeof(path) - 5);
	}
	for (int i = 1; i < argc; i++)
		args[i - 1] = argv[i];
	args[argc - 1] = NULL;
	pid = kernel_spawn(path, args, default_envp);
	if (pid < 0) {
		console_printf("run: %s: %s\n", path, strerror(-pid));
		return 0;
	}
	console_set_foreground(pid);	/* ^C now interrupts it */
	ret = kernel_wait4(pid, &status);
	console_set_foreground(0);
	if (ret != pid)
		console_printf("run: %s: wait4: %s\n", path, strerror(-ret));
	else if (status & 0x7f)
		console_printf("run: %s: killed by signal %d (SIG%s)%s\n", path, status & 0x7f,
			       signal_name(status & 0x7f), (status & 0x80) ? " (core dumped)" : "");
	else if (status >> 8)
		console_printf("run: %s: exit status %d\n", path, status >> 8);
	return 0;
}
SHELL_COMMAND(run, cmd_run, "run PROGRAM [ARGS...]",
	      "run a user program from the initramfs and wait for it");

/*
 * init: process 1 of user space. The kernel starts it first; it must never exit (Linux
 * panics when pid 1 dies, and so should we). Its jobs:
 *   1. print a banner;
 *   2. if the kernel passed it a program (init PROG ARGS..., from the command line), run
 *      that once, as a test would;
 *   3. run the shell /bin/sh with fork + execve + wait4, and start it again when it exits;
 *   4. reap every child that comes its way: orphans are re-parented to pid 1, and when one
 *      of them exits, only init's wait4(-1, ...) frees its zombie.
 * On a host (where we are not pid 1) it asks to be a "child subreaper" with prctl, so that
 * orphans come to it there too and the reaping can be tested. See docs/user.md.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *const init_envp[] = { "PATH=/bin", "HOME=/", "TERM=linux", NULL };

static void describe_exit(const char *what, int pid, int status)
{
	if (WIFEXITED(status))
		printf("init: %s (pid %d) exited with status %d\n", what, pid, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("init: %s (pid %d) killed by signal %d\n", what, pid, WTERMSIG(status));
}

/* fork + execve; returns the child's pid, or -1. The child never returns. */
static int spawn(char *const argv[])
{
	int pid = fork();

	if (pid < 0) {
		printf("init: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		execve(argv[0], argv, init_envp);
		printf("init: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Wait for @pid, reaping (and naming) every other child that exits meanwhile. */
static void wait_for(int pid, const char *what)
{
	for (;;) {
		int status;
		int got = wait4(-1, &status, 0, NULL);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return; /* ECHILD: nothing left to wait for */
		}
		if (got == pid) {
			describe_exit(what, got, status);
			return;
		}
		describe_exit("orphan", got, status);
	}
}

int main(int argc, char **argv)
{
	char *shell[] = { "/bin/sh", NULL };

	setvbuf(stdout, NULL, _IONBF, 0); /* every line out at once, in order with children's */
	printf("init: teachos user space, pid %d\n", (int)getpid());
	if (getpid() != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1);

	if (argc > 1) {
		int pid = spawn(argv + 1);

		if (pid > 0)
			wait_for(pid, argv[1]);
	}
	for (;;) {
		time_t started = time(NULL);
		int pid = spawn(shell);

		if (pid > 0)
			wait_for(pid, "shell");
		/* A shell that dies at once would make this loop spin: wait a second then. */
		if (pid < 0 || time(NULL) - started < 1) {
			struct timespec second = { 1, 0 };

			nanosleep(&second, NULL);
		}
		printf("init: restarting the shell\n");
	}
}

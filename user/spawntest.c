/*
 * spawntest: the ways libc starts a program and talks to it, checked one by one:
 *   posix_spawn   musl's uses clone(CLONE_VM | CLONE_VFORK) on a stack of its own and a
 *                 close-on-exec pipe: success reads end of file, a failed exec its errno
 *   vfork         the child borrows the parent's memory until it execs or _exits; the
 *                 parent sleeps meanwhile, so a value the child did not touch is intact
 *   system        runs "/bin/sh -c COMMAND" through posix_spawn and returns its status
 *   pipe          data in order, end of file once the last writer closes, 64 KiB through
 *                 the one-page ring with the writer sleeping, EPIPE (and SIGPIPE) with no
 *                 reader, ESPIPE for lseek and pread, EAGAIN for an empty O_NONBLOCK pipe,
 *                 F_GETFL's access modes
 * Each check prints "ok" or "FAIL"; the last line is "spawntest: PASS" (exit status 0)
 * only if every check passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static int failures;
static volatile sig_atomic_t sigpipes;

static void expect(const char *what, int ok)
{
	printf("spawntest: %-58s %s\n", what, ok ? "ok" : "FAIL");
	failures += !ok;
}

static int exit_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void test_spawn(void)
{
	char *argv[] = { "hello", "spawned", NULL };
	pid_t pid = 0;
	int err = posix_spawn(&pid, "/bin/hello", NULL, NULL, argv, environ);

	expect("posix_spawn(/bin/hello) succeeds", err == 0 && pid > 0);
	if (!err)
		expect("the spawned program exits 0", exit_status(pid) == 0);
	err = posix_spawn(&pid, "/bin/no-such-program", NULL, NULL, argv, environ);
	expect("posix_spawn(/bin/no-such-program) fails with ENOENT", err == ENOENT);
}

static void test_vfork(void)
{
	volatile int untouched = 42;
	pid_t pid = vfork();

	if (pid == 0)
		_exit(7);
	expect("vfork + _exit(7): the parent reaps status 7",
	       pid > 0 && exit_status(pid) == 7 && untouched == 42);
	pid = vfork();
	if (pid == 0) {
		execl("/bin/hello", "hello", "vforked", (char *)NULL);
		_exit(99);
	}
	expect("vfork + execve: the program runs, exits 0", pid > 0 && exit_status(pid) == 0);
}

static void test_system(void)
{
	int status = system("/bin/hello from-system");

	expect("system(\"/bin/hello from-system\") returns status 0",
	       WIFEXITED(status) && WEXITSTATUS(status) == 0);
	status = system("exit 3");
	expect("system(\"exit 3\") returns status 3", WIFEXITED(status) && WEXITSTATUS(status) == 3);
}

static void test_pipe(void)
{
	static char big[65536];
	char buf[256];
	struct stat st;
	int p[2], n, total = 0;
	pid_t pid;

	if (pipe(p)) {
		expect("pipe()", 0);
		return;
	}
	expect("fstat says a pipe is a FIFO", fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
	errno = 0;
	expect("lseek on a pipe fails with ESPIPE", lseek(p[0], 0, SEEK_SET) < 0 && errno == ESPIPE);
	errno = 0;
	expect("pread on a pipe fails with ESPIPE (a pipe has no position)",
	       pread(p[0], buf, 1, 0) < 0 && errno == ESPIPE);
	expect("F_GETFL: the ends are O_RDONLY and O_WRONLY",
	       fcntl(p[0], F_GETFL) == O_RDONLY && fcntl(p[1], F_GETFL) == O_WRONLY);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		for (int i = 0; i < 3; i++) {
			dprintf(p[1], "line %d\n", i);
			usleep(10000);	/* the reader sleeps and is woken each time */
		}
		_exit(0);
	}
	close(p[1]);
	while ((n = read(p[0], buf + total, sizeof(buf) - 1 - total)) > 0)
		total += n;
	buf[total] = 0;
	expect("three lines in order, then end of file",
	       n == 0 && !strcmp(buf, "line 0\nline 1\nline 2\n"));
	exit_status(pid);
	close(p[0]);

	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		memset(big, 'x', sizeof(big));
		_exit(write(p[1], big, sizeof(big)) == (ssize_t)sizeof(big) ? 0 : 1);
	}
	close(p[1]);
	total = 0;
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		total += n;
	expect("64 KiB through the 4 KiB pipe, all written and read",
	       total == (int)sizeof(big) && exit_status(pid) == 0);
	close(p[0]);

	signal(SIGPIPE, on_sigpipe);
	pipe(p);
	close(p[0]);
	errno = 0;
	n = (int)write(p[1], "a", 1);
	expect("write with no reader: EPIPE and one SIGPIPE", n < 0 && errno == EPIPE && sigpipes == 1);
	close(p[1]);

	pipe2(p, O_NONBLOCK | O_CLOEXEC);
	errno = 0;
	n = (int)read(p[0], buf, 1);
	expect("read of an empty O_NONBLOCK pipe: EAGAIN", n < 0 && errno == EAGAIN);
	expect("pipe2(O_CLOEXEC) sets FD_CLOEXEC on both ends",
	       fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_spawn();
	test_vfork();
	test_system();
	test_pipe();
	printf("spawntest: %s\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}

/*
 * pgrptest: process groups and sessions, and kill() to a group, checked one by one:
 *   ids        a program the kernel starts leads its own session and group; a child
 *              inherits both; setsid by a group leader is EPERM, by a child it makes a
 *              new session and group
 *   setpgid    a child moves into a group of its own (0, 0) and another child joins it;
 *              a group of another session, a group that does not exist (EPERM), a process
 *              that is not our child (ESRCH) and a child that has exec'd (EACCES) are
 *              refused
 *   kill       kill(-pgrp) reaches that group's members and nobody else, kill(0) the
 *              caller's own group; a group nobody is in, and INT_MIN, are ESRCH
 * Each check prints "ok" or "FAIL"; the last line is "pgrptest: PASS" (exit status 0)
 * only if every check passed. `pgrptest --wait` only sleeps (the exec'd child).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;
static volatile sig_atomic_t got_usr1, got_usr2;

static void expect(const char *what, int ok)
{
	printf("pgrptest: %-66s %s\n", what, ok ? "ok" : "FAIL");
	failures += !ok;
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1++;
	else
		got_usr2++;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * A child that waits up to 2 s for a signal and exits with 1 for SIGUSR1, 2 for SIGUSR2,
 * 0 for none. @own_group: it moves into a group of its own first. Its pipe tells the
 * parent it is ready.
 */
static pid_t waiter(int own_group)
{
	int fds[2];
	pid_t pid;
	char c = 0;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (own_group)
			setpgid(0, 0);
		write(fds[1], &c, 1);
		for (int i = 0; i < 200 && !got_usr1 && !got_usr2; i++)
			sleep_ms(10);
		_exit(got_usr1 ? 1 : got_usr2 ? 2 : 0);
	}
	close(fds[1]);
	read(fds[0], &c, 1);
	close(fds[0]);
	return pid;
}

static int exit_code(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_ids(void)
{
	pid_t me = getpid(), pid;
	int fds[2];
	char ok = 0;

	expect("started by the kernel: our own session and group leader",
	       getpgrp() == me && getsid(0) == me && getpgid(0) == me);
	expect("setsid by a group leader is EPERM", setsid() == -1 && errno == EPERM);
	if (pipe(fds))
		return;
	pid = fork();
	if (pid == 0) {
		/* Inherited ids first, then a session of its own: it is no group leader. */
		int inherited = getpgrp() == me && getsid(0) == me;
		pid_t sid = setsid();
		char r = inherited && sid == getpid() && getpgrp() == sid && getsid(0) == sid;

		write(fds[1], &r, 1);
		sleep_ms(300);		/* the parent tries to pull it back meanwhile */
		_exit(0);
	}
	close(fds[1]);
	read(fds[0], &ok, 1);
	close(fds[0]);
	expect("a child inherits both; its setsid makes a new session and group", ok);
	expect("getsid(child) is the child's new session", getsid(pid) == pid);
	expect("setpgid of a child in another session is EPERM",
	       setpgid(pid, me) == -1 && errno == EPERM);
	exit_code(pid);
}

static void test_setpgid_and_kill(void)
{
	pid_t a = waiter(1), b = waiter(0), c;

	expect("a child's setpgid(0, 0) makes a group of its own", getpgid(a) == a);
	expect("setpgid(child, group of another child) joins that group",
	       setpgid(b, a) == 0 && getpgid(b) == a);
	expect("setpgid to a group that does not exist is EPERM",
	       setpgid(b, 77777) == -1 && errno == EPERM);
	expect("setpgid of a process that is not our child is ESRCH",
	       setpgid(1, 1) == -1 && errno == ESRCH);
	c = waiter(0);			/* stays in our group */
	expect("kill(-group) is 0", kill(-a, SIGUSR1) == 0);
	expect("both members of the group got SIGUSR1", exit_code(a) == 1 && exit_code(b) == 1);
	expect("a child in another group got nothing", exit_code(c) == 0 && !got_usr1);

	a = waiter(1);
	c = waiter(0);
	expect("kill(0) is 0", kill(0, SIGUSR2) == 0);
	sleep_ms(50);
	expect("kill(0) reached us and our group's child, not the other group",
	       got_usr2 == 1 && exit_code(c) == 2 && (kill(a, SIGUSR1), exit_code(a)) == 1);
	expect("kill(-group) of a group nobody is in is ESRCH",
	       kill(-77777, 0) == -1 && errno == ESRCH);
	expect("kill(INT_MIN) is ESRCH", kill(INT_MIN, 0) == -1 && errno == ESRCH);
}

static void test_exec_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/pgrptest", "pgrptest", "--wait", (char *)NULL);
		_exit(127);
	}
	sleep_ms(200);			/* time to exec */
	expect("setpgid of a child that has exec'd is EACCES",
	       setpgid(pid, pid) == -1 && errno == EACCES);
	kill(pid, SIGTERM);
	exit_code(pid);
}

int main(int argc, char **argv)
{
	struct sigaction sa;

	if (argc > 1 && strcmp(argv[1], "--wait") == 0) {
		sleep_ms(2000);
		return 0;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	test_ids();
	test_setpgid_and_kill();
	test_exec_child();
	printf("pgrptest: %s\n", failures ? "FAIL" : "PASS");
	return failures != 0;
}

/*
 * oomtest: which process does the OOM killer take? `oomtest BIG ADJ1 SMALL ADJ2 GROW`
 * (sizes in MiB) forks two holders, "big" with BIG MiB and oom_score_adj ADJ1 and "small"
 * with SMALL MiB and ADJ2 (each writes its own /proc/self/oom_score_adj, then touches
 * every page and waits), prints what /proc says of each, then forks a grower that touches
 * GROW MiB and exits. When the three do not fit, the OOM killer must take one; afterwards
 * each child's fate is printed:
 *   oomtest: big pid 7 adj -500 rss_kb 24580 pte_kb 64 score 166
 *   oomtest: small pid 8 adj 500 rss_kb 12292 pte_kb 40 score 1097
 *   oomtest: grower pid 9 exited 0
 *   oomtest: big pid 7 survived
 *   oomtest: small pid 8 killed by signal 9
 * The survivors are ended with SIGTERM before oomtest exits, so all the memory comes back.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void touch(long mib)
{
	long bytes = mib << 20, page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("oomtest: mmap");
		_exit(3);
	}
	for (long off = 0; off < bytes; off += page)
		p[off] = 1;
}

static void set_adj(int adj)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "w");

	if (!f || fprintf(f, "%d\n", adj) < 0 || fclose(f) != 0) {
		perror("oomtest: /proc/self/oom_score_adj");
		_exit(3);
	}
}

/* A child that holds @mib MiB with @adj until a signal ends it; returns once it holds them. */
static pid_t holder(long mib, int adj)
{
	int fds[2];
	char c = 0;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		set_adj(adj);
		touch(mib);
		if (write(fds[1], "r", 1) != 1)
			_exit(3);
		for (;;)
			sleep(1000);	/* until a signal ends it */
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &c, 1) != 1)
		fprintf(stderr, "oomtest: holder %d died before it was ready\n", (int)pid);
	close(fds[0]);
	return pid;
}

/* A number from /proc/PID/NAME: the first after @key on its line ("" for the whole file). */
static long proc_number(pid_t pid, const char *name, const char *key)
{
	char path[64], line[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0) {
			v = strtol(line + strlen(key), NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static void describe(const char *what, pid_t pid)
{
	printf("oomtest: %s pid %d adj %ld rss_kb %ld pte_kb %ld score %ld\n", what, (int)pid,
	       proc_number(pid, "oom_score_adj", ""), proc_number(pid, "status", "VmRSS:"),
	       proc_number(pid, "status", "VmPTE:"), proc_number(pid, "oom_score", ""));
}

static void fate(const char *what, pid_t pid, int status)
{
	if (WIFSIGNALED(status))
		printf("oomtest: %s pid %d killed by signal %d\n", what, (int)pid, WTERMSIG(status));
	else
		printf("oomtest: %s pid %d exited %d\n", what, (int)pid, WEXITSTATUS(status));
}

int main(int argc, char **argv)
{
	const char *names[2] = { "big", "small" };
	pid_t pids[2], grower;
	int status;

	if (argc != 6) {
		fprintf(stderr, "usage: oomtest BIG_MIB BIG_ADJ SMALL_MIB SMALL_ADJ GROW_MIB\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 0; i < 2; i++) {
		pids[i] = holder(atol(argv[1 + 2 * i]), atoi(argv[2 + 2 * i]));
		if (pids[i] < 0) {
			perror("oomtest: fork");
			return 1;
		}
		describe(names[i], pids[i]);
	}
	grower = fork();
	if (grower == 0) {
		touch(atol(argv[5]));
		_exit(0);
	}
	waitpid(grower, &status, 0);
	fate("grower", grower, status);
	for (int i = 0; i < 2; i++) {
		if (waitpid(pids[i], &status, WNOHANG) == pids[i]) {
			fate(names[i], pids[i], status);
			continue;
		}
		printf("oomtest: %s pid %d survived\n", names[i], (int)pids[i]);
		kill(pids[i], SIGTERM);
		waitpid(pids[i], &status, 0);
	}
	return 0;
}

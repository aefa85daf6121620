/*
 * sh: a small shell. It reads a line, splits it into words, and either runs a builtin
 * (exit, cd, pwd, echo, kill) or starts a program the Unix way: fork, then execve in the
 * child, then wait4 in the parent. That is all a shell is; the rest is convenience.
 *
 * Words are separated by blanks; '...' and "..." quote blanks (no escapes inside). "$?"
 * expands to the status of the last command. A trailing "&" runs the command in the
 * background (its end is reported before the next prompt); "> FILE" sends its output to
 * FILE. A command without a '/' is looked up in /bin (PATH=/bin, fixed). As bash does, a
 * child killed by a signal is reported ("Segmentation fault", "Killed") and $? is then
 * 128 + the signal number; a missing program gives "sh: NAME: not found" and $? = 127.
 * ^C: there is no job control (the console has no foreground group), so, as POSIX asks of
 * such a shell, an interactive sh ignores SIGINT itself and so do its background
 * commands, while a foreground command gets SIGINT's default action back before it
 * execs: the kernel's ^C reaches every process of the console (kernel/console_input.c),
 * and only the foreground command ends.
 * `sh -c 'COMMAND'` runs one line and exits with its status, as libc's system() asks.
 * Limits: no pipes, no variables but $?, no globbing, lines of up to 1023 bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORDS 64

extern char **environ;
static int last_status; /* $? */

/* The messages bash prints for a child killed by a signal. */
static const char *signal_message(int sig)
{
	switch (sig) {
	case SIGHUP: return "Hangup";
	case SIGILL: return "Illegal instruction";
	case SIGABRT: return "Aborted";
	case SIGBUS: return "Bus error";
	case SIGFPE: return "Floating point exception";
	case SIGKILL: return "Killed";
	case SIGSEGV: return "Segmentation fault";
	case SIGTERM: return "Terminated";
	default: return NULL;
	}
}

/* Turn a wait status into $?, printing what bash prints for a signal. */
static int report(int status)
{
	if (WIFSIGNALED(status)) {
		const char *msg = signal_message(WTERMSIG(status));

		if (msg)
			printf("%s\n", msg);
		else if (WTERMSIG(status) != SIGINT && WTERMSIG(status) != SIGPIPE)
			printf("Killed by signal %d\n", WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

/*
 * Split @line in place into words; returns how many. Quotes are removed; a word made of
 * "$?" becomes the last status (in @status_text).
 */
static int split(char *line, char **words, char *status_text)
{
	int n = 0;
	char *in = line;

	while (n < MAX_WORDS - 1) {
		while (*in == ' ' || *in == '\t' || *in == '\n')
			in++;
		if (!*in)
			break;
		char *out = in, *word = in;

		while (*in && *in != ' ' && *in != '\t' && *in != '\n') {
			if (*in == '\'' || *in == '"') {
				char quote = *in++;

				while (*in && *in != quote)
					*out++ = *in++;
				if (*in)
					in++;
			} else {
				*out++ = *in++;
			}
		}
		if (*in)
			in++;
		*out = '\0';
		words[n++] = strcmp(word, "$?") ? word : status_text;
	}
	words[n] = NULL;
	return n;
}

/* kill [-SIGNAL] PID...: SIGNAL a number or a name without "SIG" (TERM by default). */
static int kill_builtin(char **argv, int argc)
{
	static const struct { const char *name; int sig; } names[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 },
		{ "SEGV", SIGSEGV }, { "USR2", SIGUSR2 }, { "TERM", SIGTERM },
	};
	int sig = SIGTERM, i = 1, status = 0;

	if (argc > 1 && argv[1][0] == '-') {
		const char *s = argv[1] + 1;
		char *end;

		sig = (int)strtol(s, &end, 10);
		if (!*s || *end) {
			sig = -1;
			for (unsigned n = 0; n < sizeof(names) / sizeof(names[0]); n++)
				if (!strcmp(s, names[n].name) ||
				    (!strncmp(s, "SIG", 3) && !strcmp(s + 3, names[n].name)))
					sig = names[n].sig;
		}
		if (sig < 0) {
			printf("sh: kill: %s: invalid signal specification\n", s);
			return 1;
		}
		i = 2;
	}
	if (i >= argc) {
		printf("kill: usage: kill [-SIGNAL] PID...\n");
		return 2;
	}
	for (; i < argc; i++)
		if (kill(atoi(argv[i]), sig) < 0) {
			printf("sh: kill: (%s) - %s\n", argv[i], strerror(errno));
			status = 1;
		}
	return status;
}

static int builtin(char **argv, int argc)
{
	if (!strcmp(argv[0], "exit"))
		exit(argc > 1 ? atoi(argv[1]) : last_status);
	if (!strcmp(argv[0], "cd")) {
		if (chdir(argc > 1 ? argv[1] : "/") < 0) {
			printf("sh: cd: %s: %s\n", argc > 1 ? argv[1] : "/", strerror(errno));
			return 1;
		}
		return 0;
	}
	if (!strcmp(argv[0], "pwd")) {
		char cwd[256];

		if (!getcwd(cwd, sizeof(cwd))) {
			printf("sh: pwd: %s\n", strerror(errno));
			return 1;
		}
		printf("%s\n", cwd);
		return 0;
	}
	if (!strcmp(argv[0], "echo")) {
		for (int i = 1; i < argc; i++)
			printf("%s%s", argv[i], i + 1 < argc ? " " : "");
		printf("\n");
		return 0;
	}
	if (!strcmp(argv[0], "kill"))
		return kill_builtin(argv, argc);
	return -1; /* not a builtin */
}

/* The child's half: redirect, then run the builtin or become the program. Never returns. */
static void child(char **argv, const char *out_file, int background)
{
	char path[256];

	signal(SIGINT, background ? SIG_IGN : SIG_DFL);	/* exec keeps SIG_IGN */
	if (out_file) {
		int fd = open(out_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0) {
			printf("sh: %s: %s\n", out_file, strerror(errno));
			_exit(1);
		}
		dup2(fd, 1);
		close(fd);
	}
	/* A builtin redirected or in the background runs here, in the child, as bash's do. */
	int argc = 0, status;

	while (argv[argc])
		argc++;
	status = builtin(argv, argc);
	if (status >= 0) {
		fflush(stdout);
		_exit(status);
	}
	if (strchr(argv[0], '/'))
		snprintf(path, sizeof(path), "%s", argv[0]);
	else
		snprintf(path, sizeof(path), "/bin/%s", argv[0]);
	execve(path, argv, environ);
	if (errno == ENOENT)
		fprintf(stderr, "sh: %s: not found\n", argv[0]);
	else
		fprintf(stderr, "sh: %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static void run(char **argv, int argc)
{
	const char *out_file = NULL;
	int background = 0;

	if (argc > 0 && !strcmp(argv[argc - 1], "&")) {
		background = 1;
		argv[--argc] = NULL;
	}
	if (argc > 2 && !strcmp(argv[argc - 2], ">")) {
		out_file = argv[argc - 1];
		argc -= 2;
		argv[argc] = NULL;
	}
	if (argc == 0)
		return;
	if (!out_file && !background) {
		int status = builtin(argv, argc);

		if (status >= 0) {
			last_status = status;
			return;
		}
	}
	fflush(stdout);
	int pid = fork();

	if (pid < 0) {
		printf("sh: fork: %s\n", strerror(errno));
		last_status = 1;
		return;
	}
	if (pid == 0)
		child(argv, out_file, background);
	if (background) {
		printf("[%d]\n", pid);
		last_status = 0;
		return;
	}
	int status;

	while (wait4(pid, &status, 0, NULL) < 0) {
		if (errno != EINTR) {
			last_status = 1;
			return;
		}
	}
	last_status = report(status);
}

/* Report background commands that have ended, as bash does before a prompt. */
static void reap_background(void)
{
	int status, pid;

	while ((pid = wait4(-1, &status, WNOHANG, NULL)) > 0) {
		printf("[%d] Done (status %d)\n", pid, report(status));
	}
}

int main(int argc, char **argv)
{
	char line[1024], status_text[16];
	char *words[MAX_WORDS];
	int interactive = isatty(0);

	/* sh -c 'COMMAND': one line, then exit with its status (what system() and popen run). */
	if (argc > 2 && !strcmp(argv[1], "-c")) {
		snprintf(line, sizeof(line), "%s", argv[2]);
		snprintf(status_text, sizeof(status_text), "0");
		run(words, split(line, words, status_text));
		fflush(stdout);
		return last_status;
	}

	if (interactive)
		signal(SIGINT, SIG_IGN);	/* ^C is for the command running, not for us */
	for (;;) {
		reap_background();
		if (interactive) {
			printf("$ ");
			fflush(stdout);
		}
		if (!fgets(line, sizeof(line), stdin))
			return last_status;
		snprintf(status_text, sizeof(status_text), "%d", last_status);
		int argc = split(line, words, status_text);

		run(words, argc);
		fflush(stdout);
	}
}

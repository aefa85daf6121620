/*
 * `watch [-n SECONDS] [-d] COMMAND [ARGS...]`, as procps' watch: run a shell command every
 * SECONDS (2 by default), clear the screen and show its output under a header line; with
 * -d, the characters that changed since the previous run are shown in reverse video. q or
 * ^C ends it. The course's `watch -n 5 -d free -m` works as written. The command's output
 * is caught (console_capture_begin) so that two runs can be compared.
 */
#include <kernel/console.h>
#include <kernel/shell.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/getopt.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/vmalloc.h>

#define WATCH_OUTPUT_MAX	8192
#define CTRL_C			0x03

/* @now, with the bytes that differ from @before (at the same offset) in reverse video. */
static void show_diff(const char *now, const char *before)
{
	size_t blen = strlen(before), start = 0, i;
	bool on = false;

	for (i = 0; now[i]; i++) {
		bool changed = now[i] != '\n' && (i >= blen || before[i] != now[i]);

		if (changed == on)
			continue;
		console_write(now + start, i - start);
		console_puts(changed ? "\033[7m" : "\033[0m");
		on = changed;
		start = i;
	}
	console_write(now + start, i - start);
	if (on)
		console_puts("\033[0m");
}

static int cmd_watch(int argc, char **argv)
{
	struct getopt g = GETOPT_INIT;
	unsigned int seconds = 2;
	char *out, *prev, header[160];
	bool diff = false;
	int opt, n = 0;

	while ((opt = getopt_next(&g, argc, argv, "n:d", NULL)) != -1) {
		if (opt == 'd') {
			diff = true;
		} else if (opt == 'n' && !kstrtouint(g.optarg, 10, &seconds) && seconds) {
			continue;
		} else {
			console_puts("Usage: watch [-n SECONDS] [-d] COMMAND [ARGS...]\n");
			return 0;
		}
	}
	if (g.optind == argc || !shell_has_command(argv[g.optind])) {
		console_printf("watch: %s: command not found\n",
			       g.optind < argc ? argv[g.optind] : "(none)");
		return 0;
	}
	for (int i = g.optind; i < argc; i++)	/* "Every 5s: free -m" */
		n += snprintf(header + n, sizeof(header) - (size_t)n, " %s", argv[i]);
	out = vmalloc(WATCH_OUTPUT_MAX);
	prev = vmalloc(WATCH_OUTPUT_MAX);
	if (!out || !prev) {
		vfree(out);
		vfree(prev);
		return -ENOMEM;
	}
	prev[0] = '\0';
	for (;;) {
		uint64_t up = ktime_get_ns() / 1000000000ull;
		int c;

		console_capture_begin(out, WATCH_OUTPUT_MAX);
		shell_exec_argv(argc - g.optind, argv + g.optind);
		console_capture_end();
		console_printf("\033[H\033[2JEvery %us:%s%*steachos: up %llus\n\n", seconds,
			       header, MAX(1, 50 - n), "", (unsigned long long)up);
		if (diff)
			show_diff(out, prev);
		else
			console_puts(out);
		memcpy(prev, out, strlen(out) + 1);
		c = console_getc_timeout(seconds * 1000);
		if (c == 'q' || c == CTRL_C)
			break;
	}
	vfree(out);
	vfree(prev);
	return 0;
}
SHELL_COMMAND(watch, cmd_watch, "watch [-n SECONDS] [-d] COMMAND [ARGS...]",
	      "run a command every SECONDS and show its output, -d marks changes (as procps)");

/*
 * The kernel shell on the console: read a line with simple editing (backspace,
 * Ctrl-U to erase the line, Ctrl-C to abandon it, up/down arrows for history),
 * split it into words and run the command of that name from the table the linker
 * builds (include/kernel/shell.h). Output goes to the consoles directly, not to the
 * kernel log, so `dmesg` shows only what the kernel said.
 */
#include <asm/x86.h>
#include <kernel/console.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/time.h>
#include <lib/args.h>
#include <lib/errno.h>
#include <lib/string.h>

#define LINE_MAX	256
#define MAX_ARGS	16
#define HISTORY		16

extern const struct shell_cmd __shell_cmds_start[], __shell_cmds_end[];

static char history[HISTORY][LINE_MAX];
static unsigned int history_count;	/* lines ever added; the newest is (count-1) % HISTORY */

static const struct shell_cmd *find_cmd(const char *name)
{
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

bool shell_has_command(const char *name)
{
	return find_cmd(name) != NULL;
}

int shell_exec_argv(int argc, char **argv)
{
	const struct shell_cmd *cmd;
	int ret;

	if (argc == 0)
		return 0;
	cmd = find_cmd(argv[0]);
	if (!cmd) {
		console_printf("%s: command not found (try 'help')\n", argv[0]);
		return -ENOENT;
	}
	if (argc > MAX_ARGS) {
		console_printf("%s: too many arguments\nusage: %s\n", argv[0], cmd->usage);
		return -E2BIG;
	}
	ret = cmd->fn(argc, argv);
	if (ret == -EINVAL)
		console_printf("usage: %s\n", cmd->usage);
	return ret;
}

int shell_execute(char *line)
{
	char *argv[MAX_ARGS + 2];	/* +1 to notice too many, +1 for the NULL after them */
	int argc = split_args(line, argv, MAX_ARGS + 1);

	argv[argc] = NULL;
	return shell_exec_argv(argc, argv);
}

static void history_add(const char *line)
{
	if (!*line || (history_count &&
		       strcmp(history[(history_count - 1) % HISTORY], line) == 0))
		return;
	strscpy(history[history_count % HISTORY], line, LINE_MAX);
	history_count++;
}

/* Replace what is on the line with @text (for history recall). */
static void redraw(char *buf, unsigned int *len, const char *text)
{
	while (*len) {
		console_puts("\b \b");
		(*len)--;
	}
	strscpy(buf, text, LINE_MAX);
	*len = strlen(buf);
	console_puts(buf);
}

/*
 * Handle an escape sequence after ESC: only "[A" (up) and "[B" (down) do something; the
 * others (Delete's "[3~", Home's "[H" ...) are read whole and ignored.
 * @back counts how far into the history we are (0 = the line being typed).
 */
static void handle_escape(char *buf, unsigned int *len, unsigned int *back)
{
	int c1 = console_getc(), c2;
	unsigned int avail = MIN(history_count, HISTORY);

	if (c1 != '[')
		return;
	c2 = console_getc();
	/* ESC [ 3 ~ (Delete), ESC [ 5 ~ (PgUp) ...: skip the parameters, ignore the key */
	for (int i = 0; i < 8 && ((c2 >= '0' && c2 <= '9') || c2 == ';'); i++)
		c2 = console_getc();
	if (c2 == 'A' && *back < avail) {
		(*back)++;
		redraw(buf, len, history[(history_count - *back) % HISTORY]);
	} else if (c2 == 'B' && *back > 0) {
		(*back)--;
		redraw(buf, len, *back ? history[(history_count - *back) % HISTORY] : "");
	}
}

/* Read one line into @buf; returns false when the user abandoned it with Ctrl-C. */
static bool read_line(char *buf)
{
	unsigned int len = 0, back = 0;
	static bool last_was_cr;

	for (;;) {
		int c = console_getc();

		if (c == '\n' && last_was_cr) {	/* CR LF from a terminal: one Enter */
			last_was_cr = false;
			continue;
		}
		last_was_cr = c == '\r';
		switch (c) {
		case '\r':
		case '\n':
			console_puts("\n");
			buf[len] = '\0';
			return true;
		case 0x03:	/* Ctrl-C */
			console_puts("^C\n");
			return false;
		case 0x08:
		case 0x7f:	/* backspace / delete */
			if (len) {
				len--;
				console_puts("\b \b");
			}
			break;
		case 0x15:	/* Ctrl-U */
			redraw(buf, &len, "");
			break;
		case 0x1b:
			handle_escape(buf, &len, &back);
			break;
		default:
			if (c >= 0x20 && c < 0x7f && len < LINE_MAX - 1) {
				char ch = c;

				buf[len++] = ch;
				console_write(&ch, 1);
			}
		}
	}
}

void shell_run(void)
{
	static char line[LINE_MAX];
	char copy[LINE_MAX];

	pr_info("shell: ready after %llu TSC ticks since kernel entry (%llu us)\n",
		(unsigned long long)(rdtsc() - tsc_at_boot),
		(unsigned long long)(ktime_get_ns() / NSEC_PER_USEC));
	console_puts("\nType 'help' for the list of commands.\n");
	for (;;) {
		console_puts("teachos# ");
		if (!read_line(line))
			continue;
		history_add(line);
		strscpy(copy, line, sizeof(copy));	/* the parser writes into the line */
		shell_execute(copy);
	}
}

static int cmd_help(int argc, char **argv)
{
	const struct shell_cmd *c;

	if (argc > 2)
		return -EINVAL;
	if (argc == 2) {
		c = find_cmd(argv[1]);
		if (!c) {
			console_printf("help: no command '%s'\n", argv[1]);
			return -ENOENT;
		}
		console_printf("%s - %s\nusage: %s\n", c->name, c->help, c->usage);
		return 0;
	}
	for (c = __shell_cmds_start; c < __shell_cmds_end; c++)
		console_printf("  %-12s %s\n", c->name, c->help);
	return 0;
}
SHELL_COMMAND(help, cmd_help, "help [command]", "list the commands, or explain one");

static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		console_printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	console_puts("\n");
	return 0;
}
SHELL_COMMAND(echo, cmd_echo, "echo [word ...]", "print the words");

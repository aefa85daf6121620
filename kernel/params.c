/*
 * The kernel command line: "loglevel=7 ktest=all ...". Each word is looked up in
 * the table the linker gathers from KERNEL_PARAM() declarations (the .kernel_params
 * section); its setter validates the value. Bad input never stops the boot: an
 * invalid value is reported with what was expected and ignored, unknown words are
 * reported together in one line, as Linux does. sysctl.NAME=VALUE sets a tunable by
 * its sysctl name (kernel/sysctl.c), as Linux 5.8 and later accept. A bare "--" ends
 * the kernel's part: the words after it are arguments for init (init_args), as on Linux.
 */
#define pr_fmt(fmt) "cmdline: " fmt

#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/sysctl.h>
#include <lib/args.h>
#include <lib/printf.h>
#include <lib/errno.h>
#include <lib/string.h>

char saved_command_line[CMDLINE_MAX];
char *init_args;

extern const struct kernel_param __kernel_params_start[], __kernel_params_end[];

static const struct kernel_param *find_param(const char *name, const struct kernel_param *params,
					     size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(params[i].name, name) == 0)
			return &params[i];
	return NULL;
}

/* A flag parameter: exactly its one value (or the bare word) turns the bool on. */
static int set_flag(const struct kernel_param *p, const char *val)
{
	if (p->flag_value ? !val || strcmp(val, p->flag_value) != 0 : val != NULL)
		return -EINVAL;
	*p->flag = true;
	return 0;
}

int parse_params(char *line, const struct kernel_param *params, size_t n, char **rest)
{
	char unknown[256] = "";
	int len = 0, problems = 0;
	char *param, *val;

	for (line = next_arg(line, &param, &val); param; line = next_arg(line, &param, &val)) {
		const struct kernel_param *p = find_param(param, params, n);

		if (rest && !val && strcmp(param, "--") == 0) {
			*rest = line;
			break;
		}

		/* sysctl.NAME=VALUE: a tunable set before anything reads it (kernel/sysctl.c). */
		if (!p && strncmp(param, "sysctl.", 7) == 0) {
			int err = sysctl_write(param + 7, val);

			if (err) {
				pr_err("%s '%s' for '%s'; ignored\n", err == -ENOENT ?
				       "no such sysctl, so no value" : "invalid value", val ? val : "",
				       param);
				problems++;
			}
			continue;
		}
		if (!p) {
			len += scnprintf(unknown + len, sizeof(unknown) - len, "%s%s%s%s",
					 len ? " " : "", param, val ? "=" : "", val ? val : "");
			problems++;
			continue;
		}
		if ((p->flag ? set_flag(p, val) : p->set(val)) != 0) {
			pr_err("invalid value '%s' for '%s': expected %s; ignored\n", val ? val : "",
			       param, p->usage);
			problems++;
		}
	}
	if (len)
		pr_warn("Unknown kernel command line parameters \"%s\", ignored.\n", unknown);
	return problems;
}

int parse_kernel_cmdline(const char *cmdline)
{
	static char work[CMDLINE_MAX];

	if (strlen(cmdline) >= CMDLINE_MAX)
		pr_warn("command line longer than %d bytes: truncated\n", CMDLINE_MAX - 1);
	strscpy(saved_command_line, cmdline, sizeof(saved_command_line));
	strscpy(work, saved_command_line, sizeof(work));
	printk(KERN_NOTICE "Command line: %s\n", saved_command_line);
	return parse_params(work, __kernel_params_start,
			    __kernel_params_end - __kernel_params_start, &init_args);
}

/*
 * Command-line splitting. One pass over the string, in place: a quote toggles
 * "inside quotes", where spaces do not end the argument; the quote characters are
 * squeezed out by copying the argument over itself. An unterminated quote runs to
 * the end of the line (the caller sees the rest as one argument).
 */
#include <lib/args.h>

static bool is_sep(char c) { return c == ' ' || c == '\t' || c == '\n'; }

char *next_arg(char *s, char **param, char **val)
{
	char *out, *eq = NULL;
	bool quoted = false;

	*param = NULL;
	*val = NULL;
	while (*s && is_sep(*s))
		s++;
	if (!*s)
		return s;
	*param = out = s;
	for (; *s && (quoted || !is_sep(*s)); s++) {
		if (*s == '"') {
			quoted = !quoted;
			continue;
		}
		if (*s == '=' && !eq && !quoted)
			eq = out;
		*out++ = *s;
	}
	if (*s)
		s++;	/* step over the separator that ended the argument */
	*out = '\0';
	if (eq) {
		*eq = '\0';
		*val = eq + 1;
	}
	return s;
}

int split_args(char *s, char **argv, int max)
{
	int n = 0;

	while (n < max) {
		char *param, *val;

		s = next_arg(s, &param, &val);
		if (!param)
			break;
		if (val)
			val[-1] = '=';	/* a shell word keeps its '=' */
		argv[n++] = param;
	}
	return n;
}

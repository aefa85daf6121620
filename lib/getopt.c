/*
 * getopt for the shell's commands (include/lib/getopt.h). One word at a time: a bundle of
 * short options is walked letter by letter with g->pos, a long option is matched exactly or
 * by a unique prefix. The first word that is not an option ("-" alone is not one) ends the
 * parse without being consumed; "--" ends it and is consumed.
 * Pure code: no console, no allocation; tests/host/test_getopt.c checks it on the host.
 */
#include <lib/getopt.h>
#include <lib/printf.h>
#include <lib/string.h>

static int fail(struct getopt *g, enum getopt_err err, int opt, const char *word)
{
	g->err = err;
	g->optopt = opt;
	g->badword = word;
	return '?';
}

/* The long option @word ("--name" or "--name=value") names, or NULL (g->err set). */
static const struct longopt *match_long(struct getopt *g, const char *word,
					const struct longopt *longopts)
{
	const char *name = word + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct longopt *found = NULL;
	int prefixes = 0;

	for (const struct longopt *o = longopts; o && o->name; o++) {
		if (strncmp(o->name, name, len) != 0)
			continue;
		if (strlen(o->name) == len)
			return o;	/* an exact match wins over any prefix match */
		found = o;
		prefixes++;
	}
	if (prefixes == 1)
		return found;
	fail(g, prefixes ? GETOPT_AMBIGUOUS : GETOPT_UNKNOWN, 0, word);
	return NULL;
}

static int next_long(struct getopt *g, int argc, char **argv, const struct longopt *longopts)
{
	char *word = argv[g->optind++];
	char *eq = strchr(word, '=');
	const struct longopt *o = match_long(g, word, longopts);

	if (!o)
		return '?';
	g->optarg = NULL;
	if (!o->has_arg) {
		if (eq)
			return fail(g, GETOPT_NO_ARG, 0, word);
		return o->val;
	}
	if (eq) {
		g->optarg = eq + 1;
	} else {
		if (g->optind >= argc)
			return fail(g, GETOPT_NEED_ARG, 0, word);
		g->optarg = argv[g->optind++];
	}
	return o->val;
}

/* Step past the letter just read: to the next letter, or to the next word. */
static void advance(struct getopt *g, const char *word)
{
	if (word[g->pos] == '\0') {
		g->optind++;
		g->pos = 0;
	}
}

/* The next letter of the bundle at argv[optind], from position g->pos. */
static int next_short(struct getopt *g, int argc, char **argv, const char *shortopts)
{
	char *word = argv[g->optind];
	int c = (unsigned char)word[g->pos++];
	const char *spec = c != ':' ? strchr(shortopts, c) : NULL;

	g->optarg = NULL;
	if (!spec) {
		advance(g, word);
		return fail(g, GETOPT_UNKNOWN, c, NULL);
	}
	if (spec[1] != ':') {
		advance(g, word);
		return c;
	}
	/* It takes an argument: the rest of this word ("-n5"), or the next word ("-n 5"). */
	g->optarg = word[g->pos] ? &word[g->pos] : NULL;
	g->optind++;
	g->pos = 0;
	if (g->optarg)
		return c;
	if (g->optind >= argc)
		return fail(g, GETOPT_NEED_ARG, c, NULL);
	g->optarg = argv[g->optind++];
	return c;
}

int getopt_next(struct getopt *g, int argc, char **argv, const char *shortopts,
		const struct longopt *longopts)
{
	g->err = GETOPT_OK;
	if (g->pos == 0) {
		char *word;

		if (g->optind >= argc)
			return -1;
		word = argv[g->optind];
		if (word[0] != '-' || word[1] == '\0')
			return -1;	/* an operand, or "-" */
		if (word[1] == '-' && word[2] == '\0') {
			g->optind++;
			return -1;	/* "--" */
		}
		if (word[1] == '-')
			return next_long(g, argc, argv, longopts);
		g->pos = 1;
	}
	return next_short(g, argc, argv, shortopts);
}

int getopt_error(const struct getopt *g, const char *prog, char *buf, size_t size)
{
	switch (g->err) {
	case GETOPT_UNKNOWN:
		if (g->badword)
			return scnprintf(buf, size, "%s: unrecognized option '%s'", prog,
					 g->badword);
		return scnprintf(buf, size, "%s: invalid option -- '%c'", prog, g->optopt);
	case GETOPT_NEED_ARG:
		if (g->badword)
			return scnprintf(buf, size, "%s: option '%s' requires an argument", prog,
					 g->badword);
		return scnprintf(buf, size, "%s: option requires an argument -- '%c'", prog,
				 g->optopt);
	case GETOPT_NO_ARG:
		return scnprintf(buf, size, "%s: option '%.*s' doesn't allow an argument", prog,
				 (int)(strchr(g->badword, '=') - g->badword), g->badword);
	case GETOPT_AMBIGUOUS:
		return scnprintf(buf, size, "%s: option '%s' is ambiguous", prog, g->badword);
	default:
		return scnprintf(buf, size, "%s: no error", prog);
	}
}

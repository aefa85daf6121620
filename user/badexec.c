/*
 * badexec: execve must refuse what is not a program, with the error Linux gives, and the
 * caller must go on running. Each case is one execve; the expected errno is in the table.
 * The broken files are made by user/Makefile.inc and packed in /test/badexec/:
 *   text           a text file with no "#!" (no script support): ENOEXEC
 *   empty          an empty file: ENOEXEC
 *   truncated      the first 64 bytes of an ELF file: program headers past the end: ENOEXEC
 *   wrong-machine  hello with e_machine = EM_386: ENOEXEC
 * and, made here: a file that does not exist (ENOENT), a directory (EACCES) and a path
 * through a regular file (ENOTDIR). Prints one line per case and "badexec: PASS" (exit 0)
 * only if every execve failed with its errno. `badexec DIR` looks for the files in DIR.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct bad_case {
	const char *file;	/* in the directory, or an absolute path */
	int want;		/* errno */
};

static const struct bad_case cases[] = {
	{ "text", ENOEXEC },
	{ "empty", ENOEXEC },
	{ "truncated", ENOEXEC },
	{ "wrong-machine", ENOEXEC },
	{ "no-such-file", ENOENT },
	{ "/", EACCES },
	{ "text/child", ENOTDIR },
};

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/test/badexec";
	char *envp[] = { NULL };
	int failures = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[256];
		char *args[] = { path, NULL };

		if (cases[i].file[0] == '/')
			snprintf(path, sizeof(path), "%s", cases[i].file);
		else
			snprintf(path, sizeof(path), "%s/%s", dir, cases[i].file);
		execve(path, args, envp);	/* returns only on failure */
		int ok = errno == cases[i].want;

		printf("badexec: execve(%s) failed: %s (%s%s) %s\n", path, strerror(errno),
		       ok ? "as expected" : "expected ", ok ? "" : strerror(cases[i].want),
		       ok ? "ok" : "FAIL");
		failures += !ok;
	}
	printf("badexec: %s\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}

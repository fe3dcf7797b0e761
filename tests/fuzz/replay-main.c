// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The plain-program side of the libFuzzer harnesses (built with -DEPDMA_FUZZ_REPLAY): runs
 * every file given on the command line, or in the directories given, through the harness's
 * LLVMFuzzerTestOneInput(), so the committed corpus is a regression test in every build,
 * sanitizers included.
 *
 * A harness may also define fuzz_replay_expect() to hold corpus files to what their names
 * promise (ok-* must be accepted, bad-* refused), and fuzz_replay_done() to free what it
 * kept between inputs. A harness that defines its own main() is built without this file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "replay.h"

/* Larger than any parser's own limit (profiles: 1 MiB), so oversized inputs are refused. */
#define REPLAY_MAX_BYTES ((1u << 20) + 1)

static int run_file(const char *path, uint8_t *buf)
{
	const char *base = strrchr(path, '/');
	size_t n;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, REPLAY_MAX_BYTES, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	base = base ? base + 1 : path;
	if (fuzz_replay_expect && fuzz_replay_expect(path, base, buf, n) < 0)
		return -1;
	return 0;
}

static int run_dir(const char *dir, uint8_t *buf, unsigned int *files)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char p[4096];

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (run_file(p, buf) < 0) {
			closedir(d);
			return -1;
		}
		(*files)++;
	}
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int files = 0;
	uint8_t *buf = malloc(REPLAY_MAX_BYTES);
	int ret = 0;

	if (!buf)
		return 1;
	for (int i = 1; i < argc && !ret; i++) {
		struct stat sb;

		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			ret = run_dir(argv[i], buf, &files);
		} else {
			ret = run_file(argv[i], buf);
			files++;
		}
	}
	free(buf);
	if (fuzz_replay_done)
		fuzz_replay_done();
	if (ret < 0)
		return 1;
	printf("%s replay: %u inputs, no crash\n", fuzz_replay_name, files);
	return files ? 0 : 1;
}

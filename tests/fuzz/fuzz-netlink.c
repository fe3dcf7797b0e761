// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for epdma_nl_result_parse(): the parser reads what comes from the
 * ntb_ep_dma generic netlink family (a RUN reply or a RUN_DONE notification), which a broken
 * or newer kernel may get wrong, so any byte string must be handled without a crash, a read
 * past the buffer, or an accepted result that breaks the invariants the printers rely on.
 *
 * Built with -DEPDMA_FUZZ_REPLAY it is a plain program that runs every file given on the
 * command line (or in the directories given) through the same checks: the committed corpus
 * (ok-* must parse, bad-* must not) becomes a regression test in every build.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epdma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct epdma_nl_result r;
	void *copy;
	int ret;

	/* exact-size heap copy: ASan catches any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	ret = epdma_nl_result_parse(copy, size, &r);
	if (ret == 0) {
		if (!r.device[0] || !memchr(r.device, '\0', sizeof(r.device)) ||
		    strchr(r.device, '/') || !memchr(r.channel_name, '\0', sizeof(r.channel_name)))
			abort();
		if (r.status > 0 || r.status < -4095 || r.direction > 1)
			abort();
		if (r.count && r.transfers > r.count)
			abort();
		if (r.transfers && !(r.lat_min_ns <= r.lat_p50_ns && r.lat_p50_ns <= r.lat_p99_ns &&
				     r.lat_p99_ns <= r.lat_max_ns))
			abort();
	} else if (ret != -EBADMSG) {
		abort();
	}
	free(copy);
	return 0;
}

#ifdef EPDMA_FUZZ_REPLAY
#include <sys/stat.h>

/*
 * Corpus files named ok-* must parse and bad-* must be rejected: the committed corpus states
 * what the parser accepts. Other names (what libFuzzer adds) only need to pass the checks.
 */
static int run_file(const char *path)
{
	static uint8_t buf[1 << 20];
	const char *base = strrchr(path, '/');
	struct epdma_nl_result r;
	size_t n;
	FILE *f;
	int ret;

	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	base = base ? base + 1 : path;
	ret = epdma_nl_result_parse(buf, n, &r);
	if (!strncmp(base, "ok-", 3) && ret != 0) {
		fprintf(stderr, "%s: rejected (%d), expected to parse\n", path, ret);
		return -1;
	}
	if (!strncmp(base, "bad-", 4) && ret == 0) {
		fprintf(stderr, "%s: accepted, expected -EBADMSG\n", path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int files = 0;

	for (int i = 1; i < argc; i++) {
		struct stat sb;
		struct dirent *de;
		DIR *d;

		if (stat(argv[i], &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			if (run_file(argv[i]) < 0)
				return 1;
			files++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d)
			return 1;
		while ((de = readdir(d))) {
			char p[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", argv[i], de->d_name);
			if (run_file(p) < 0) {
				closedir(d);
				return 1;
			}
			files++;
		}
		closedir(d);
	}
	printf("fuzz-netlink replay: %u inputs, no crash\n", files);
	return files ? 0 : 1;
}
#endif

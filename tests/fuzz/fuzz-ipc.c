// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer harness for epdma_ipc_parse_request(), the first code in epdmad that any local
 * user's bytes reach. Any input must be handled without a crash or a read past the buffer;
 * an accepted request must satisfy the invariants the daemon relies on (known op, profile
 * only for apply and then a safe name), and must survive a format/parse round trip
 * unchanged.
 *
 * Built with -DEPDMA_FUZZ_REPLAY it is a plain program that runs every file given on the
 * command line (or in the directories given): the committed corpus is a regression test in
 * every build. Files named ok-* must be accepted, bad-* rejected.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epdma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(const struct epdma_ipc_request *req)
{
	struct epdma_ipc_request again;
	struct epdma_error e;
	char *msg = NULL;

	if ((unsigned int)req->op > EPDMA_IPC_VERSION)
		abort();
	if (memchr(req->profile, '\0', sizeof(req->profile)) == NULL)
		abort();
	if ((req->op == EPDMA_IPC_APPLY) != (req->profile[0] != '\0'))
		abort();
	if (req->profile[0] && (strchr(req->profile, '/') || !strcmp(req->profile, "..") ||
				!strcmp(req->profile, ".")))
		abort();
	if (req->op != EPDMA_IPC_EVENTS && (req->after || req->max))
		abort();
	if (epdma_ipc_format_request(req, &msg) < 0)
		abort();
	if (epdma_ipc_parse_request(msg, strlen(msg), &again, &e) != 0)
		abort();
	if (again.op != req->op || strcmp(again.profile, req->profile) ||
	    again.after != req->after ||
	    again.max != req->max)
		abort();
	free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct epdma_ipc_request req;
	struct epdma_error e;
	char *copy;
	int ret;

	/* exact-size heap copy, not NUL-terminated: ASan catches any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	ret = epdma_ipc_parse_request(copy, size, &req, &e);
	if (ret == 0)
		check_accepted(&req);
	else if (ret != -EINVAL && ret != -EMSGSIZE && ret != -ENOMEM)
		abort();
	else if (memchr(e.message, '\0', sizeof(e.message)) == NULL || !e.message[0])
		abort();	/* every refusal says why */
	free(copy);
	return 0;
}

#ifdef EPDMA_FUZZ_REPLAY
#include <sys/stat.h>

static int run_file(const char *path)
{
	static uint8_t buf[1 << 17];
	const char *base = strrchr(path, '/');
	struct epdma_ipc_request req;
	struct epdma_error e;
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
	ret = epdma_ipc_parse_request((const char *)buf, n, &req, &e);
	if (!strncmp(base, "ok-", 3) && ret != 0) {
		fprintf(stderr, "%s: rejected (%d: %s), expected to parse\n", path, ret, e.message);
		return -1;
	}
	if (!strncmp(base, "bad-", 4) && ret == 0) {
		fprintf(stderr, "%s: accepted, expected a refusal\n", path);
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
	printf("fuzz-ipc replay: %u inputs, no crash\n", files);
	return files ? 0 : 1;
}
#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a libFuzzer harness provides to the shared corpus replay (replay-main.c). */
#ifndef EPDMA_FUZZ_REPLAY_H
#define EPDMA_FUZZ_REPLAY_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's name, for the summary line. */
extern const char fuzz_replay_name[];

/*
 * Optional: after @data (the corpus file @path, basename @base) went through the harness,
 * 0 when the outcome is what the file's name promises, -1 (with a message) when not.
 */
int fuzz_replay_expect(const char *path, const char *base, const uint8_t *data, size_t size)
	__attribute__((weak));

/* Optional: free what the harness kept between inputs. */
void fuzz_replay_done(void) __attribute__((weak));

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bounded history of what the daemon did and why. Fixed-size records in a ring, so a burst
 * of a million uevents costs the same memory as a hundred.
 */
#ifndef EPDMAD_EVENTS_H
#define EPDMAD_EVENTS_H

#include <stdint.h>
#include <json-c/json.h>

#define EVENTS_MAX 128

struct event {
	uint64_t seq;		/* 1-based, never reused: clients can tell what they missed */
	uint64_t time_usec;	/* CLOCK_REALTIME */
	char type[24];		/* e.g. "device-added", "profile-applied", "profile-invalid" */
	char device[64];
	char profile[64];
	int err;		/* positive errno, 0 if none */
	char message[256];
};

/*
 * Record an event; it is also logged (journal fields or stderr) at @prio.
 * @err may be given as positive or negative errno.
 */
void events_add(int prio, const char *type, const char *device, const char *profile, int err,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

uint64_t events_last_seq(void);

/* JSON array of the retained events with seq > @after, oldest first, at most @max. */
struct json_object *events_to_json(uint64_t after, unsigned int max);

#endif

// SPDX-License-Identifier: LGPL-2.1-or-later
#include "events.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static struct event ring[EVENTS_MAX];
static uint64_t next_seq = 1;

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

void events_add(int prio, const char *type, const char *device, const char *profile, int err,
		const char *fmt, ...)
{
	struct event *ev = &ring[(next_seq - 1) % EVENTS_MAX];
	struct timespec ts;
	va_list ap;

	if (err < 0)
		err = -err;
	memset(ev, 0, sizeof(*ev));
	ev->seq = next_seq++;
	clock_gettime(CLOCK_REALTIME, &ts);
	ev->time_usec = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	copy(ev->type, sizeof(ev->type), type);
	copy(ev->device, sizeof(ev->device), device);
	copy(ev->profile, sizeof(ev->profile), profile);
	ev->err = err;
	va_start(ap, fmt);
	vsnprintf(ev->message, sizeof(ev->message), fmt, ap);
	va_end(ap);

	log_full(prio,
		 &(struct log_ctx){ .profile = profile, .device = device, .op = type, .err = err },
		 "%s", ev->message);
}

uint64_t events_last_seq(void)
{
	return next_seq - 1;
}

static struct json_object *event_to_json(const struct event *ev)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "seq", json_object_new_uint64(ev->seq));
	json_object_object_add(o, "time_usec", json_object_new_uint64(ev->time_usec));
	json_object_object_add(o, "type", json_object_new_string(ev->type));
	if (ev->device[0])
		json_object_object_add(o, "device", json_object_new_string(ev->device));
	if (ev->profile[0])
		json_object_object_add(o, "profile", json_object_new_string(ev->profile));
	if (ev->err) {
		json_object_object_add(o, "errno", json_object_new_int(ev->err));
		json_object_object_add(o, "error", json_object_new_string(strerror(ev->err)));
	}
	json_object_object_add(o, "message", json_object_new_string(ev->message));
	return o;
}

struct json_object *events_to_json(uint64_t after, unsigned int max)
{
	struct json_object *arr = json_object_new_array();
	uint64_t last = next_seq - 1;
	uint64_t first = last >= EVENTS_MAX ? last - EVENTS_MAX + 1 : 1;

	if (after + 1 > first)
		first = after + 1;
	if (max && last >= first && last - first + 1 > max)
		first = last - max + 1;
	for (uint64_t s = first; s <= last; s++)
		json_object_array_add(arr, event_to_json(&ring[(s - 1) % EVENTS_MAX]));
	return arr;
}

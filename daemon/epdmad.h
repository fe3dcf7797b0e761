/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * epdmad internals. The daemon is one thread around one epoll set; every source (udev
 * monitor, signals, socket, clients, optional watchdog) registers a struct source whose
 * callback runs when its fd is readable. Nothing is ever done on a timer.
 */
#ifndef EPDMAD_H
#define EPDMAD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "epdma.h"

#define _cleanup_(f) __attribute__((cleanup(f)))

struct source;
typedef void (*source_fn)(struct source *src, uint32_t events);

struct source {
	int fd;
	source_fn fn;
	void *data;
};

/* loop.c-like helpers living in main.c */
int loop_add(struct source *src);
void loop_del(struct source *src);
void loop_quit(void);

struct config {
	const char *profile_dir;
	const char *socket_path;
	const char *root;
	bool debug;
	bool no_module_insert;
};

/* ---- manager.c: device table, profile store, reactions ---- */

/* What udev told us about one device, flattened. */
struct dev_info {
	enum epdma_device_kind kind;
	char syspath[256];
	char name[64];
	char driver[64];
	bool has_ids;
	uint16_t vendor, device;
};

int manager_init(struct epdma_ctx *ctx, const struct config *cfg);
void manager_free(void);
/* @action: "add", "remove", "change", "bind", "unbind", "move", "coldplug" */
void manager_device_event(const char *action, const struct dev_info *info);
/* Re-read the profile directory and reconcile every present device. */
int manager_reload(const char *why);
/* IPC apply: configure the device @name's profile is for. Returns 0 or -errno. */
int manager_apply(const char *name, struct json_object *reply, struct epdma_error *err);
struct json_object *manager_status_json(void);
size_t manager_device_count(void);
/* Begin/end of a resync after a lost uevent: devices not re-seen are removed. */
void manager_mark_all_stale(void);
void manager_drop_stale(void);

/* ---- monitor.c: udev ---- */
int monitor_start(void);	/* subscribe, then coldplug */
/* Feed every present device through the reactions again; drop what is gone. */
void monitor_rescan(void);
void monitor_stop(void);

/* ---- ipc-server.c ---- */
int ipc_start(const char *path);
void ipc_stop(void);
unsigned int ipc_client_count(void);

#endif

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What epdmad knows and what it does about it: the profiles of the profile directory, the
 * devices udev reported, and the reactions that tie them together:
 *
 *   controller (pci_epc) present + endpoint profile → load function modules → apply
 *   PCI function matching a host profile            → load the profile's modules
 *
 * Every reaction goes through libepdma, whose apply is transactional (rolled back on any
 * failure) and idempotent (a live profile plans zero operations), so running a reaction
 * again — a "change" uevent, a coldplug after restart, a reload — is always safe.
 */
#include "epdmad.h"
#include "events.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* Far more than any board has; bounds memory if something floods us with distinct devices. */
#define MAX_DEVICES 1024

/*
 * The kernel announces a new EPC (device_add() sends the uevent) before it creates the
 * controller's configfs group, and configfs sends no inotify event for that group. A
 * controller whose group (or function driver directory) is missing, or whose apply finds
 * epdmactl holding the apply lock, is therefore retried with backoff for a while; the
 * timer exists only while some device is waiting.
 */
/* Devices listed in a status reply: 256 × ~300 bytes stays far below the reply limit. */
#define STATUS_MAX_DEVICES 256

/* Modules one reaction loads at most (a profile's drivers or host modules). */
#define MAX_MODULES	32

#define RETRY_FIRST_MS	5
#define RETRY_MAX_MS	1000
#define RETRY_GIVE_UP_MS 10000

enum dev_state {
	STATE_PRESENT,		/* tracked, nothing to do */
	STATE_NO_PROFILE,	/* a controller/NTB function no profile matches */
	STATE_APPLIED,		/* endpoint profile live */
	STATE_MODULES_LOADED,	/* host profile's modules loaded */
	STATE_FAILED,		/* the last reaction failed; see error */
	STATE_WAITING,		/* configfs not ready for it yet; retried with backoff */
};

static const char *const state_names[] = {
	[STATE_PRESENT] = "present",	  [STATE_NO_PROFILE] = "no-profile",
	[STATE_APPLIED] = "applied",	  [STATE_MODULES_LOADED] = "modules-loaded",
	[STATE_FAILED] = "failed",	  [STATE_WAITING] = "waiting",
};

struct device {
	struct dev_info info;
	enum dev_state state;
	bool stale;
	char profile[EPDMA_NAME_MAX + 1];
	int err;			/* positive errno of the last failure */
	char error[256];
	uint64_t changed_usec;		/* CLOCK_REALTIME of the last state change */
	uint64_t wait_since_ms;		/* CLOCK_MONOTONIC; 0 when not waiting */
	uint64_t retry_due_ms;
	unsigned int retry_delay_ms;
};

static struct epdma_ctx *ctx;
static const struct config *cfg;
static struct epdma_profile_store *store;
static struct device *devices;
static size_t n_devices;
static uint64_t reloads;
static uint64_t start_usec;
static struct source retry_src = { .fd = -1 };

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Arm the retry timer for the earliest waiting device, or disarm it. */
static void retry_arm(void)
{
	struct itimerspec its = { 0 };
	uint64_t due = 0, now = mono_ms();

	for (size_t i = 0; i < n_devices; i++)
		if (devices[i].state == STATE_WAITING &&
		    (!due || devices[i].retry_due_ms < due))
			due = devices[i].retry_due_ms;
	if (due) {
		uint64_t in = due > now ? due - now : 1;

		its.it_value.tv_sec = (time_t)(in / 1000);
		its.it_value.tv_nsec = (long)(in % 1000) * 1000000;
	}
	if (retry_src.fd >= 0)
		timerfd_settime(retry_src.fd, 0, &its, NULL);
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static struct device *find(const char *syspath)
{
	for (size_t i = 0; i < n_devices; i++)
		if (!strcmp(devices[i].info.syspath, syspath))
			return &devices[i];
	return NULL;
}

static void drop(struct device *d)
{
	size_t i = (size_t)(d - devices);

	memmove(&devices[i], &devices[i + 1], (n_devices - i - 1) * sizeof(*devices));
	n_devices--;
}

static void set_state(struct device *d, enum dev_state st, const char *profile, int err,
		      const char *error)
{
	d->state = st;
	snprintf(d->profile, sizeof(d->profile), "%s", profile ?: "");
	d->err = err < 0 ? -err : err;
	snprintf(d->error, sizeof(d->error), "%s", error ?: "");
	d->changed_usec = now_usec();
}

static void format_error(const struct epdma_error *e, char *buf, size_t size)
{
	if (e->message[0])
		epdma_error_format(e, buf, size);
	else
		snprintf(buf, size, "%s", strerror(e->code < 0 ? -e->code : EIO));
}

static const char *module_failure(const struct epdma_module_result *res)
{
	switch (res->action) {
	case EPDMA_MODULE_NOT_FOUND:
		return "not found for this kernel";
	case EPDMA_MODULE_BLACKLISTED:
		return "blacklisted";
	default:
		return res->error ? strerror(-res->error) : "failed";
	}
}

/*
 * Load @names (NULL-terminated) for @d. Every module that can be loaded is, whatever happens
 * to the others: a host profile with one missing module still gets all the others. One
 * "modules-failed" event and the device's error name every module that was not loaded and
 * why (libepdma logs each one's full message too); the device is marked failed, since its
 * profile is not fully in place, and -errno of the first failure is returned.
 */
static int load_modules(struct device *d, const char *profile, const char *const *names)
{
	struct epdma_module_result res[MAX_MODULES];
	struct epdma_error e = { 0 };
	unsigned int flags = cfg->no_module_insert ? EPDMA_MODULES_DRY_RUN : 0;
	size_t n = 0, nfailed = 0;
	char failed[200] = "";
	int r;

	while (names[n])
		n++;
	if (n == 0)
		return 0;
	/* one result per name: callers pass at most MAX_MODULES names */
	memset(res, 0, sizeof(res));
	r = epdma_modules_load(ctx, names, flags, res, &e);
	for (size_t i = 0; i < n && i < MAX_MODULES; i++) {
		if (res[i].action == EPDMA_MODULE_LOADED)
			events_add(LOG_INFO, "module-loaded", d->info.name, profile, 0,
				   "module %s %s", res[i].name,
				   cfg->no_module_insert ? "resolved (not inserted: dry run)" :
							   "loaded");
		if (!res[i].error)
			continue;
		nfailed++;
		if (strlen(failed) + strlen(res[i].name) + 40 < sizeof(failed))
			snprintf(failed + strlen(failed), sizeof(failed) - strlen(failed),
				 "%s%s (%s)", failed[0] ? ", " : "", res[i].name,
				 module_failure(&res[i]));
	}
	if (r < 0) {
		char first[400], msg[sizeof(failed) + sizeof(first) + 80];

		format_error(&e, first, sizeof(first));
		snprintf(msg, sizeof(msg), "%zu of %zu module(s) not loaded: %s%s; %s",
			 nfailed ? nfailed : 1, n, failed[0] ? failed : "?",
			 nfailed < n ? " (the others are loaded)" : "", first);
		events_add(LOG_ERR, "modules-failed", d->info.name, profile, r,
			   "cannot load modules for profile %s: %s", profile, msg);
		set_state(d, STATE_FAILED, profile, r, msg);
	}
	return r;
}

/* Controller @d and its endpoint profile @p: modules of its functions, then apply. */
static int configure_controller(struct device *d, const struct epdma_profile *p)
{
	const char *name = epdma_profile_get_name(p);
	size_t nf = epdma_profile_function_count(p), n = 0;
	const char *mods[MAX_MODULES + 1];
	struct epdma_apply_report rep = { 0 };
	struct epdma_error e = { 0 };
	int r;

	for (size_t i = 0; i < nf && n < MAX_MODULES; i++) {
		const char *drv = epdma_profile_function_driver(p, i);
		bool dup = false;

		for (size_t j = 0; j < n; j++)
			dup |= !strcmp(mods[j], drv);
		if (!dup)
			mods[n++] = drv;
	}
	mods[n] = NULL;
	r = load_modules(d, name, mods);
	if (r < 0)
		return r;

	r = epdma_profile_apply(ctx, p, 0, &rep, &e);
	/* Worth waiting for: configfs not ready yet, or epdmactl holding the apply lock. */
	if ((r == -ENODEV && rep.ops_done == 0) || (r == -EBUSY && !strcmp(e.rule, "lock"))) {
		char msg[600];
		uint64_t now = mono_ms();

		format_error(&e, msg, sizeof(msg));
		if (!d->wait_since_ms) {
			d->wait_since_ms = now;
			d->retry_delay_ms = RETRY_FIRST_MS;
			events_add(LOG_INFO, "apply-deferred", d->info.name, name, r,
				   "profile %s deferred, will retry: %s", name, msg);
		} else if (now - d->wait_since_ms < RETRY_GIVE_UP_MS) {
			d->retry_delay_ms = d->retry_delay_ms * 2 > RETRY_MAX_MS ?
						    RETRY_MAX_MS : d->retry_delay_ms * 2;
		} else {
			d->wait_since_ms = 0;
			events_add(LOG_ERR, "apply-failed", d->info.name, name, r,
				   "gave up on profile %s after %d s: %s", name,
				   RETRY_GIVE_UP_MS / 1000, msg);
			set_state(d, STATE_FAILED, name, r, msg);
			return r;
		}
		d->retry_due_ms = now + d->retry_delay_ms;
		set_state(d, STATE_WAITING, name, r, msg);
		return r;
	}
	d->wait_since_ms = 0;
	if (r < 0) {
		char msg[600];

		format_error(&e, msg, sizeof(msg));
		events_add(LOG_ERR, "apply-failed", d->info.name, name, r,
			   "applying profile %s failed at operation %ld of %zu, %s: %s", name,
			   rep.failed_op + 1, rep.ops_total,
			   rep.rolled_back && !rep.rollback_errors ? "rolled back" :
				   rep.ops_done ? "ROLLBACK INCOMPLETE" : "nothing changed",
			   msg);
		set_state(d, STATE_FAILED, name, r, msg);
		return r;
	}
	if (rep.ops_total == 0)
		events_add(LOG_INFO, "profile-live", d->info.name, name, 0,
			   "profile %s is already live on %s, nothing written", name,
			   d->info.name);
	else
		events_add(LOG_NOTICE, "profile-applied", d->info.name, name, 0,
			   "profile %s applied to %s (%zu operations)", name, d->info.name,
			   rep.ops_total);
	set_state(d, STATE_APPLIED, name, 0, NULL);
	return 0;
}

static int configure_host(struct device *d, const struct epdma_profile *p)
{
	const char *name = epdma_profile_get_name(p);
	size_t nm = epdma_profile_module_count(p), n = 0;
	const char *mods[MAX_MODULES + 1];
	int r;

	if (nm > MAX_MODULES) {
		events_add(LOG_ERR, "modules-failed", d->info.name, name, E2BIG,
			   "host profile %s lists %zu modules, more than the %d epdmad loads", name,
			   nm, MAX_MODULES);
		set_state(d, STATE_FAILED, name, -E2BIG, "too many modules");
		return -E2BIG;
	}
	for (size_t i = 0; i < nm; i++)
		mods[n++] = epdma_profile_module(p, i);
	mods[n] = NULL;
	r = load_modules(d, name, mods);
	if (r < 0)
		return r;
	if (d->state != STATE_MODULES_LOADED || strcmp(d->profile, name))
		events_add(LOG_NOTICE, "host-modules", d->info.name, name, 0,
			   "modules of host profile %s ready for %s (%zu)", name, d->info.name,
			   n);
	set_state(d, STATE_MODULES_LOADED, name, 0, NULL);
	return 0;
}

static const struct epdma_profile *profile_for(const struct device *d)
{
	switch (d->info.kind) {
	case EPDMA_DEVICE_CONTROLLER:
		return epdma_profile_store_match_controller(store, d->info.name);
	case EPDMA_DEVICE_NTB_FUNCTION:
		return d->info.has_ids ?
			       epdma_profile_store_match_pci(store, d->info.vendor, d->info.device) :
			       NULL;
	default:
		return NULL;
	}
}

/* Bring @d in line with the current profiles. */
static void reconcile(struct device *d)
{
	const struct epdma_profile *p = profile_for(d);

	if (d->info.kind != EPDMA_DEVICE_CONTROLLER && d->info.kind != EPDMA_DEVICE_NTB_FUNCTION)
		return;
	if (!p) {
		if (d->state != STATE_NO_PROFILE)
			events_add(LOG_INFO, "no-profile", d->info.name, NULL, 0,
				   "no profile for %s %s", epdma_device_kind_name(d->info.kind),
				   d->info.name);
		set_state(d, STATE_NO_PROFILE, NULL, 0, NULL);
		return;
	}
	if (d->info.kind == EPDMA_DEVICE_CONTROLLER)
		configure_controller(d, p);
	else
		configure_host(d, p);
}

static bool interesting(const struct dev_info *info)
{
	if (info->kind != EPDMA_DEVICE_NTB_FUNCTION)
		return true;
	/* Of all PCI functions only NTB ones: bound to ntb_hw_epf or named by a host profile. */
	return epdma_device_is_ntb_driver(info->driver) ||
	       (info->has_ids && epdma_profile_store_match_pci(store, info->vendor, info->device));
}

void manager_device_event(const char *action, const struct dev_info *info)
{
	struct device *d = find(info->syspath);

	if (!strcmp(action, "remove")) {
		if (!d)
			return;
		if (d->info.kind == EPDMA_DEVICE_CONTROLLER && d->state == STATE_APPLIED)
			events_add(LOG_NOTICE, "device-removed", d->info.name, d->profile, 0,
				   "controller %s removed; profile %s is no longer live",
				   d->info.name, d->profile);
		else
			events_add(LOG_INFO, "device-removed", d->info.name, NULL, 0,
				   "%s %s removed", epdma_device_kind_name(d->info.kind),
				   d->info.name);
		drop(d);
		retry_arm();
		return;
	}

	if (!d) {
		if (!interesting(info))
			return;
		if (n_devices >= MAX_DEVICES) {
			events_add(LOG_WARNING, "too-many-devices", info->name, NULL, ENOSPC,
				   "tracking %d devices already; ignoring %s", MAX_DEVICES,
				   info->name);
			return;
		}
		d = &devices[n_devices++];
		memset(d, 0, sizeof(*d));
		d->info = *info;
		d->state = STATE_PRESENT;
		d->changed_usec = now_usec();
		events_add(LOG_INFO, "device-added", info->name, NULL, 0, "%s %s %s (%s)",
			   epdma_device_kind_name(info->kind), info->name,
			   !strcmp(action, "coldplug") ? "present at start-up" : "appeared",
			   info->syspath);
	} else {
		d->info = *info;	/* driver binding and IDs may have changed */
	}
	d->stale = false;
	if (!strcmp(action, "unbind"))
		return;
	reconcile(d);
	retry_arm();
}

void manager_mark_all_stale(void)
{
	for (size_t i = 0; i < n_devices; i++)
		devices[i].stale = true;
}

void manager_drop_stale(void)
{
	for (size_t i = 0; i < n_devices;) {
		if (devices[i].stale) {
			struct dev_info info = devices[i].info;

			manager_device_event("remove", &info);
			continue;
		}
		i++;
	}
}

static void report_store(void)
{
	size_t ni = epdma_profile_store_invalid_count(store);

	for (size_t i = 0; i < ni; i++) {
		const struct epdma_error *e = epdma_profile_store_invalid(store, i);
		char msg[1200];

		epdma_error_format(e, msg, sizeof(msg));
		events_add(LOG_ERR, "profile-invalid", NULL, NULL, e->code,
			   "skipped profile file: %s", msg);
	}
}

int manager_reload(const char *why)
{
	struct epdma_profile_store *s = NULL;
	struct epdma_error e = { 0 };
	int r;

	r = epdma_profile_store_load(ctx, cfg->profile_dir, &s, &e);
	if (r < 0 && !s) {
		char msg[1200];

		/* Keep the profiles we had: a transient error must not unconfigure anything. */
		epdma_error_format(&e, msg, sizeof(msg));
		events_add(LOG_ERR, "reload-failed", NULL, NULL, r,
			   "cannot read profiles (%s), keeping the previous set: %s", why, msg);
		return r;
	}
	if (r == -ENOENT)
		events_add(LOG_WARNING, "profile-dir-missing", NULL, NULL, ENOENT,
			   "profile directory %s does not exist; no profiles", cfg->profile_dir);
	epdma_profile_store_free(store);
	store = s;
	if (strcmp(why, "start-up"))
		reloads++;
	report_store();
	events_add(LOG_INFO, "profiles-loaded", NULL, NULL, 0,
		   "%s: %zu profile(s) loaded, %zu file(s) skipped from %s", why,
		   epdma_profile_store_count(store), epdma_profile_store_invalid_count(store),
		   cfg->profile_dir);
	/*
	 * Not only the tracked devices: a new host profile may name a PCI function that was
	 * of no interest so far, so everything udev knows goes through the reactions again.
	 */
	monitor_rescan();
	retry_arm();
	return 0;
}

static struct device *find_target(const struct epdma_profile *p)
{
	for (size_t i = 0; i < n_devices; i++)
		if (profile_for(&devices[i]) == p)
			return &devices[i];
	return NULL;
}

int manager_apply(const char *name, struct json_object *reply, struct epdma_error *err)
{
	const struct epdma_profile *p = epdma_profile_store_find(store, name);
	struct device *d;
	int r;

	if (!p) {
		snprintf(err->message, sizeof(err->message),
			 "no valid profile named '%s' in %s", name, cfg->profile_dir);
		return err->code = -ENOENT;
	}
	d = find_target(p);
	if (!d) {
		if (epdma_profile_get_role(p) == EPDMA_ROLE_ENDPOINT)
			snprintf(err->message, sizeof(err->message),
				 "controller '%s' of profile '%s' is not present",
				 epdma_profile_get_controller(p), name);
		else
			snprintf(err->message, sizeof(err->message),
				 "no PCI function matching host profile '%s' is present", name);
		return err->code = -ENODEV;
	}
	r = d->info.kind == EPDMA_DEVICE_CONTROLLER ? configure_controller(d, p) :
						       configure_host(d, p);
	json_object_object_add(reply, "device", json_object_new_string(d->info.name));
	json_object_object_add(reply, "state", json_object_new_string(state_names[d->state]));
	if (r < 0) {
		snprintf(err->message, sizeof(err->message), "%s", d->error);
		err->code = r;
	}
	return r;
}

static struct json_object *device_json(const struct device *d)
{
	struct json_object *o = json_object_new_object();
	char id[16];

	json_object_object_add(o, "name", json_object_new_string(d->info.name));
	json_object_object_add(o, "kind",
			       json_object_new_string(epdma_device_kind_name(d->info.kind)));
	json_object_object_add(o, "syspath", json_object_new_string(d->info.syspath));
	if (d->info.driver[0])
		json_object_object_add(o, "driver", json_object_new_string(d->info.driver));
	if (d->info.has_ids) {
		snprintf(id, sizeof(id), "%04x:%04x", d->info.vendor, d->info.device);
		json_object_object_add(o, "pci_id", json_object_new_string(id));
	}
	json_object_object_add(o, "state", json_object_new_string(state_names[d->state]));
	if (d->profile[0])
		json_object_object_add(o, "profile", json_object_new_string(d->profile));
	if (d->err) {
		json_object_object_add(o, "errno", json_object_new_int(d->err));
		json_object_object_add(o, "error", json_object_new_string(d->error));
	}
	json_object_object_add(o, "since_usec", json_object_new_uint64(d->changed_usec));
	return o;
}

struct json_object *manager_status_json(void)
{
	struct json_object *o = json_object_new_object();
	struct json_object *daemon = json_object_new_object();
	struct json_object *profiles = json_object_new_array();
	struct json_object *invalid = json_object_new_array();
	struct json_object *devs = json_object_new_array();

	json_object_object_add(daemon, "version", json_object_new_string(PROJECT_VERSION));
	json_object_object_add(daemon, "pid", json_object_new_int((int)getpid()));
	json_object_object_add(daemon, "started_usec", json_object_new_uint64(start_usec));
	json_object_object_add(daemon, "profile_dir", json_object_new_string(cfg->profile_dir));
	json_object_object_add(daemon, "reloads", json_object_new_uint64(reloads));
	json_object_object_add(daemon, "last_event", json_object_new_uint64(events_last_seq()));
	json_object_object_add(daemon, "clients", json_object_new_int((int)ipc_client_count()));
	json_object_object_add(o, "daemon", daemon);

	for (size_t i = 0; i < epdma_profile_store_count(store); i++) {
		const struct epdma_profile *p = epdma_profile_store_get(store, i);
		struct json_object *j = json_object_new_object();
		bool ep = epdma_profile_get_role(p) == EPDMA_ROLE_ENDPOINT;

		json_object_object_add(j, "name", json_object_new_string(epdma_profile_get_name(p)));
		json_object_object_add(j, "file", json_object_new_string(epdma_profile_get_file(p)));
		json_object_object_add(j, "role", json_object_new_string(ep ? "endpoint" : "host"));
		if (ep)
			json_object_object_add(j, "controller",
					       json_object_new_string(epdma_profile_get_controller(p)));
		json_object_array_add(profiles, j);
	}
	json_object_object_add(o, "profiles", profiles);

	for (size_t i = 0; i < epdma_profile_store_invalid_count(store); i++) {
		const struct epdma_error *e = epdma_profile_store_invalid(store, i);
		struct json_object *j = json_object_new_object();
		char msg[1200];

		epdma_error_format(e, msg, sizeof(msg));
		json_object_object_add(j, "file", json_object_new_string(e->file));
		json_object_object_add(j, "errno", json_object_new_int(-e->code));
		json_object_object_add(j, "error", json_object_new_string(msg));
		json_object_array_add(invalid, j);
	}
	json_object_object_add(o, "invalid_profiles", invalid);

	/* Bounded so the reply always fits one message (EPDMA_IPC_MAX_REPLY). */
	for (size_t i = 0; i < n_devices && i < STATUS_MAX_DEVICES; i++)
		json_object_array_add(devs, device_json(&devices[i]));
	json_object_object_add(o, "devices", devs);
	json_object_object_add(o, "devices_total", json_object_new_uint64(n_devices));
	return o;
}

size_t manager_device_count(void)
{
	return n_devices;
}

static void on_retry(struct source *src, uint32_t events)
{
	uint64_t expirations, now = mono_ms();

	if (read(src->fd, &expirations, sizeof(expirations)) < 0) {
		/* spurious wake-up; the loop below still does the right thing */
	}
	for (size_t i = 0; i < n_devices; i++)
		if (devices[i].state == STATE_WAITING && devices[i].retry_due_ms <= now)
			reconcile(&devices[i]);
	retry_arm();
}

int manager_init(struct epdma_ctx *c, const struct config *config)
{
	ctx = c;
	retry_src.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	retry_src.fn = on_retry;
	if (retry_src.fd < 0 || loop_add(&retry_src) < 0)
		return -errno ? -errno : -EIO;
	cfg = config;
	start_usec = now_usec();
	devices = calloc(MAX_DEVICES, sizeof(*devices));
	if (!devices)
		return -ENOMEM;
	/* An unreadable profile directory is reported as an event, not a reason to stop. */
	manager_reload("start-up");
	return 0;
}

void manager_free(void)
{
	if (retry_src.fd >= 0) {
		loop_del(&retry_src);
		close(retry_src.fd);
		retry_src.fd = -1;
	}
	epdma_profile_store_free(store);
	store = NULL;
	free(devices);
	devices = NULL;
	n_devices = 0;
}

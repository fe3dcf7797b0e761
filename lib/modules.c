// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Module loading through libkmod, after systemd's module-util: look the name up (it may be an
 * alias), skip what is built in or already live, refuse what a modprobe.d blacklist names, and
 * turn libkmod's return values into messages a person can act on.
 *
 * Built-in/live decisions read <sysfs>/module and modules.builtin under the context's roots
 * rather than asking libkmod, whose initstate check always looks at the real /sys: this way a
 * test tree with a fake /sys/module and a fake module directory gets the same decisions the
 * live system would.
 */
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <libkmod.h>

#include "epdma-private.h"
#include "status-internal.h"

/* modules.builtin of a distribution kernel is ~100 KiB; refuse to read beyond this. */
#define BUILTIN_LIST_MAX (4u * 1024 * 1024)
#define MODULE_NAME_MAX 56	/* MODULE_NAME_LEN - 8 in the kernel, minus the NUL */

static void normalise(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < size; i++)
		out[i] = in[i] == '-' ? '_' : in[i];
	out[i] = '\0';
}

static bool root_set(struct epdma_ctx *ctx)
{
	const char *root = epdma_ctx_get_root(ctx);

	return root && root[0];
}

/*
 * <root>/lib/modules/<release>, or "" for libkmod's default (the running kernel's). A tree
 * captured from another machine has another release: if the running one is not there and
 * exactly one is, that one is meant.
 */
static int module_dir(struct epdma_ctx *ctx, char *buf, size_t size)
{
	char base[EP_PATH_MAX];
	struct utsname u;
	char **names;
	size_t n;
	int r;

	buf[0] = '\0';
	if (!root_set(ctx))
		return 0;
	if (uname(&u) < 0)
		return -errno;
	r = ep_st_path(base, sizeof(base), "%s/lib/modules", epdma_ctx_get_root(ctx));
	if (r < 0)
		return r;
	r = ep_st_path(buf, size, "%s/%s", base, u.release);
	if (r < 0 || ep_st_is_dir(buf))
		return r;
	if (ep_st_list_dir(base, &names, &n) == 0) {
		if (n == 1)
			r = ep_st_path(buf, size, "%s/%s", base, names[0]);
		ep_st_strv_free(names);
	}
	return r;
}

static bool in_builtin_list(struct epdma_ctx *ctx, const char *name)
{
	char dir[EP_PATH_MAX], path[EP_PATH_MAX], line[512];
	size_t total = 0;
	bool found = false;
	FILE *f;

	if (module_dir(ctx, dir, sizeof(dir)) < 0)
		return false;
	if (!dir[0]) {
		struct utsname u;

		if (uname(&u) < 0 ||
		    ep_st_path(dir, sizeof(dir), "/lib/modules/%s", u.release) < 0)
			return false;
	}
	if (ep_st_path(path, sizeof(path), "%s/modules.builtin", dir) < 0)
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char base[MODULE_NAME_MAX + 8], *slash, *dot;
		size_t len = strlen(line);

		total += len;
		if (total > BUILTIN_LIST_MAX)
			break;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		slash = strrchr(line, '/');
		normalise(slash ? slash + 1 : line, base, sizeof(base));
		dot = strstr(base, ".ko");
		if (dot)
			*dot = '\0';
		found = !strcmp(base, name);
	}
	fclose(f);
	return found;
}

int epdma_module_state(struct epdma_ctx *ctx, const char *name, enum epdma_module_state *state)
{
	char norm[MODULE_NAME_MAX + 1], dir[EP_PATH_MAX], buf[32];
	int r;

	if (!name || !ep_name_is_safe(name, MODULE_NAME_MAX))
		return -EINVAL;
	normalise(name, norm, sizeof(norm));
	r = ep_st_path(dir, sizeof(dir), "%s/module/%s", epdma_ctx_get_sysfs_root(ctx), norm);
	if (r < 0)
		return r;
	r = ep_st_read_attr(dir, "initstate", buf, sizeof(buf));
	if (r >= 0) {
		if (!strcmp(buf, "live"))
			*state = EPDMA_MODULE_LIVE;
		else if (!strcmp(buf, "coming"))
			*state = EPDMA_MODULE_COMING;
		else if (!strcmp(buf, "going"))
			*state = EPDMA_MODULE_GOING;
		else
			*state = EPDMA_MODULE_LIVE;	/* loaded, in a state we do not know */
		return 0;
	}
	/* built-in modules with parameters have a directory but no initstate */
	if (ep_st_is_dir(dir) || in_builtin_list(ctx, norm))
		*state = EPDMA_MODULE_BUILTIN;
	else
		*state = EPDMA_MODULE_ABSENT;
	return 0;
}

const char *epdma_module_action_str(enum epdma_module_action action)
{
	switch (action) {
	case EPDMA_MODULE_LOADED:
		return "loaded";
	case EPDMA_MODULE_ALREADY_LIVE:
		return "live";
	case EPDMA_MODULE_IS_BUILTIN:
		return "builtin";
	case EPDMA_MODULE_BLACKLISTED:
		return "blacklisted";
	case EPDMA_MODULE_NOT_FOUND:
		return "not-found";
	case EPDMA_MODULE_FAILED:
		return "failed";
	}
	return "unknown";
}

static void kmod_log_bridge(void *data, int priority, const char *file, int line, const char *fn,
			    const char *format, va_list args)
{
	struct epdma_ctx *ctx = data;

	if (ctx->log_fn && ctx->log_priority >= priority)
		ctx->log_fn(ctx->log_data, priority, file, line, fn, format, args);
}

static struct kmod_ctx *open_kmod(struct epdma_ctx *ctx, struct epdma_error *err, int *ret)
{
	char dir[EP_PATH_MAX], etc[EP_PATH_MAX], run[EP_PATH_MAX], lib[EP_PATH_MAX];
	const char *paths[4] = { etc, run, lib, NULL };
	struct kmod_ctx *k;

	*ret = module_dir(ctx, dir, sizeof(dir));
	if (*ret < 0) {
		ep_error_set(err, *ret, NULL, NULL, "modules", NULL,
			     "cannot name the module directory: %s", strerror(-*ret));
		return NULL;
	}
	if (root_set(ctx)) {
		const char *root = epdma_ctx_get_root(ctx);

		if (ep_st_path(etc, sizeof(etc), "%s/etc/modprobe.d", root) < 0 ||
		    ep_st_path(run, sizeof(run), "%s/run/modprobe.d", root) < 0 ||
		    ep_st_path(lib, sizeof(lib), "%s/lib/modprobe.d", root) < 0) {
			*ret = ep_error_set(err, -ENAMETOOLONG, NULL, NULL, "modules", NULL,
					    "root prefix too long for modprobe.d paths");
			return NULL;
		}
	}
	k = kmod_new(dir[0] ? dir : NULL, root_set(ctx) ? paths : NULL);
	if (!k) {
		*ret = ep_error_set(err, -ENOMEM, NULL, NULL, "modules", NULL,
				    "cannot create a libkmod context for %s",
				    dir[0] ? dir : "the running kernel");
		return NULL;
	}
	kmod_set_log_fn(k, kmod_log_bridge, ctx);
	/* Missing binary indexes are fine: libkmod falls back to the text files. */
	(void)kmod_load_resources(k);
	*ret = 0;
	return k;
}

/* Was module_blacklist=<name> given on the kernel command line? (-EPERM from init_module) */
static bool cmdline_blacklisted(struct epdma_ctx *ctx, const char *name)
{
	char path[EP_PATH_MAX], buf[EPDMA_ATTR_MAX];
	char *save = NULL, *tok;

	if (ep_st_path(path, sizeof(path), "%s/proc/cmdline", epdma_ctx_get_root(ctx)) < 0 ||
	    ep_st_read(path, buf, sizeof(buf)) < 0)
		return false;
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *list, *s2 = NULL, *m;

		if (strncmp(tok, "module_blacklist=", 17))
			continue;
		list = tok + 17;
		for (m = strtok_r(list, ",", &s2); m; m = strtok_r(NULL, ",", &s2)) {
			char norm[MODULE_NAME_MAX + 1];

			normalise(m, norm, sizeof(norm));
			if (!strcmp(norm, name))
				return true;
		}
	}
	return false;
}

/* Is @name absent from @allowed, the lookup list after the blacklist filter? */
static bool is_blacklisted(const struct kmod_list *allowed, const char *name)
{
	const struct kmod_list *it;

	kmod_list_foreach(it, allowed) {
		struct kmod_module *m = kmod_module_get_module(it);
		bool same = !strcmp(kmod_module_get_name(m), name);

		kmod_module_unref(m);
		if (same)
			return false;
	}
	return true;
}

static const char *insert_error_text(int e)
{
	switch (e) {
	case -ENOEXEC:
		return "invalid module format (built for another kernel?)";
	case -ENOENT:
		return "module file or a dependency is missing";
	case -ENODEV:
		return "no matching hardware (the module's init returned ENODEV)";
	case -EPERM:
		return "operation not permitted (needs CAP_SYS_MODULE; module loading may be "
		       "disabled or the module rejected by lockdown)";
	case -EKEYREJECTED:
	case -ENOKEY:
		return "module signature rejected";
	case -EEXIST:
		return "already loaded";
	case -ENOSYS:
		return "this kernel cannot load modules (CONFIG_MODULES off, or a sandbox)";
	case -ENOSPC:
	case -ENOMEM:
		return "out of memory";
	case -EBUSY:
		return "busy";
	case -EINVAL:
		return "invalid module or parameter (see dmesg)";
	default:
		return NULL;
	}
}

/* Decide and (unless dry run) load one name; fills @res; returns 0 or -errno. */
static int load_one(struct epdma_ctx *ctx, struct kmod_ctx *k, const char *name,
		    unsigned int flags, struct epdma_module_result *res, struct epdma_error *err)
{
	struct kmod_list *list = NULL, *allowed = NULL, *it;
	enum epdma_module_state state;
	char norm[MODULE_NAME_MAX + 1];
	int r;

	memset(res, 0, sizeof(*res));
	snprintf(res->name, sizeof(res->name), "%s", name ? name : "");
	if (!name || !ep_name_is_safe(name, MODULE_NAME_MAX)) {
		res->action = EPDMA_MODULE_FAILED;
		res->error = -EINVAL;
		return ep_error_set(err, -EINVAL, NULL, NULL, "module-name", NULL,
				    "'%s' is not a valid module name", name ? name : "(null)");
	}
	normalise(name, norm, sizeof(norm));

	/* The name itself may be live or built in even if the module directory is missing. */
	if (epdma_module_state(ctx, norm, &state) == 0 && state != EPDMA_MODULE_ABSENT) {
		res->action = state == EPDMA_MODULE_BUILTIN ? EPDMA_MODULE_IS_BUILTIN :
							      EPDMA_MODULE_ALREADY_LIVE;
		return 0;
	}

	r = kmod_module_new_from_lookup(k, name, &list);
	if (r < 0) {
		res->action = EPDMA_MODULE_FAILED;
		res->error = r;
		return ep_error_set(err, r, NULL, NULL, "module-lookup", NULL,
				    "cannot look up module %s: %s", name, strerror(-r));
	}
	if (!list) {
		res->action = EPDMA_MODULE_NOT_FOUND;
		res->error = -ENOENT;
		return ep_error_set(err, -ENOENT, NULL, NULL, "module-missing", NULL,
				    "module %s not found (not in modules.dep/modules.alias of "
				    "the module directory and not built in)", name);
	}

	r = kmod_module_apply_filter(k, KMOD_FILTER_BLACKLIST, list, &allowed);
	if (r < 0) {
		kmod_module_unref_list(list);
		res->action = EPDMA_MODULE_FAILED;
		res->error = r;
		return ep_error_set(err, r, NULL, NULL, "module-lookup", NULL,
				    "cannot apply the modprobe.d blacklist to %s: %s", name,
				    strerror(-r));
	}
	res->action = EPDMA_MODULE_ALREADY_LIVE;
	kmod_list_foreach(it, list) {
		struct kmod_module *mod = kmod_module_get_module(it);
		const char *mname = kmod_module_get_name(mod);
		int q;

		if (epdma_module_state(ctx, mname, &state) == 0 && state != EPDMA_MODULE_ABSENT) {
			if (res->action == EPDMA_MODULE_ALREADY_LIVE &&
			    state == EPDMA_MODULE_BUILTIN)
				res->action = EPDMA_MODULE_IS_BUILTIN;
			kmod_module_unref(mod);
			continue;
		}
		if (is_blacklisted(allowed, mname)) {
			res->action = EPDMA_MODULE_BLACKLISTED;
			res->error = -EPERM;
			r = ep_error_set(err, -EPERM, NULL, NULL, "module-blacklisted", NULL,
					 "module %s is blacklisted by modprobe.d; not loading it",
					 mname);
			kmod_module_unref(mod);
			break;
		}
		if (flags & EPDMA_MODULES_DRY_RUN) {
			res->action = EPDMA_MODULE_LOADED;
			kmod_module_unref(mod);
			continue;
		}
		q = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST, NULL, NULL,
						    NULL, NULL);
		if (q == 0 || q == -EEXIST) {
			res->action = q ? EPDMA_MODULE_ALREADY_LIVE : EPDMA_MODULE_LOADED;
		} else if (q == KMOD_PROBE_APPLY_BLACKLIST) {
			res->action = EPDMA_MODULE_BLACKLISTED;
			res->error = -EPERM;
			r = ep_error_set(err, -EPERM, NULL, NULL, "module-blacklisted", NULL,
					 "module %s is blacklisted by modprobe.d; not loading it",
					 mname);
		} else if (q == -EPERM && cmdline_blacklisted(ctx, mname)) {
			res->action = EPDMA_MODULE_BLACKLISTED;
			res->error = -EPERM;
			r = ep_error_set(err, -EPERM, NULL, NULL, "module-blacklisted", NULL,
					 "module %s is blacklisted on the kernel command line "
					 "(module_blacklist=)", mname);
		} else if (q > 0) {
			/* an install command from modprobe.d exited with status q */
			res->action = EPDMA_MODULE_FAILED;
			res->error = -EIO;
			r = ep_error_set(err, -EIO, NULL, NULL, "module-install", NULL,
					 "install command for module %s exited with status %d",
					 mname, q);
		} else {
			const char *why = insert_error_text(q);

			res->action = EPDMA_MODULE_FAILED;
			res->error = q;
			r = ep_error_set(err, q, NULL, NULL, "module-insert", NULL,
					 "cannot load module %s: %s", mname,
					 why ? why : strerror(-q));
		}
		kmod_module_unref(mod);
		if (r < 0)
			break;
	}
	kmod_module_unref_list(allowed);
	kmod_module_unref_list(list);
	return r;
}

int epdma_modules_load(struct epdma_ctx *ctx, const char *const *names, unsigned int flags,
		       struct epdma_module_result *results, struct epdma_error *err)
{
	struct kmod_ctx *k;
	int first = 0, r;

	ep_error_clear(err);
	if (!names)
		return 0;
	k = open_kmod(ctx, err, &r);
	if (!k)
		return r;
	for (size_t i = 0; names[i]; i++) {
		struct epdma_module_result tmp, *res = results ? &results[i] : &tmp;
		struct epdma_error e1;

		r = load_one(ctx, k, names[i], flags, res, &e1);
		if (r < 0) {
			ep_err(ctx, "%s", e1.message);
			if (!first) {
				first = r;
				if (err)
					*err = e1;
			}
		} else {
			ep_info(ctx, "module %s: %s", names[i],
				epdma_module_action_str(res->action));
		}
	}
	kmod_unref(k);
	return first;
}

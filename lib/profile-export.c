// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Export: read the live tree back into a profile. Only values a profile may hold are kept
 * (msi_interrupts 0, an unset BAR (-1) or a window beyond num_mws mean "not configured"), and
 * the result is validated before it is returned, so an export always re-applies.
 */
#include "plan.h"

static struct json_object *num_json(const struct ep_attr_spec *spec, uint64_t v)
{
	if (spec->flags & EP_A_HEX) {
		char buf[32];

		snprintf(buf, sizeof(buf), spec->max <= 0xffff ? "0x%04llx" : "0x%llx",
			 (unsigned long long)v);
		return json_object_new_string(buf);
	}
	return json_object_new_uint64(v);
}

static void export_typed(struct epdma_ctx *ctx, const char *dir, const struct ep_attr_spec *tab,
			 size_t n, struct json_object *o)
{
	for (size_t i = 0; i < n; i++) {
		char path[EP_PATH_MAX], live[128];
		uint64_t v;

		if (ep_path_join(path, sizeof(path), dir, tab[i].name) < 0 ||
		    ep_read_attr(ctx, path, live, sizeof(live)) < 0 || ep_parse_u64(live, &v) < 0 ||
		    v < tab[i].min || v > tab[i].max)
			continue;
		json_object_object_add(o, tab[i].name, num_json(&tab[i], v));
	}
}

static void export_free_form(struct epdma_ctx *ctx, const char *dir, struct json_object *o)
{
	struct ep_backend *b = ctx->backend;
	_cleanup_free_ struct ep_dirent *ents = NULL;
	size_t n = 0;

	if (b->ops->list(b, dir, &ents, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char path[EP_PATH_MAX], live[260];
		bool digits = true;
		int len;

		if (ents[i].type != EP_NODE_FILE || !ep_name_is_safe(ents[i].name, EPDMA_NAME_MAX) ||
		    ep_path_join(path, sizeof(path), dir, ents[i].name) < 0)
			continue;
		len = ep_read_attr(ctx, path, live, sizeof(live));
		if (len <= 0 || len > 256)
			continue;
		for (const char *c = live; *c; c++)
			digits &= *c >= '0' && *c <= '9';
		if (digits && (live[0] != '0' || !live[1]) && len < 19)
			json_object_object_add(o, ents[i].name,
					       json_object_new_int64(strtoll(live, NULL, 10)));
		else
			json_object_object_add(o, ents[i].name, json_object_new_string(live));
	}
}

/* Drop what cannot stand alone: windows beyond num_mws, DMA settings without dma_bar. */
static void tidy_driver_attrs(const struct ep_driver_spec *ds, struct json_object *o)
{
	struct json_object *v;
	uint64_t nmw = 0;

	if (json_object_object_get_ex(o, "num_mws", &v))
		nmw = json_object_get_uint64(v);
	for (size_t i = 0; i < ds->n_attrs; i++)
		if (ds->attrs[i].flags & EP_A_MW && (uint64_t)ds->attrs[i].mw > nmw)
			json_object_object_del(o, ds->attrs[i].name);
	if (!json_object_object_get_ex(o, "dma_bar", &v)) {
		json_object_object_del(o, "dma_offset");
		json_object_object_del(o, "dma_num_chans");
	}
}

static int export_function(struct epdma_ctx *ctx, const char *driver, const char *name,
			   struct json_object *arr)
{
	const struct ep_driver_spec *ds = ep_driver_lookup(driver);
	struct json_object *fo = json_object_new_object();
	struct json_object *attrs = json_object_new_object();
	struct json_object *dattrs = json_object_new_object();
	char fdir[EP_PATH_MAX], sub[256], sdir[EP_PATH_MAX];

	if (!fo || !attrs || !dattrs) {
		json_object_put(fo);
		json_object_put(attrs);
		json_object_put(dattrs);
		return -ENOMEM;
	}
	ep_pathf(fdir, sizeof(fdir), "functions/%s/%s", driver, name);
	json_object_object_add(fo, "name", json_object_new_string(name));
	json_object_object_add(fo, "driver", json_object_new_string(driver));
	export_typed(ctx, fdir, ep_header_attrs, ep_n_header_attrs, attrs);
	if (ep_find_subgroup(ctx, fdir, driver, sub, sizeof(sub)) == 0 &&
	    ep_pathf(sdir, sizeof(sdir), "%s/%s", fdir, sub) == 0) {
		if (ds) {
			export_typed(ctx, sdir, ds->attrs, ds->n_attrs, dattrs);
			tidy_driver_attrs(ds, dattrs);
		} else {
			export_free_form(ctx, sdir, dattrs);
		}
	}
	if (json_object_object_length(attrs))
		json_object_object_add(fo, "attributes", attrs);
	else
		json_object_put(attrs);
	if (json_object_object_length(dattrs))
		json_object_object_add(fo, "driver_attributes", dattrs);
	else
		json_object_put(dattrs);
	json_object_array_add(arr, fo);
	return 0;
}

int epdma_export(struct epdma_ctx *ctx, const char *controller, const char *function,
		 bool pretty, char **out, struct epdma_error *err)
{
	struct ep_backend *b = ctx->backend;
	_cleanup_json_ struct json_object *root = NULL;
	_cleanup_free_ struct ep_dirent *drivers = NULL;
	struct json_object *arr;
	char ctrl[256] = "", sp[EP_PATH_MAX], live[16];
	size_t nd = 0, count = 0;
	struct epdma_profile *check = NULL;
	struct epdma_error verr;
	const char *text;
	int r;

	ep_error_clear(err);
	if (!ep_pci_ep_present(ctx))
		return ep_error_set(err, -ENODEV, NULL, NULL, "configfs", NULL,
				    "no pci_ep configfs at %s", ctx->pci_ep);
	if (controller && !ep_name_is_safe(controller, EPDMA_NAME_MAX))
		return ep_error_set(err, -EINVAL, NULL, NULL, "name", NULL,
				    "\"%s\" is not a valid controller name", controller);
	if (function && !ep_name_is_safe(function, EPDMA_NAME_MAX))
		return ep_error_set(err, -EINVAL, NULL, NULL, "name", NULL,
				    "\"%s\" is not a valid function name", function);
	if (controller)
		snprintf(ctrl, sizeof(ctrl), "%s", controller);

	root = json_object_new_object();
	arr = json_object_new_array();
	if (!root || !arr) {
		json_object_put(arr);
		return -ENOMEM;
	}
	r = b->ops->list(b, "functions", &drivers, &nd);
	if (r < 0) {
		json_object_put(arr);
		return ep_error_set(err, r, NULL, NULL, "configfs", "functions",
				    "cannot list functions: %s", strerror(-r));
	}
	for (size_t i = 0; i < nd; i++) {
		_cleanup_free_ struct ep_dirent *fns = NULL;
		char ddir[EP_PATH_MAX];
		size_t nf = 0;

		if (drivers[i].type != EP_NODE_DIR ||
		    ep_pathf(ddir, sizeof(ddir), "functions/%s", drivers[i].name) < 0 ||
		    b->ops->list(b, ddir, &fns, &nf) < 0)
			continue;
		for (size_t k = 0; k < nf; k++) {
			struct ep_binding binds[4];
			char fdir[EP_PATH_MAX];
			size_t nb = 0;

			if (fns[k].type != EP_NODE_DIR || (function && strcmp(function, fns[k].name)))
				continue;
			ep_pathf(fdir, sizeof(fdir), "%s/%s", ddir, fns[k].name);
			ep_function_bindings(ctx, fdir, binds, ARRAY_SIZE(binds), &nb);
			if (!function) {
				/* whole-controller export: bound functions of one controller */
				if (!nb)
					continue;
				if (!ctrl[0])
					snprintf(ctrl, sizeof(ctrl), "%s", binds[0].controller);
				if (strcmp(ctrl, binds[0].controller))
					continue;
			} else if (!ctrl[0] && nb) {
				snprintf(ctrl, sizeof(ctrl), "%s", binds[0].controller);
			}
			r = export_function(ctx, drivers[i].name, fns[k].name, arr);
			if (r < 0) {
				json_object_put(arr);
				return r;
			}
			count++;
		}
	}
	if (!count) {
		json_object_put(arr);
		if (function)
			return ep_error_set(err, -ENOENT, NULL, NULL, "not-found", NULL,
					    "no function named \"%s\"", function);
		return ep_error_set(err, -ENOENT, NULL, NULL, "not-found", NULL,
				    "no function is bound to %s", ctrl[0] ? ctrl : "any controller");
	}
	if (!ctrl[0]) {
		/* an unbound function: name the first controller, so the profile applies */
		_cleanup_free_ struct ep_dirent *cs = NULL;
		size_t nc = 0;

		if (b->ops->list(b, "controllers", &cs, &nc) == 0 && nc)
			snprintf(ctrl, sizeof(ctrl), "%s", cs[0].name);
		if (!ctrl[0]) {
			json_object_put(arr);
			return ep_error_set(err, -ENODEV, NULL, NULL, "controller", "controllers",
					    "no endpoint controller to name in the profile");
		}
	}
	json_object_object_add(root, "version", json_object_new_int(1));
	json_object_object_add(root, "name", json_object_new_string(function ? function : ctrl));
	json_object_object_add(root, "role", json_object_new_string("endpoint"));
	json_object_object_add(root, "controller", json_object_new_string(ctrl));
	json_object_object_add(root, "functions", arr);
	ep_pathf(sp, sizeof(sp), "controllers/%s/start", ctrl);
	json_object_object_add(root, "start", json_object_new_boolean(
			ep_read_attr(ctx, sp, live, sizeof(live)) >= 0 && !strcmp(live, "1")));

	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_NOSLASHESCAPE |
			(pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
				  JSON_C_TO_STRING_PLAIN));
	r = epdma_profile_load_buffer(ctx, "(export)", text, strlen(text), &check, &verr);
	if (r < 0) {
		if (err) {
			*err = verr;
			snprintf(err->rule, sizeof(err->rule), "export");
		}
		return r;
	}
	epdma_profile_free(check);
	*out = strdup(text);
	return *out ? 0 : -ENOMEM;
}

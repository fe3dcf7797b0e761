// SPDX-License-Identifier: LGPL-2.1-or-later
/* Loading entry points, accessors and the canonical JSON form of a profile. */
#include "profile.h"

static int load(struct epdma_ctx *ctx, const char *name, const char *buf, size_t len,
		struct epdma_profile **out, struct epdma_error *errs, size_t max, size_t *count)
{
	_cleanup_json_ struct json_object *root = NULL;
	struct epdma_error one;
	struct ep_diag d = { .file = name, .errs = max ? errs : &one, .max = max ? max : 1 };
	struct epdma_profile *p = NULL;
	int r;

	r = ep_profile_parse(buf, len, &d, &root);
	if (r == 0)
		r = ep_profile_build(root, &d, &p);
	if (count)
		*count = d.count;
	if (r < 0) {
		if (d.count == 0)
			ep_error_set(d.errs, r, name, NULL, "internal", NULL, "%s", strerror(-r));
		else
			d.errs[0].code = r;
		ep_dbg(ctx, "%s: %zu problem(s)", name, d.count);
		return r;
	}
	p->file = strdup(name);
	if (!p->file) {
		epdma_profile_free(p);
		return -ENOMEM;
	}
	if (out)
		*out = p;
	else
		epdma_profile_free(p);
	return 0;
}

int epdma_profile_load_buffer(struct epdma_ctx *ctx, const char *name, const char *buf,
			      size_t len, struct epdma_profile **out, struct epdma_error *err)
{
	return load(ctx, name, buf, len, out, err, err ? 1 : 0, NULL);
}

int epdma_profile_load(struct epdma_ctx *ctx, const char *path, struct epdma_profile **out,
		       struct epdma_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	r = ep_profile_read_file(path, &buf, &len, err);
	if (r < 0)
		return r;
	return load(ctx, path, buf, len, out, err, err ? 1 : 0, NULL);
}

int epdma_profile_check(struct epdma_ctx *ctx, const char *path, struct epdma_error *errs,
			size_t max, size_t *count)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	*count = 0;
	r = ep_profile_read_file(path, &buf, &len, max ? errs : NULL);
	if (r < 0) {
		*count = 1;
		return r;
	}
	return load(ctx, path, buf, len, NULL, errs, max, count);
}

const char *epdma_profile_get_name(const struct epdma_profile *p)
{
	return p->name;
}

const char *epdma_profile_get_file(const struct epdma_profile *p)
{
	return p->file;
}

enum epdma_role epdma_profile_get_role(const struct epdma_profile *p)
{
	return p->role;
}

const char *epdma_profile_get_controller(const struct epdma_profile *p)
{
	return p->controller;
}

bool epdma_profile_get_start(const struct epdma_profile *p)
{
	return p->start;
}

size_t epdma_profile_function_count(const struct epdma_profile *p)
{
	return p->n_functions;
}

const char *epdma_profile_function_name(const struct epdma_profile *p, size_t i)
{
	return i < p->n_functions ? p->functions[i].name : NULL;
}

const char *epdma_profile_function_driver(const struct epdma_profile *p, size_t i)
{
	return i < p->n_functions ? p->functions[i].driver : NULL;
}

int epdma_profile_get_match(const struct epdma_profile *p, uint16_t *vendor, uint16_t *device)
{
	if (!p->has_match)
		return -ENOENT;
	*vendor = p->match_vendor;
	*device = p->match_device;
	return 0;
}

size_t epdma_profile_module_count(const struct epdma_profile *p)
{
	return p->n_modules;
}

const char *epdma_profile_module(const struct epdma_profile *p, size_t i)
{
	return i < p->n_modules ? p->modules[i] : NULL;
}

static struct json_object *value_json(const struct ep_value *v)
{
	if (v->spec && v->spec->flags & EP_A_HEX) {
		char buf[32];

		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v->num);
		return json_object_new_string(buf);
	}
	if (v->spec)
		return json_object_new_uint64(v->num);
	if (v->json_int && v->text[0] == '-')
		return json_object_new_int64(strtoll(v->text, NULL, 10));
	if (v->json_int)
		return json_object_new_uint64(strtoull(v->text, NULL, 10));
	return json_object_new_string(v->text);
}

static struct json_object *attrs_json(const struct ep_value *v, size_t n)
{
	struct json_object *o = json_object_new_object();

	for (size_t i = 0; o && i < n; i++)
		json_object_object_add(o, v[i].name, value_json(&v[i]));
	return o;
}

int ep_profile_to_json_object(const struct epdma_profile *p, struct json_object **out);

int ep_profile_to_json_object(const struct epdma_profile *p, struct json_object **out)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "name", json_object_new_string(p->name));
	if (p->description)
		json_object_object_add(o, "description", json_object_new_string(p->description));
	json_object_object_add(o, "role", json_object_new_string(
			p->role == EPDMA_ROLE_HOST ? "host" : "endpoint"));
	if (p->role == EPDMA_ROLE_HOST) {
		if (p->has_match) {
			struct json_object *m = json_object_new_object();
			char buf[16];

			snprintf(buf, sizeof(buf), "0x%04x", p->match_vendor);
			json_object_object_add(m, "vendor", json_object_new_string(buf));
			snprintf(buf, sizeof(buf), "0x%04x", p->match_device);
			json_object_object_add(m, "device", json_object_new_string(buf));
			json_object_object_add(o, "match", m);
		}
		if (p->modules) {
			struct json_object *a = json_object_new_array();

			for (size_t i = 0; i < p->n_modules; i++)
				json_object_array_add(a, json_object_new_string(p->modules[i]));
			json_object_object_add(o, "modules", a);
		}
	} else {
		struct json_object *fa = json_object_new_array();

		json_object_object_add(o, "controller", json_object_new_string(p->controller));
		for (size_t i = 0; i < p->n_functions; i++) {
			const struct ep_function *f = &p->functions[i];
			struct json_object *fo = json_object_new_object();

			json_object_object_add(fo, "name", json_object_new_string(f->name));
			json_object_object_add(fo, "driver", json_object_new_string(f->driver));
			if (f->n_attrs)
				json_object_object_add(fo, "attributes",
						       attrs_json(f->attrs, f->n_attrs));
			if (f->n_dattrs)
				json_object_object_add(fo, "driver_attributes",
						       attrs_json(f->dattrs, f->n_dattrs));
			json_object_array_add(fa, fo);
		}
		json_object_object_add(o, "functions", fa);
		json_object_object_add(o, "start", json_object_new_boolean(p->start));
	}
	*out = o;
	return 0;
}

int epdma_profile_to_json(const struct epdma_profile *p, bool pretty, char **out)
{
	_cleanup_json_ struct json_object *o = NULL;
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;
	int r;

	r = ep_profile_to_json_object(p, &o);
	if (r < 0)
		return r;
	flags |= pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN;
	*out = strdup(json_object_to_json_string_ext(o, flags));
	return *out ? 0 : -ENOMEM;
}

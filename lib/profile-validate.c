// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Profile validation: every key known, every value typed and in range, names usable as
 * configfs path components, and the cross-field rules the kernel would only enforce at link
 * time (or not at all): windows within num_mws, BARs not claimed twice. All problems are
 * reported, not only the first, each with its JSON pointer and rule name.
 */
#include "profile.h"

#define MAX_FUNCTIONS	 16
#define MAX_MODULES	 32
#define MAX_TEXT	 256	/* string values of unknown drivers */
#define MAX_DESCRIPTION	 1024

static const char *type_name(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a fractional number";
	case json_type_int: return "an integer";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "?";
}

int ep_parse_u64(const char *s, uint64_t *v)
{
	uint64_t r = 0;
	unsigned int base = 10;
	const char *p = s;
	bool any = false;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && p[1] >= '0' && p[1] <= '7') {
		base = 8;
		p++;
	}
	for (; *p && *p != '\n'; p++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return -EINVAL;
		if ((unsigned int)d >= base)
			return -EINVAL;
		if (r > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		r = r * base + (uint64_t)d;
		any = true;
	}
	if (!any && base != 8)
		return -EINVAL;
	if (*p == '\n' && p[1])
		return -EINVAL;
	*v = r;
	return 0;
}

/* "0x" and at least one hex digit; the value's range is checked separately. */
static bool is_hex_string(const char *s)
{
	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
		return false;
	for (const char *p = s + 2; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
			return false;
	return true;
}

/* JSON numbers such as 32.0 or 1e3 are integers too (as JSON Schema counts them). */
static bool integral_double(struct json_object *o, int64_t *out)
{
	double d;

	if (!json_object_is_type(o, json_type_double))
		return false;
	d = json_object_get_double(o);
	if (!(d >= -9.2e18 && d <= 9.2e18) || d != (double)(int64_t)d)
		return false;
	*out = (int64_t)d;
	return true;
}

/* A string without control characters and embedded NUL, at most @max code points. */
static bool string_is_clean(struct json_object *o, size_t max)
{
	const char *s = json_object_get_string(o);
	size_t len = (size_t)json_object_get_string_len(o), chars = 0;

	if (strlen(s) != len)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		chars += (*p & 0xc0) != 0x80;
	}
	return chars <= max;
}

static void value_free(struct ep_value *v)
{
	free(v->name);
	free(v->text);
	free(v->pointer);
}

static void function_free(struct ep_function *f)
{
	free(f->name);
	free(f->driver);
	free(f->pointer);
	for (size_t i = 0; i < f->n_attrs; i++)
		value_free(&f->attrs[i]);
	for (size_t i = 0; i < f->n_dattrs; i++)
		value_free(&f->dattrs[i]);
	free(f->attrs);
	free(f->dattrs);
}

void epdma_profile_free(struct epdma_profile *p)
{
	if (!p)
		return;
	free(p->file);
	free(p->name);
	free(p->description);
	free(p->controller);
	for (size_t i = 0; i < p->n_functions; i++)
		function_free(&p->functions[i]);
	free(p->functions);
	for (size_t i = 0; i < p->n_modules; i++)
		free(p->modules[i]);
	free(p->modules);
	free(p);
}

/* A typed number: a JSON integer or a "0x..." string, within [spec->min, spec->max]. */
static bool typed_number(struct ep_diag *d, const char *ptr, const char *what,
			 struct json_object *o, uint64_t min, uint64_t max, bool hex, uint64_t *out)
{
	uint64_t v;
	int64_t iv;

	if (integral_double(o, &iv)) {
		if (iv < 0) {
			ep_diag_add(d, ptr, "range", "%s: negative value %lld is not allowed", what,
				    (long long)iv);
			return false;
		}
		v = (uint64_t)iv;
	} else if (json_object_is_type(o, json_type_int)) {
		if (json_object_get_int64(o) < 0) {
			ep_diag_add(d, ptr, "range", "%s: negative value %lld is not allowed", what,
				    (long long)json_object_get_int64(o));
			return false;
		}
		v = json_object_get_uint64(o);
	} else if (json_object_is_type(o, json_type_string)) {
		const char *s = json_object_get_string(o);

		if (!is_hex_string(s)) {
			ep_diag_add(d, ptr, "format",
				    "%s: a string value must be hexadecimal like \"0x1f\"", what);
			return false;
		}
		if (ep_parse_u64(s, &v) < 0) {
			ep_diag_add(d, ptr, "range", "%s: %s does not fit in 64 bits", what, s);
			return false;
		}
	} else {
		ep_diag_add(d, ptr, "type", "%s: expected an integer or a \"0x...\" string, not %s",
			    what, type_name(o));
		return false;
	}
	if (v < min || v > max) {
		if (hex)
			ep_diag_add(d, ptr, "range", "%s: 0x%llx is out of range 0x%llx..0x%llx",
				    what, (unsigned long long)v, (unsigned long long)min,
				    (unsigned long long)max);
		else
			ep_diag_add(d, ptr, "range", "%s: %llu is out of range %llu..%llu", what,
				    (unsigned long long)v, (unsigned long long)min,
				    (unsigned long long)max);
		return false;
	}
	*out = v;
	return true;
}

static char *dup_value_text(struct json_object *o)
{
	int64_t iv;

	if (integral_double(o, &iv))
		return ep_strdup_printf("%lld", (long long)iv);
	if (json_object_is_type(o, json_type_int))
		return strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	return strdup(json_object_get_string(o));
}

static bool check_name(struct ep_diag *d, const char *ptr, const char *what,
		       struct json_object *o, size_t max)
{
	if (!json_object_is_type(o, json_type_string)) {
		ep_diag_add(d, ptr, "type", "%s must be a string, not %s", what, type_name(o));
		return false;
	}
	if (!string_is_clean(o, 4096) || !ep_name_is_safe(json_object_get_string(o), max)) {
		ep_diag_add(d, ptr, "name",
			    "%s must be 1..%zu characters of A-Z a-z 0-9 _ - . : and not \".\" or "
			    "\"..\"", what, max);
		return false;
	}
	return true;
}

/* Parse an attribute object into values; @tab NULL means "unknown driver, free form". */
static int parse_attrs(struct ep_diag *d, const char *ptr, struct json_object *obj,
		       const struct ep_attr_spec *tab, size_t n_tab, const char *owner,
		       struct ep_value **out, size_t *n_out)
{
	size_t n = (size_t)json_object_object_length(obj), i = 0;
	struct ep_value *vals = calloc(n ? n : 1, sizeof(*vals));

	if (!vals)
		return -ENOMEM;
	json_object_object_foreach(obj, key, val) {
		_cleanup_free_ char *p = ep_pointer_append(ptr, key);
		const struct ep_attr_spec *spec = NULL;
		struct ep_value *v = &vals[i];
		uint64_t num = 0;

		if (!p)
			goto oom;
		if (!owner || owner[0]) {
			spec = ep_attr_lookup(tab, n_tab, key);
			if (!spec) {
				ep_diag_add(d, p, "unknown-key", "unknown attribute \"%s\"%s%s", key,
					    owner ? " for driver " : "", owner ? owner : "");
				continue;
			}
			if (!typed_number(d, p, key, val, spec->min, spec->max,
					  spec->flags & EP_A_HEX, &num))
				continue;
			v->spec = spec;
			v->is_num = true;
			v->num = num;
		} else {
			/* unknown driver: the kernel decides, we only keep the path and value safe */
			if (!ep_name_is_safe(key, EPDMA_NAME_MAX)) {
				ep_diag_add(d, p, "name", "attribute name \"%s\" is not a safe configfs "
					    "file name", key);
				continue;
			}
			int64_t iv;

			if (integral_double(val, &iv)) {
				v->json_int = true;
				v->is_num = iv >= 0;
				v->num = (uint64_t)iv;
			} else if (json_object_is_type(val, json_type_int)) {
				v->json_int = true;
				v->is_num = json_object_get_int64(val) >= 0;
				v->num = json_object_get_uint64(val);
			} else if (!json_object_is_type(val, json_type_string)) {
				ep_diag_add(d, p, "type", "%s: expected an integer or a string, not %s",
					    key, type_name(val));
				continue;
			} else if (!string_is_clean(val, MAX_TEXT) ||
				   json_object_get_string_len(val) == 0) {
				ep_diag_add(d, p, "format", "%s: a string value must be 1..%d "
					    "printable characters", key, MAX_TEXT);
				continue;
			}
		}
		v->name = strdup(key);
		v->text = dup_value_text(val);
		v->pointer = TAKE_PTR(p);
		if (!v->name || !v->text)
			goto oom;
		i++;
	}
	*out = vals;
	*n_out = i;
	return 0;
oom:
	for (size_t k = 0; k <= i && k < n; k++)
		value_free(&vals[k]);
	free(vals);
	return -ENOMEM;
}

static const struct ep_value *find_value(const struct ep_value *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

struct region {
	const struct ep_value *who;
	uint64_t start, size;	/* size 0: the DMA slice, whose size the kernel decides */
};

/* Windows, BARs and the DMA slice of pci_epf_vntb / pci_epf_ntb. */
static void cross_check(struct ep_diag *d, struct ep_function *f)
{
	const struct ep_value *num_mws = find_value(f->dattrs, f->n_dattrs, "num_mws");
	uint64_t nmw = num_mws ? num_mws->num : 0;
	const struct ep_value *bar_of[6][8] = { { 0 } };
	struct region regs[6][8];
	size_t nbar[6] = { 0 };

	for (size_t i = 0; i < f->n_dattrs; i++) {
		const struct ep_value *v = &f->dattrs[i];

		if (!v->spec || !(v->spec->flags & EP_A_MW) || (uint64_t)v->spec->mw <= nmw)
			continue;
		if (num_mws)
			ep_diag_add(d, v->pointer, "num-mws",
				    "\"%s\" is for window %d but num_mws is %llu", v->name,
				    v->spec->mw, (unsigned long long)nmw);
		else
			ep_diag_add(d, v->pointer, "num-mws",
				    "\"%s\" is for window %d but num_mws is not set", v->name,
				    v->spec->mw);
	}
	for (uint64_t w = 1; w <= nmw; w++) {
		char name[8];

		snprintf(name, sizeof(name), "mw%llu", (unsigned long long)w);
		if (!find_value(f->dattrs, f->n_dattrs, name))
			ep_diag_add(d, num_mws->pointer, "required",
				    "num_mws is %llu but \"%s\" (the size of window %llu) is missing",
				    (unsigned long long)nmw, name, (unsigned long long)w);
	}
	if (strcmp(f->driver, "pci_epf_vntb"))
		return;

	if (!find_value(f->dattrs, f->n_dattrs, "dma_bar")) {
		static const char *const needs_dma_bar[] = { "dma_offset", "dma_num_chans" };

		for (size_t i = 0; i < ARRAY_SIZE(needs_dma_bar); i++) {
			const struct ep_value *v = find_value(f->dattrs, f->n_dattrs,
							      needs_dma_bar[i]);

			if (v)
				ep_diag_add(d, v->pointer, "requires",
					    "\"%s\" has no effect without \"dma_bar\"", v->name);
		}
	}

	/* Collect who claims which BAR. ctrl and db BARs are exclusive; windows and the DMA
	 * slice may share one BAR at distinct, non-overlapping offsets. */
	for (size_t i = 0; i < f->n_dattrs; i++) {
		const struct ep_value *v = &f->dattrs[i];
		size_t b;

		if (!v->spec || !(v->spec->flags & EP_A_BAR) || v->num > 5)
			continue;
		if (v->spec->flags & EP_A_MW && (uint64_t)v->spec->mw > nmw)
			continue;
		b = (size_t)v->num;
		if (nbar[b] < ARRAY_SIZE(bar_of[b]))
			bar_of[b][nbar[b]++] = v;
	}
	for (size_t b = 0; b < 6; b++) {
		size_t nr = 0;

		for (size_t k = 1; k < nbar[b]; k++) {
			const struct ep_value *x = bar_of[b][k];

			for (size_t j = 0; j < k; j++) {
				const struct ep_value *y = bar_of[b][j];
				bool shareable = (x->spec->flags & EP_A_MW || !strcmp(x->name, "dma_bar")) &&
						 (y->spec->flags & EP_A_MW || !strcmp(y->name, "dma_bar"));

				if (!shareable) {
					ep_diag_add(d, x->pointer, "bar-conflict",
						    "BAR %zu is already used by \"%s\"; only memory "
						    "windows and the DMA slice may share a BAR", b,
						    y->name);
					goto next_bar;
				}
			}
		}
		/* shared BAR: regions must not overlap */
		for (size_t k = 0; k < nbar[b]; k++) {
			const struct ep_value *v = bar_of[b][k];
			char key[16];
			const struct ep_value *off, *size;

			if (v->spec->flags & EP_A_MW) {
				snprintf(key, sizeof(key), "mw%d_offset", v->spec->mw);
				off = find_value(f->dattrs, f->n_dattrs, key);
				snprintf(key, sizeof(key), "mw%d", v->spec->mw);
				size = find_value(f->dattrs, f->n_dattrs, key);
				regs[b][nr].size = size ? size->num : 0;
			} else {
				off = find_value(f->dattrs, f->n_dattrs, "dma_offset");
				regs[b][nr].size = 0;
			}
			regs[b][nr].start = off ? off->num : 0;
			regs[b][nr].who = v;
			nr++;
		}
		for (size_t k = 1; k < nr; k++) {
			for (size_t j = 0; j < k; j++) {
				struct region *x = &regs[b][k], *y = &regs[b][j];
				uint64_t xe = x->start + (x->size ? x->size : 1);
				uint64_t ye = y->start + (y->size ? y->size : 1);

				if (x->start < ye && y->start < xe) {
					ep_diag_add(d, x->who->pointer, "bar-conflict",
						    "\"%s\" and \"%s\" overlap in BAR %zu (offsets 0x%llx "
						    "and 0x%llx); set distinct *_offset values",
						    x->who->name, y->who->name, b,
						    (unsigned long long)x->start,
						    (unsigned long long)y->start);
					goto next_bar;
				}
			}
		}
next_bar:;
	}
}

static int parse_function(struct ep_diag *d, const char *ptr, struct json_object *o,
			  struct ep_function *f)
{
	static const char *const keys[] = { "name", "driver", "attributes", "driver_attributes" };
	struct json_object *name, *driver, *attrs, *dattrs;
	size_t before = d->count;
	int r;

	f->pointer = strdup(ptr);
	if (!f->pointer)
		return -ENOMEM;
	if (!json_object_is_type(o, json_type_object)) {
		ep_diag_add(d, ptr, "type", "a function must be an object, not %s", type_name(o));
		return 0;
	}
	json_object_object_foreach(o, key, val) {
		bool known = false;

		(void)val;
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			known |= !strcmp(key, keys[i]);
		if (!known) {
			_cleanup_free_ char *p = ep_pointer_append(ptr, key);

			ep_diag_add(d, p, "unknown-key", "unknown key \"%s\" in a function", key);
		}
	}
	if (!json_object_object_get_ex(o, "name", &name)) {
		ep_diag_add(d, ptr, "required", "a function needs a \"name\"");
	} else {
		_cleanup_free_ char *p = ep_pointer_append(ptr, "name");

		if (check_name(d, p, "the function name", name, EPDMA_NAME_MAX))
			f->name = strdup(json_object_get_string(name));
	}
	if (!json_object_object_get_ex(o, "driver", &driver)) {
		ep_diag_add(d, ptr, "required", "a function needs a \"driver\"");
	} else {
		_cleanup_free_ char *p = ep_pointer_append(ptr, "driver");

		if (check_name(d, p, "the driver name", driver, EPDMA_NAME_MAX)) {
			f->driver = strdup(json_object_get_string(driver));
			f->dspec = f->driver ? ep_driver_lookup(f->driver) : NULL;
		}
	}
	if (json_object_object_get_ex(o, "attributes", &attrs)) {
		_cleanup_free_ char *p = ep_pointer_append(ptr, "attributes");

		if (!json_object_is_type(attrs, json_type_object)) {
			ep_diag_add(d, p, "type", "\"attributes\" must be an object, not %s",
				    type_name(attrs));
		} else {
			r = parse_attrs(d, p, attrs, ep_header_attrs, ep_n_header_attrs, NULL,
					&f->attrs, &f->n_attrs);
			if (r < 0)
				return r;
		}
	}
	if (json_object_object_get_ex(o, "driver_attributes", &dattrs)) {
		_cleanup_free_ char *p = ep_pointer_append(ptr, "driver_attributes");

		if (!json_object_is_type(dattrs, json_type_object)) {
			ep_diag_add(d, p, "type", "\"driver_attributes\" must be an object, not %s",
				    type_name(dattrs));
		} else if (f->driver) {
			const struct ep_attr_spec *tab = f->dspec ? f->dspec->attrs : NULL;
			size_t n = f->dspec ? f->dspec->n_attrs : 0;

			r = parse_attrs(d, p, dattrs, tab, n, f->dspec ? f->driver : "",
					&f->dattrs, &f->n_dattrs);
			if (r < 0)
				return r;
		}
	}
	if (d->count == before && f->dspec && f->dspec->has_subgroup)
		cross_check(d, f);
	return 0;
}

static int parse_endpoint(struct ep_diag *d, struct json_object *root, struct epdma_profile *p)
{
	struct json_object *o;

	if (!json_object_object_get_ex(root, "controller", &o))
		ep_diag_add(d, "", "required", "an endpoint profile needs a \"controller\"");
	else if (check_name(d, "/controller", "the controller name", o, EPDMA_NAME_MAX) &&
		 !(p->controller = strdup(json_object_get_string(o))))
		return -ENOMEM;
	if (json_object_object_get_ex(root, "start", &o)) {
		if (!json_object_is_type(o, json_type_boolean))
			ep_diag_add(d, "/start", "type", "\"start\" must be true or false, not %s",
				    type_name(o));
		else
			p->start = json_object_get_boolean(o);
	}
	if (!json_object_object_get_ex(root, "functions", &o)) {
		ep_diag_add(d, "", "required", "an endpoint profile needs \"functions\"");
		return 0;
	}
	if (!json_object_is_type(o, json_type_array)) {
		ep_diag_add(d, "/functions", "type", "\"functions\" must be an array, not %s",
			    type_name(o));
		return 0;
	}
	p->n_functions = json_object_array_length(o);
	if (p->n_functions < 1 || p->n_functions > MAX_FUNCTIONS) {
		ep_diag_add(d, "/functions", "range", "\"functions\" must list 1..%d functions, "
			    "not %zu", MAX_FUNCTIONS, p->n_functions);
		p->n_functions = 0;
		return 0;
	}
	p->functions = calloc(p->n_functions, sizeof(*p->functions));
	if (!p->functions)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_functions; i++) {
		_cleanup_free_ char *ptr = ep_pointer_index("/functions", i);
		int r;

		if (!ptr)
			return -ENOMEM;
		r = parse_function(d, ptr, json_object_array_get_idx(o, i), &p->functions[i]);
		if (r < 0)
			return r;
		for (size_t j = 0; j < i; j++) {
			if (p->functions[i].name && p->functions[j].name &&
			    !strcmp(p->functions[i].name, p->functions[j].name)) {
				_cleanup_free_ char *np = ep_pointer_append(ptr, "name");

				ep_diag_add(d, np, "unique",
					    "function name \"%s\" is already used by /functions/%zu",
					    p->functions[i].name, j);
				break;
			}
		}
	}
	return 0;
}

static int parse_host(struct ep_diag *d, struct json_object *root, struct epdma_profile *p)
{
	struct json_object *o, *v;

	if (!json_object_object_get_ex(root, "match", &o)) {
		ep_diag_add(d, "", "required", "a host profile needs \"match\"");
	} else if (!json_object_is_type(o, json_type_object)) {
		ep_diag_add(d, "/match", "type", "\"match\" must be an object, not %s",
			    type_name(o));
	} else {
		uint64_t vendor = 0, device = 0;
		bool ok = true;

		json_object_object_foreach(o, key, val) {
			(void)val;
			if (strcmp(key, "vendor") && strcmp(key, "device")) {
				_cleanup_free_ char *ptr = ep_pointer_append("/match", key);

				ep_diag_add(d, ptr, "unknown-key", "unknown key \"%s\" in \"match\"",
					    key);
				ok = false;
			}
		}
		if (!json_object_object_get_ex(o, "vendor", &v)) {
			ep_diag_add(d, "/match", "required", "\"match\" needs \"vendor\"");
			ok = false;
		} else {
			ok &= typed_number(d, "/match/vendor", "vendor", v, 0, 0xffff, true, &vendor);
		}
		if (!json_object_object_get_ex(o, "device", &v)) {
			ep_diag_add(d, "/match", "required", "\"match\" needs \"device\"");
			ok = false;
		} else {
			ok &= typed_number(d, "/match/device", "device", v, 0, 0xffff, true, &device);
		}
		if (ok) {
			p->has_match = true;
			p->match_vendor = (uint16_t)vendor;
			p->match_device = (uint16_t)device;
		}
	}
	if (!json_object_object_get_ex(root, "modules", &o))
		return 0;
	if (!json_object_is_type(o, json_type_array)) {
		ep_diag_add(d, "/modules", "type", "\"modules\" must be an array, not %s",
			    type_name(o));
		return 0;
	}
	if (json_object_array_length(o) > MAX_MODULES) {
		ep_diag_add(d, "/modules", "range", "at most %d modules", MAX_MODULES);
		return 0;
	}
	p->modules = calloc(json_object_array_length(o) + 1, sizeof(char *));
	if (!p->modules)
		return -ENOMEM;
	for (size_t i = 0; i < json_object_array_length(o); i++) {
		_cleanup_free_ char *ptr = ep_pointer_index("/modules", i);
		struct json_object *m = json_object_array_get_idx(o, i);
		const char *s;
		bool ok;

		if (!json_object_is_type(m, json_type_string)) {
			ep_diag_add(d, ptr, "type", "a module name must be a string, not %s",
				    type_name(m));
			continue;
		}
		s = json_object_get_string(m);
		ok = string_is_clean(m, EPDMA_NAME_MAX) && s[0];
		for (const char *c = s; ok && *c; c++)
			ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			     (*c >= '0' && *c <= '9') || *c == '_' || *c == '-';
		if (!ok) {
			ep_diag_add(d, ptr, "name", "module names are 1..%d characters of "
				    "A-Z a-z 0-9 _ -", EPDMA_NAME_MAX);
			continue;
		}
		p->modules[p->n_modules] = strdup(s);
		if (!p->modules[p->n_modules])
			return -ENOMEM;
		p->n_modules++;
	}
	return 0;
}

int ep_profile_build(struct json_object *root, struct ep_diag *d, struct epdma_profile **out)
{
	static const char *const common[] = { "version", "name", "role", "description" };
	static const char *const endpoint[] = { "controller", "functions", "start" };
	static const char *const host[] = { "match", "modules" };
	struct epdma_profile *p;
	struct json_object *o;
	size_t before = d->count;
	int r;

	if (!json_object_is_type(root, json_type_object)) {
		ep_diag_add(d, "", "type", "a profile must be a JSON object, not %s",
			    type_name(root));
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->role = EPDMA_ROLE_ENDPOINT;

	if (!json_object_object_get_ex(root, "version", &o)) {
		ep_diag_add(d, "", "required", "a profile needs \"version\": 1");
	} else if (!json_object_is_type(o, json_type_int) || json_object_get_int64(o) != 1) {
		ep_diag_add(d, "/version", "version",
			    "unsupported version %s (this epdma reads version 1)",
			    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	}
	if (!json_object_object_get_ex(root, "name", &o))
		ep_diag_add(d, "", "required", "a profile needs a \"name\"");
	else if (check_name(d, "/name", "the profile name", o, EPDMA_NAME_MAX) &&
		 !(p->name = strdup(json_object_get_string(o))))
		goto oom;
	if (json_object_object_get_ex(root, "description", &o)) {
		if (!json_object_is_type(o, json_type_string) || !string_is_clean(o, MAX_DESCRIPTION))
			ep_diag_add(d, "/description", "format", "\"description\" must be a string "
				    "of at most %d printable characters", MAX_DESCRIPTION);
		else if (!(p->description = strdup(json_object_get_string(o))))
			goto oom;
	}
	if (json_object_object_get_ex(root, "role", &o)) {
		const char *s = json_object_is_type(o, json_type_string) ?
					json_object_get_string(o) : "";

		if (!strcmp(s, "host"))
			p->role = EPDMA_ROLE_HOST;
		else if (strcmp(s, "endpoint"))
			ep_diag_add(d, "/role", "enum", "\"role\" must be \"endpoint\" or \"host\"");
	}
	json_object_object_foreach(root, key, val) {
		bool ok = false;

		(void)val;
		for (size_t i = 0; i < ARRAY_SIZE(common); i++)
			ok |= !strcmp(key, common[i]);
		for (size_t i = 0; !ok && i < ARRAY_SIZE(endpoint); i++) {
			if (strcmp(key, endpoint[i]))
				continue;
			ok = true;
			if (p->role == EPDMA_ROLE_HOST) {
				_cleanup_free_ char *ptr = ep_pointer_append("", key);

				ep_diag_add(d, ptr, "role", "\"%s\" is only for role \"endpoint\"",
					    key);
			}
		}
		for (size_t i = 0; !ok && i < ARRAY_SIZE(host); i++) {
			if (strcmp(key, host[i]))
				continue;
			ok = true;
			if (p->role == EPDMA_ROLE_ENDPOINT) {
				_cleanup_free_ char *ptr = ep_pointer_append("", key);

				ep_diag_add(d, ptr, "role", "\"%s\" is only for role \"host\"", key);
			}
		}
		if (!ok) {
			_cleanup_free_ char *ptr = ep_pointer_append("", key);

			ep_diag_add(d, ptr, "unknown-key", "unknown key \"%s\"", key);
		}
	}
	r = p->role == EPDMA_ROLE_HOST ? parse_host(d, root, p) : parse_endpoint(d, root, p);
	if (r < 0) {
		epdma_profile_free(p);
		return r;
	}
	if (d->count != before) {
		epdma_profile_free(p);
		return -EINVAL;
	}
	*out = p;
	return 0;
oom:
	epdma_profile_free(p);
	return -ENOMEM;
}

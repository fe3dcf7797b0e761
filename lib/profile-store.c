// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The set of profiles found in a directory (/etc/epdma/profiles.d): every *.json file is
 * loaded and validated on its own, so one broken file costs only itself. Files are read in
 * name order and conflicts (two profiles with one name, two endpoint profiles for one
 * controller, two host profiles for one PCI ID) are resolved in favour of the first file,
 * so the result does not depend on readdir order.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "epdma-private.h"

struct epdma_profile_store {
	struct epdma_profile **profiles;
	size_t n_profiles;
	struct epdma_error *invalid;
	size_t n_invalid;
	char dir[EP_PATH_MAX];
};

void epdma_profile_store_free(struct epdma_profile_store *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_profiles; i++)
		epdma_profile_free(s->profiles[i]);
	free(s->profiles);
	free(s->invalid);
	free(s);
}

static bool is_profile_file(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 5 && !strcmp(name + len - 5, ".json");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_invalid(struct epdma_profile_store *s, const struct epdma_error *e)
{
	struct epdma_error *n = realloc(s->invalid, (s->n_invalid + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	s->invalid = n;
	s->invalid[s->n_invalid++] = *e;
	return 0;
}

/* Does @p clash with a profile already accepted? Fills @e and returns true if so. */
static bool conflicts(const struct epdma_profile_store *s, const struct epdma_profile *p,
		      const char *path, struct epdma_error *e)
{
	uint16_t v1, d1, v2, d2;
	size_t i;

	for (i = 0; i < s->n_profiles; i++) {
		const struct epdma_profile *q = s->profiles[i];

		if (!strcmp(epdma_profile_get_name(p), epdma_profile_get_name(q))) {
			ep_error_set(e, -EEXIST, path, "/name", "duplicate", NULL,
				     "profile name '%s' is already used by %s",
				     epdma_profile_get_name(p), epdma_profile_get_file(q));
			return true;
		}
		if (epdma_profile_get_role(p) != epdma_profile_get_role(q))
			continue;
		if (epdma_profile_get_role(p) == EPDMA_ROLE_ENDPOINT &&
		    !strcmp(epdma_profile_get_controller(p), epdma_profile_get_controller(q))) {
			ep_error_set(e, -EEXIST, path, "/controller", "duplicate", NULL,
				     "controller '%s' is already configured by profile '%s' (%s)",
				     epdma_profile_get_controller(p), epdma_profile_get_name(q),
				     epdma_profile_get_file(q));
			return true;
		}
		if (epdma_profile_get_role(p) == EPDMA_ROLE_HOST &&
		    epdma_profile_get_match(p, &v1, &d1) == 0 &&
		    epdma_profile_get_match(q, &v2, &d2) == 0 && v1 == v2 && d1 == d2) {
			ep_error_set(e, -EEXIST, path, "/match", "duplicate", NULL,
				     "PCI ID %04x:%04x is already matched by profile '%s' (%s)",
				     v1, d1, epdma_profile_get_name(q), epdma_profile_get_file(q));
			return true;
		}
	}
	return false;
}

int epdma_profile_store_load(struct epdma_ctx *ctx, const char *dir,
			     struct epdma_profile_store **out, struct epdma_error *err)
{
	struct epdma_profile_store *s;
	char **names = NULL;
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;
	int r = 0;

	*out = NULL;
	ep_error_clear(err);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (ep_strlcpy(s->dir, dir, sizeof(s->dir)) < 0) {
		free(s);
		return ep_error_set(err, -ENAMETOOLONG, dir, NULL, "path", NULL,
				    "profile directory path too long");
	}

	d = opendir(dir);
	if (!d) {
		r = -errno;
		/* A missing directory is an empty store; the caller decides whether to care. */
		if (r == -ENOENT) {
			*out = s;
			return ep_error_set(err, -ENOENT, dir, NULL, "missing", NULL,
					    "profile directory does not exist");
		}
		free(s);
		return ep_error_set(err, r, dir, NULL, "io", NULL,
				    "cannot open profile directory: %s", strerror(-r));
	}
	while ((de = readdir(d))) {
		char **nn;

		if (!is_profile_file(de->d_name))
			continue;
		if (n >= EPDMA_PROFILE_STORE_MAX_FILES) {
			struct epdma_error e;

			ep_error_set(&e, -E2BIG, dir, NULL, "too-many", NULL,
				     "more than %d profile files; the rest are ignored",
				     EPDMA_PROFILE_STORE_MAX_FILES);
			add_invalid(s, &e);
			break;
		}
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			r = -ENOMEM;
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (r == 0 && n)
		qsort(names, n, sizeof(*names), cmp_str);

	for (i = 0; r == 0 && i < n; i++) {
		struct epdma_profile *p = NULL, **np;
		struct epdma_error e;
		char path[EP_PATH_MAX];
		struct stat st;
		int q;

		if (ep_path_join(path, sizeof(path), dir, names[i]) < 0) {
			ep_error_set(&e, -ENAMETOOLONG, names[i], NULL, "path", NULL,
				     "path too long");
			r = add_invalid(s, &e);
			continue;
		}
		/* Only regular files: a FIFO named x.json must not block the daemon. */
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			ep_error_set(&e, -EINVAL, path, NULL, "not-a-file", NULL,
				     "not a regular file");
			r = add_invalid(s, &e);
			continue;
		}
		q = epdma_profile_load(ctx, path, &p, &e);
		if (q < 0) {
			if (q == -ENOMEM) {
				r = q;
				break;
			}
			if (!e.file[0])
				ep_strlcpy(e.file, path, sizeof(e.file));
			r = add_invalid(s, &e);
			continue;
		}
		if (conflicts(s, p, path, &e)) {
			epdma_profile_free(p);
			r = add_invalid(s, &e);
			continue;
		}
		np = realloc(s->profiles, (s->n_profiles + 1) * sizeof(*np));
		if (!np) {
			epdma_profile_free(p);
			r = -ENOMEM;
			break;
		}
		s->profiles = np;
		s->profiles[s->n_profiles++] = p;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (r < 0) {
		epdma_profile_store_free(s);
		return ep_error_set(err, r, dir, NULL, "io", NULL, "cannot load profiles: %s",
				    strerror(-r));
	}
	*out = s;
	return 0;
}

size_t epdma_profile_store_count(const struct epdma_profile_store *s)
{
	return s ? s->n_profiles : 0;
}

const struct epdma_profile *epdma_profile_store_get(const struct epdma_profile_store *s, size_t i)
{
	return s && i < s->n_profiles ? s->profiles[i] : NULL;
}

size_t epdma_profile_store_invalid_count(const struct epdma_profile_store *s)
{
	return s ? s->n_invalid : 0;
}

const struct epdma_error *epdma_profile_store_invalid(const struct epdma_profile_store *s,
						      size_t i)
{
	return s && i < s->n_invalid ? &s->invalid[i] : NULL;
}

const struct epdma_profile *epdma_profile_store_find(const struct epdma_profile_store *s,
						     const char *name)
{
	for (size_t i = 0; s && name && i < s->n_profiles; i++)
		if (!strcmp(epdma_profile_get_name(s->profiles[i]), name))
			return s->profiles[i];
	return NULL;
}

const struct epdma_profile *
epdma_profile_store_match_controller(const struct epdma_profile_store *s, const char *controller)
{
	for (size_t i = 0; s && controller && i < s->n_profiles; i++) {
		const struct epdma_profile *p = s->profiles[i];

		if (epdma_profile_get_role(p) == EPDMA_ROLE_ENDPOINT &&
		    !strcmp(epdma_profile_get_controller(p), controller))
			return p;
	}
	return NULL;
}

const struct epdma_profile *epdma_profile_store_match_pci(const struct epdma_profile_store *s,
							  uint16_t vendor, uint16_t device)
{
	uint16_t v, d;

	for (size_t i = 0; s && i < s->n_profiles; i++) {
		const struct epdma_profile *p = s->profiles[i];

		if (epdma_profile_get_role(p) == EPDMA_ROLE_HOST &&
		    epdma_profile_get_match(p, &v, &d) == 0 && v == vendor && d == device)
			return p;
	}
	return NULL;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* epdmactl profile validate|plan|apply|diff|export|clear */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "epdmactl.h"

#define MAX_REPORTED_ERRORS 64

static void profile_usage(FILE *f)
{
	fputs("Usage: epdmactl [--json] profile COMMAND ...\n"
	      "\n"
	      "  validate FILE...             check profiles, report every problem\n"
	      "  plan FILE [--json]           list the configfs operations apply would do now\n"
	      "  apply FILE [--dry-run]       apply as a transaction (rolled back on failure)\n"
	      "  diff FILE                    compare a profile with the live tree\n"
	      "  export [--function NAME] [--controller NAME]\n"
	      "                               print the live configuration as a profile\n"
	      "  clear NAME --yes             stop, unlink and remove the functions of the\n"
	      "                               profile (or the function) called NAME\n",
	      f);
}

static void print_error_json(struct out *o, const struct epdma_error *e)
{
	out_open_object(o, "error");
	out_string(o, "message", NULL, e->message);
	out_string(o, "rule", NULL, e->rule);
	if (e->file[0])
		out_string(o, "file", NULL, e->file);
	if (e->pointer[0])
		out_string(o, "pointer", NULL, e->pointer);
	if (e->path[0])
		out_string(o, "path", NULL, e->path);
	out_int(o, "errno", NULL, -e->code);
	out_close_object(o);
}

/* ---- validate ---- */

static int do_validate(struct cli *cli, int argc, char **argv)
{
	struct epdma_error *errs;
	struct out *o = cli->out;
	int rc = EPDMA_EXIT_OK;

	if (argc < 1) {
		cli_err(cli, "profile validate: give at least one FILE");
		return EPDMA_EXIT_USAGE;
	}
	errs = calloc(MAX_REPORTED_ERRORS, sizeof(*errs));
	if (!errs)
		return EPDMA_EXIT_FAILED;
	out_open_object(o, NULL);
	out_int(o, "version", NULL, 1);
	out_open_array(o, "files");
	for (int i = 0; i < argc; i++) {
		size_t n = 0;
		int r = epdma_profile_check(cli->ctx, argv[i], errs, MAX_REPORTED_ERRORS, &n);

		out_open_object(o, NULL);
		out_string(o, "file", NULL, argv[i]);
		out_bool(o, "valid", NULL, r == 0);
		if (r == 0)
			out_text(o, "%s: valid\n", argv[i]);
		out_open_array(o, "errors");
		for (size_t k = 0; k < n && k < MAX_REPORTED_ERRORS; k++) {
			const struct epdma_error *e = &errs[k];

			out_open_object(o, NULL);
			out_string(o, "file", "%s: ", e->file[0] ? e->file : argv[i]);
			out_string(o, "pointer", e->pointer[0] ? "%s: " : NULL, e->pointer);
			out_string(o, "message", "%s", e->message);
			out_string(o, "rule", " [%s]\n", e->rule);
			out_close_object(o);
		}
		if (n > MAX_REPORTED_ERRORS)
			out_text(o, "%s: ... and %zu more\n", argv[i], n - MAX_REPORTED_ERRORS);
		out_close_array(o);
		out_close_object(o);
		if (r == -EINVAL || r == -EFBIG || r == -EILSEQ) {
			if (rc == EPDMA_EXIT_OK)
				rc = EPDMA_EXIT_DATAERR;
		} else if (r < 0) {
			rc = epdma_exit_code(r) == EPDMA_EXIT_DATAERR ? EPDMA_EXIT_DATAERR :
									  EPDMA_EXIT_NOINPUT;
		}
	}
	out_close_array(o);
	out_close_object(o);
	free(errs);
	return rc;
}

/* Load one profile, reporting problems on stderr; returns an exit code. */
static int load_one(struct cli *cli, const char *path, struct epdma_profile **p)
{
	struct epdma_error err;
	int r = epdma_profile_load(cli->ctx, path, p, &err);

	if (r == 0)
		return EPDMA_EXIT_OK;
	cli_err_lib(cli, &err);
	if (r == -EINVAL || r == -EFBIG)
		return EPDMA_EXIT_DATAERR;
	return r == -ENOENT || r == -EISDIR ? EPDMA_EXIT_NOINPUT : epdma_exit_code(r);
}

/* Apply/plan failures: an operation that failed is exit 1 unless it was a permission,
 * a timeout or a missing device; everything before the first operation maps by errno. */
static int op_exit_code(int r, long failed_op)
{
	if (failed_op < 0)
		return epdma_exit_code(r);
	switch (r) {
	case -EACCES:
	case -EPERM:
		return EPDMA_EXIT_NOPERM;
	case -ETIMEDOUT:
		return EPDMA_EXIT_TEMPFAIL;
	default:
		return EPDMA_EXIT_FAILED;
	}
}

static void print_plan(struct out *o, const struct epdma_plan *plan)
{
	size_t n = epdma_plan_count(plan);

	out_open_array(o, "operations");
	for (size_t i = 0; i < n; i++) {
		const struct epdma_op *op = epdma_plan_op(plan, i);

		out_open_object(o, NULL);
		out_text(o, "%3zu ", i + 1);
		out_string(o, "op", "%-6s ", epdma_op_type_name(op->type));
		out_string(o, "path", "%s", op->path);
		if (op->type == EPDMA_OP_WRITE)
			out_string(o, "value", " = %s", op->value);
		else if (op->type == EPDMA_OP_LINK)
			out_string(o, "value", " -> %s", op->value);
		if (op->type == EPDMA_OP_WRITE && op->old)
			out_text(o, "   (now %s)", op->old);
		out_text(o, "\n");
		out_close_object(o);
	}
	out_close_array(o);
	if (n == 0)
		out_text(o, "nothing to do: the live tree matches the profile\n");
}

static int do_plan(struct cli *cli, int argc, char **argv)
{
	struct epdma_profile *p = NULL;
	struct epdma_plan *plan = NULL;
	struct epdma_error err;
	const char *file = NULL;
	int rc, r;

	for (int i = 0; i < argc; i++) {
		if (argv[i][0] == '-' || file) {
			cli_err(cli, "profile plan: unexpected argument '%s'", argv[i]);
			return EPDMA_EXIT_USAGE;
		}
		file = argv[i];
	}
	if (!file) {
		cli_err(cli, "profile plan: give one FILE");
		return EPDMA_EXIT_USAGE;
	}
	rc = load_one(cli, file, &p);
	if (rc)
		return rc;
	r = epdma_plan_new(cli->ctx, p, &plan, &err);
	if (r < 0) {
		cli_err_lib(cli, &err);
		epdma_profile_free(p);
		return epdma_exit_code(r);
	}
	out_open_object(cli->out, NULL);
	out_int(cli->out, "version", NULL, 1);
	print_plan(cli->out, plan);
	out_close_object(cli->out);
	epdma_plan_free(plan);
	epdma_profile_free(p);
	return EPDMA_EXIT_OK;
}

static int do_apply(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct epdma_apply_report rep = { .failed_op = -1 };
	struct epdma_profile *p = NULL;
	struct epdma_error err = { 0 };
	unsigned int flags = 0;
	struct out *o;
	int c, rc, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+nh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			flags |= EPDMA_APPLY_DRY_RUN;
			break;
		case 'h':
			profile_usage(stdout);
			return EPDMA_EXIT_OK;
		default:
			return EPDMA_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_err(cli, "profile apply: give exactly one FILE");
		return EPDMA_EXIT_USAGE;
	}
	rc = load_one(cli, argv[optind], &p);
	if (rc)
		return rc;
	r = epdma_profile_apply(cli->ctx, p, flags, &rep, &err);
	o = cli->out;
	out_open_object(o, NULL);
	out_int(o, "version", NULL, 1);
	out_string(o, "profile", NULL, epdma_profile_get_name(p));
	out_bool(o, "dry_run", NULL, flags & EPDMA_APPLY_DRY_RUN);
	out_uint(o, "operations_total", NULL, rep.ops_total);
	out_uint(o, "operations_done", NULL, rep.ops_done);
	if (rep.failed_op >= 0)
		out_int(o, "failed_operation", NULL, rep.failed_op + 1);
	else
		out_null(o, "failed_operation", NULL);
	out_bool(o, "rolled_back", NULL, rep.rolled_back);
	if (r < 0) {
		print_error_json(o, &err);
		cli_err_lib(cli, &err);
		rc = op_exit_code(r, rep.failed_op);
	} else if (flags & EPDMA_APPLY_DRY_RUN) {
		out_text(o, "%s: dry run, %zu operation(s) would be performed\n",
			 epdma_profile_get_name(p), rep.ops_total);
	} else if (rep.ops_total == 0) {
		out_text(o, "%s: already live, nothing written\n", epdma_profile_get_name(p));
	} else {
		out_text(o, "%s: applied, %zu operation(s)\n", epdma_profile_get_name(p),
			 rep.ops_done);
	}
	out_close_object(o);
	epdma_profile_free(p);
	return rc;
}

static int do_diff(struct cli *cli, int argc, char **argv)
{
	struct epdma_profile *p = NULL;
	struct epdma_diff *d = NULL;
	struct epdma_error err;
	struct out *o = cli->out;
	size_t n;
	int rc, r;

	if (argc != 1) {
		cli_err(cli, "profile diff: give exactly one FILE");
		return EPDMA_EXIT_USAGE;
	}
	rc = load_one(cli, argv[0], &p);
	if (rc)
		return rc;
	r = epdma_diff_new(cli->ctx, p, &d, &err);
	if (r < 0) {
		cli_err_lib(cli, &err);
		epdma_profile_free(p);
		return epdma_exit_code(r);
	}
	n = epdma_diff_count(d);
	out_open_object(o, NULL);
	out_int(o, "version", NULL, 1);
	out_bool(o, "in_sync", NULL, n == 0);
	out_open_array(o, "differences");
	for (size_t i = 0; i < n; i++) {
		const struct epdma_diff_entry *e = epdma_diff_entry(d, i);

		out_open_object(o, NULL);
		out_string(o, "kind", NULL, epdma_diff_kind_name(e->kind));
		switch (e->kind) {
		case EPDMA_DIFF_MISSING:
			out_string(o, "path", "+ %s", e->path);
			out_string(o, "desired", " = %s\n", e->desired);
			break;
		case EPDMA_DIFF_CHANGED:
			out_string(o, "path", "~ %s", e->path);
			out_string(o, "live", ": %s", e->live);
			out_string(o, "desired", " -> %s\n", e->desired);
			break;
		case EPDMA_DIFF_EXTRA:
			out_string(o, "path", "- %s", e->path);
			out_string(o, "live", " -> %s (not in the profile)\n", e->live);
			break;
		}
		out_close_object(o);
	}
	out_close_array(o);
	if (n == 0)
		out_text(o, "in sync: the live tree matches the profile\n");
	out_close_object(o);
	epdma_diff_free(d);
	epdma_profile_free(p);
	/* like diff(1): 1 means "differences found" */
	return n ? EPDMA_EXIT_FAILED : EPDMA_EXIT_OK;
}

static int do_export(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "function", required_argument, NULL, 'f' },
		{ "controller", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *function = NULL, *controller = NULL;
	struct epdma_error err;
	char *text = NULL;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+f:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			function = optarg;
			break;
		case 'c':
			controller = optarg;
			break;
		case 'h':
			profile_usage(stdout);
			return EPDMA_EXIT_OK;
		default:
			return EPDMA_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cli_err(cli, "profile export: unexpected argument '%s'", argv[optind]);
		return EPDMA_EXIT_USAGE;
	}
	r = epdma_export(cli->ctx, controller, function, true, &text, &err);
	if (r < 0) {
		cli_err_lib(cli, &err);
		return epdma_exit_code(r);
	}
	/* the profile is the document, in text mode too (it is meant to be saved) */
	out_json_raw(cli->out, NULL, text);
	if (!out_is_json(cli->out))
		out_text(cli->out, "\n");
	free(text);
	return EPDMA_EXIT_OK;
}

static int do_clear(struct cli *cli, int argc, char **argv)
{
	const char *name = NULL;
	struct epdma_error err;
	bool yes = false;
	size_t ops = 0;
	int r;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--yes") || !strcmp(argv[i], "-y"))
			yes = true;
		else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else {
			cli_err(cli, "profile clear: unexpected argument '%s'", argv[i]);
			return EPDMA_EXIT_USAGE;
		}
	}
	if (!name) {
		cli_err(cli, "profile clear: give the NAME of a profile or function");
		return EPDMA_EXIT_USAGE;
	}
	if (!yes) {
		cli_err(cli, "profile clear: this stops the controller and removes functions; "
			"add --yes to confirm");
		return EPDMA_EXIT_USAGE;
	}
	r = epdma_clear(cli->ctx, name, &ops, &err);
	out_open_object(cli->out, NULL);
	out_int(cli->out, "version", NULL, 1);
	out_string(cli->out, "name", NULL, name);
	out_uint(cli->out, "operations_done", NULL, ops);
	if (r < 0) {
		print_error_json(cli->out, &err);
		cli_err_lib(cli, &err);
	} else {
		out_text(cli->out, "%s: cleared, %zu operation(s)\n", name, ops);
	}
	out_close_object(cli->out);
	return r < 0 ? epdma_exit_code(r) : EPDMA_EXIT_OK;
}

int cmd_profile(struct cli *cli, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli *cli, int argc, char **argv);
	} sub[] = {
		{ "validate", do_validate }, { "plan", do_plan }, { "apply", do_apply },
		{ "diff", do_diff },	     { "export", do_export }, { "clear", do_clear },
	};

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		profile_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EPDMA_EXIT_USAGE : EPDMA_EXIT_OK;
	}
	/*
	 * --json[=short|pretty] may follow the subcommand or the file (as for status): take it
	 * out of argv here, so every subcommand honours it and none mistakes it for a FILE.
	 */
	for (int i = 2, kept = 2; i <= argc; i++) {
		if (i == argc) {
			argc = kept;
			break;
		}
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[kept++] = argv[i++];
			argc = kept;
			break;
		}
		if (!strcmp(argv[i], "--json") || !strncmp(argv[i], "--json=", 7)) {
			if (cli_set_json(cli, argv[i][6] ? argv[i] + 7 : NULL) < 0)
				return EPDMA_EXIT_USAGE;
			continue;
		}
		argv[kept++] = argv[i];
	}
	argv[argc] = NULL;
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if (strcmp(argv[1], sub[i].name))
			continue;
		/* validate/plan/diff/clear take plain arguments; apply/export use getopt and
		 * expect argv[0] to be the subcommand */
		if (sub[i].fn == do_apply || sub[i].fn == do_export)
			return sub[i].fn(cli, argc - 1, argv + 1);
		return sub[i].fn(cli, argc - 2, argv + 2);
	}
	cli_err(cli, "profile: unknown command '%s' (see 'epdmactl profile --help')", argv[1]);
	return EPDMA_EXIT_USAGE;
}

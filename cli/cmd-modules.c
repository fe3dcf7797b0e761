// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * epdmactl modules: the state of the modules epdma uses, and loading them through libkmod
 * (built-in and live modules skipped, modprobe.d blacklists honoured).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epdmactl.h"

static void modules_usage(FILE *f)
{
	fputs("Usage: epdmactl modules [--json[=short|pretty]]\n"
	      "       epdmactl modules load [--dry-run] [--json[=short|pretty]] MODULE...\n"
	      "\n"
	      "Without a command, show the state (live, builtin, absent) of the modules epdma\n"
	      "uses. 'load' loads each MODULE (name or alias) with libkmod unless it is built in\n"
	      "or already loaded; a module blacklisted in modprobe.d is not loaded.\n",
	      f);
}

static int modules_list(struct cli *cli)
{
	struct out *o = cli->out;

	out_open_object(o, NULL);
	out_int(o, "version", NULL, 1);
	out_open_array(o, "modules");
	for (size_t i = 0; epdma_known_modules[i]; i++) {
		enum epdma_module_state state;

		if (epdma_module_state(cli->ctx, epdma_known_modules[i], &state) < 0)
			state = EPDMA_MODULE_ABSENT;
		out_open_object(o, NULL);
		out_string(o, "name", "%-14s", epdma_known_modules[i]);
		out_string(o, "state", " %s\n", epdma_module_state_str(state));
		out_close_object(o);
	}
	out_close_array(o);
	out_close_object(o);
	return EPDMA_EXIT_OK;
}

static int modules_load(struct cli *cli, int argc, char **argv, unsigned int flags)
{
	struct epdma_module_result *res;
	struct epdma_error err = { 0 };
	struct out *o = cli->out;
	int r;

	res = calloc((size_t)argc, sizeof(*res));
	if (!res)
		return EPDMA_EXIT_FAILED;
	/* argv is NULL-terminated after the last name */
	r = epdma_modules_load(cli->ctx, (const char *const *)argv, flags, res, &err);
	out_open_object(o, NULL);
	out_int(o, "version", NULL, 1);
	out_bool(o, "dry_run", NULL, flags & EPDMA_MODULES_DRY_RUN);
	out_open_array(o, "modules");
	for (int i = 0; i < argc; i++) {
		/* names after the first failure were still tried: each has its own verdict */
		out_open_object(o, NULL);
		out_string(o, "name", "%-14s", res[i].name);
		out_string(o, "action", " %s", epdma_module_action_str(res[i].action));
		if (res[i].error) {
			const char *n = strerrorname_np(-res[i].error);

			out_string(o, "error", " (%s)", n ? n : "error");
		} else {
			out_null(o, "error", NULL);
		}
		out_text(o, "%s\n", (flags & EPDMA_MODULES_DRY_RUN) &&
				 res[i].action == EPDMA_MODULE_LOADED ? " (dry run)" : "");
		out_close_object(o);
	}
	out_close_array(o);
	out_close_object(o);
	free(res);
	if (r < 0) {
		cli_err_lib(cli, &err);
		return epdma_exit_code(r);
	}
	return EPDMA_EXIT_OK;
}

int cmd_modules(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", optional_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned int flags = 0;
	bool load = false;
	int c;

	if (argc >= 2 && !strcmp(argv[1], "load")) {
		load = true;
		argc--;
		argv++;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "nj::h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			flags |= EPDMA_MODULES_DRY_RUN;
			break;
		case 'j':
			if (cli_set_json(cli, optarg) < 0)
				return EPDMA_EXIT_USAGE;
			break;
		case 'h':
			modules_usage(stdout);
			return EPDMA_EXIT_OK;
		default:
			modules_usage(stderr);
			return EPDMA_EXIT_USAGE;
		}
	}
	if (!load) {
		if (optind < argc) {
			cli_err(cli, "unknown modules command '%s' (try 'load')", argv[optind]);
			return EPDMA_EXIT_USAGE;
		}
		return modules_list(cli);
	}
	if (optind >= argc) {
		cli_err(cli, "modules load needs at least one MODULE");
		return EPDMA_EXIT_USAGE;
	}
	return modules_load(cli, argc - optind, argv + optind, flags);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* epdmactl: global options and the dispatch table of command groups. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "epdmactl.h"

#ifndef EPDMA_VERSION
#define EPDMA_VERSION "unknown"
#endif

static const struct cli_command commands[] = {
	{ "profile", cmd_profile, "validate, plan, apply, diff, export and clear profiles" },
	/* BEGIN A2 dispatch */
	{ "status", cmd_status, "show controllers, functions, NTB, DMA export, channels, modules" },
	{ "test", cmd_test, "run the ntb_ep_dma DMA test (test run)" },
	{ "modules", cmd_modules, "show or load the kernel modules epdma uses" },
	{ "devices", cmd_devices, "list controllers, NTB functions, DMA exports, test devices" },
	/* END A2 dispatch */
	/* BEGIN B dispatch */
	/* END B dispatch */
};

/* Messages quote what the user typed or a tree holds: no control character reaches stderr. */
static void err_line(struct cli *cli, const char *msg)
{
	char *esc = out_escape(msg);

	fprintf(stderr, "%s: %s\n", cli->prog, esc ? esc : msg);
	free(esc);
}

void cli_err(struct cli *cli, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	err_line(cli, buf);
}

void cli_err_lib(struct cli *cli, const struct epdma_error *err)
{
	char buf[2048];

	epdma_error_format(err, buf, sizeof(buf));
	err_line(cli, buf);
}

static void usage(FILE *f)
{
	fputs("Usage: epdmactl [OPTIONS] COMMAND [ARGS...]\n"
	      "\n"
	      "Options:\n"
	      "  -j, --json[=short|pretty]  JSON output (pretty on a terminal, short otherwise)\n"
	      "  -r, --root DIR             look for configfs, sysfs and debugfs under DIR\n"
	      "                             (default: $EPDMA_ROOT, else /)\n"
	      "  -v, --verbose              log library debug messages to stderr\n"
	      "  -V, --version              print the version and exit\n"
	      "  -h, --help                 print this help and exit\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'epdmactl COMMAND --help' for the commands of a group. See epdmactl(8).\n", f);
}

__attribute__((format(printf, 6, 0)))
static void log_stderr(void *data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args)
{
	fprintf(stderr, "epdmactl: %s: ", fn);
	vfprintf(stderr, format, args);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", optional_argument, NULL, 'j' },
		{ "root", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct cli cli = { .prog = "epdmactl", .mode = OUT_TEXT };
	const char *root = NULL;
	bool verbose = false;
	int c, r, rc;

	/* '+': stop at the command, so "profile plan --json" reaches the group parser intact */
	while ((c = getopt_long(argc, argv, "+j::r:vVh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (cli_json_mode(&cli, optarg, &cli.mode) < 0)
				return EPDMA_EXIT_USAGE;
			break;
		case 'r':
			root = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'V':
			printf("epdmactl %s\n", EPDMA_VERSION);
			return EPDMA_EXIT_OK;
		case 'h':
			usage(stdout);
			return EPDMA_EXIT_OK;
		default:
			usage(stderr);
			return EPDMA_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EPDMA_EXIT_USAGE;
	}

	r = epdma_ctx_new(&cli.ctx);
	if (r < 0 && r != -ENOMEM && getenv("EPDMA_ROOT")) {
		/* the context takes its root from the environment: a bad one is a usage error */
		cli_err(&cli, "EPDMA_ROOT=%s: %s", getenv("EPDMA_ROOT"), strerror(-r));
		return EPDMA_EXIT_USAGE;
	}
	if (r < 0) {
		cli_err(&cli, "cannot create the library context: %s", strerror(-r));
		return epdma_exit_code(r);
	}
	if (root) {
		r = epdma_ctx_set_root(cli.ctx, root);
		if (r < 0) {
			cli_err(&cli, "--root %s: %s", root, strerror(-r));
			epdma_ctx_free(cli.ctx);
			return EPDMA_EXIT_USAGE;
		}
	}
	if (verbose) {
		epdma_ctx_set_log_fn(cli.ctx, log_stderr, NULL);
		epdma_ctx_set_log_priority(cli.ctx, 7);
	}

	rc = -1;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name))
			continue;
		cli.out = out_new(stdout, cli.mode);
		if (!cli.out) {
			rc = EPDMA_EXIT_FAILED;
			break;
		}
		/* reset getopt for the group's own parser */
		rc = commands[i].run(&cli, argc - optind, argv + optind);
		if (out_free(cli.out) < 0 && rc == EPDMA_EXIT_OK)
			rc = EPDMA_EXIT_FAILED;
		break;
	}
	if (rc < 0) {
		cli_err(&cli, "unknown command '%s' (see --help)", argv[optind]);
		rc = EPDMA_EXIT_USAGE;
	}
	epdma_ctx_free(cli.ctx);
	return rc;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared state of epdmactl commands. One file per command group implements cmd_<group>(). */
#ifndef EPDMACTL_H
#define EPDMACTL_H

#include <stdio.h>

#include "epdma.h"
#include "output.h"

struct cli {
	const char *prog;
	struct epdma_ctx *ctx;
	struct out *out;	/* stdout, text or JSON */
	enum out_mode mode;
};

/*
 * A command group: @run gets argv starting at the group name (argv[0] == "profile") and
 * returns an EPDMA_EXIT_* code. Diagnostics go to stderr, data to cli->out.
 */
struct cli_command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *summary;
};

/* Print "epdmactl: <message>" to stderr; the message already carries its own context. */
void cli_err(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print a library error (one line) to stderr. */
void cli_err_lib(struct cli *cli, const struct epdma_error *err);

int cmd_profile(struct cli *cli, int argc, char **argv);
/* BEGIN A2 commands */
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_test(struct cli *cli, int argc, char **argv);
int cmd_modules(struct cli *cli, int argc, char **argv);
int cmd_devices(struct cli *cli, int argc, char **argv);
/* The mode --json[=@arg] asks for (no @arg: pretty on a terminal); -EINVAL, said, if bad. */
int cli_json_mode(struct cli *cli, const char *arg, enum out_mode *mode);
/* Switch the printer to JSON for a group's own --json[=short|pretty]; before any output. */
int cli_set_json(struct cli *cli, const char *arg);
/* @path without the --root prefix (for output that must not depend on it). */
const char *cli_unrooted(struct cli *cli, const char *path);
/*
 * Print the daemon's view under the current object (called by status when the socket
 * exists). The default (weak) returns -EOPNOTSUPP; the epdmad client code overrides it.
 */
int cli_daemon_status(struct cli *cli, const char *socket_path);
/* END A2 commands */
/* BEGIN B commands */
/* END B commands */

#endif

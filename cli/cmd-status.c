// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * epdmactl status: what the kernel shows about endpoint controllers, functions, bindings,
 * NTB devices, the exported DMA slice, DMA channels, the ntb_ep_dma test client and modules.
 * Text and JSON come from the same out_*() calls (schema: schemas/status.schema.json).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "epdmactl.h"

int cli_json_mode(struct cli *cli, const char *arg, enum out_mode *mode)
{
	if (!arg)
		*mode = isatty(fileno(stdout)) ? OUT_JSON_PRETTY : OUT_JSON_SHORT;
	else if (!strcmp(arg, "short"))
		*mode = OUT_JSON_SHORT;
	else if (!strcmp(arg, "pretty"))
		*mode = OUT_JSON_PRETTY;
	else {
		cli_err(cli, "--json takes 'short' or 'pretty', not '%s'", arg);
		return -EINVAL;
	}
	return 0;
}

int cli_set_json(struct cli *cli, const char *arg)
{
	enum out_mode mode;

	if (cli_json_mode(cli, arg, &mode) < 0)
		return -EINVAL;
	if (mode == cli->mode)
		return 0;
	/* nothing has been printed yet: swap the printer */
	out_free(cli->out);
	cli->mode = mode;
	cli->out = out_new(stdout, mode);
	return cli->out ? 0 : -ENOMEM;
}

/*
 * The daemon's view, when epdmad runs: its "status" reply (epdmad(8)) under "view" in JSON,
 * a one-line summary in text. Weak, so that the epdmad side can provide its own rendering.
 * Returns 0, or -errno when the daemon could not be asked (status then says so).
 */
__attribute__((weak)) int cli_daemon_status(struct cli *cli, const char *socket_path)
{
	struct epdma_ipc_request req = { .op = EPDMA_IPC_STATUS };
	struct epdma_error err = { 0 };
	struct json_object *reply, *view, *v;
	char *text = NULL;
	int r;

	r = epdma_daemon_call(cli->ctx, socket_path, &req, 2000, &text, &err);
	if (r < 0)
		return r;
	reply = json_tokener_parse(text);
	free(text);
	if (!reply)
		return -EBADMSG;
	if (!json_object_object_get_ex(reply, "ok", &v) || !json_object_get_boolean(v) ||
	    !json_object_object_get_ex(reply, "status", &view)) {
		json_object_put(reply);
		return -EPROTO;
	}
	if (out_is_json(cli->out)) {
		out_json_raw(cli->out, "view", json_object_to_json_string_ext(view,
								JSON_C_TO_STRING_PLAIN));
	} else {
		struct json_object *d;
		size_t np = 0, ni = 0, nd = 0;

		if (json_object_object_get_ex(view, "profiles", &v))
			np = json_object_array_length(v);
		if (json_object_object_get_ex(view, "invalid_profiles", &v))
			ni = json_object_array_length(v);
		if (json_object_object_get_ex(view, "devices", &v))
			nd = json_object_array_length(v);
		out_text(cli->out, "  epdmad");
		if (json_object_object_get_ex(view, "daemon", &d)) {
			if (json_object_object_get_ex(d, "version", &v))
				out_text(cli->out, " %s", json_object_get_string(v));
			if (json_object_object_get_ex(d, "pid", &v))
				out_text(cli->out, ", pid %d", json_object_get_int(v));
		}
		out_text(cli->out, ": %zu profile(s), %zu invalid, %zu device(s)"
			 " (epdmactl --json status shows them)\n", np, ni, nd);
	}
	json_object_put(reply);
	return 0;
}

static void str_or_null(struct out *o, const char *key, const char *text, const char *v)
{
	if (v)
		out_string(o, key, text, v);
	else
		out_null(o, key, out_is_json(o) ? NULL : "-");
}

static void tri(struct out *o, const char *key, const char *text, int v)
{
	if (v < 0)
		out_null(o, key, text ? "unknown" : NULL);
	else
		out_bool(o, key, text, v != 0);
}

static void int_or_null(struct out *o, const char *key, const char *text, int64_t v)
{
	if (v < 0)
		out_null(o, key, text ? "-" : NULL);
	else
		out_int(o, key, text, v);
}

static void print_yesno(struct out *o, const char *key, const char *label, int v)
{
	out_text(o, "%s", label);
	if (out_is_json(o))
		tri(o, key, NULL, v);
	else
		out_text(o, "%s", v < 0 ? "unknown" : v ? "yes" : "no");
}

static void print_controllers(struct out *o, const struct epdma_status *st)
{
	out_open_array(o, "controllers");
	out_text(o, "Endpoint controllers:%s\n", st->n_controllers ? "" : " none");
	for (size_t i = 0; i < st->n_controllers; i++) {
		const struct epdma_status_controller *c = &st->controllers[i];

		out_open_object(o, NULL);
		out_string(o, "name", "  %s", c->name);
		out_text(o, "  parent ");
		str_or_null(o, "parent", "%s", c->parent);
		out_bool(o, "configfs", NULL, c->in_configfs);
		print_yesno(o, "started", "  started ", c->in_configfs ? c->started : -1);
		out_text(o, "%s\n", c->in_configfs ? "" : " (not in configfs)");
		out_close_object(o);
	}
	out_close_array(o);
}

static void print_functions(struct out *o, const struct epdma_status *st)
{
	out_open_array(o, "functions");
	out_text(o, "Endpoint functions:%s\n",
		 !st->configfs_mounted ? " none (pci_ep configfs not present)" :
		 st->n_functions ? "" : " none");
	for (size_t i = 0; i < st->n_functions; i++) {
		const struct epdma_status_function *f = &st->functions[i];

		out_open_object(o, NULL);
		out_string(o, "driver", "  %s", f->driver);
		out_string(o, "name", "/%s", f->name);
		out_text(o, "  vendor ");
		str_or_null(o, "vendorid", "%s", f->vendorid);
		out_text(o, " device ");
		str_or_null(o, "deviceid", "%s", f->deviceid);
		out_text(o, " msi ");
		int_or_null(o, "msi_interrupts", "%lld", f->msi_interrupts);
		out_text(o, "\n    driver attributes: ");
		str_or_null(o, "subgroup", "%s", f->subgroup);
		out_text(o, "\n");
		if (f->dma_bar >= 0 || f->dma_num_chans >= 0) {
			out_open_object(o, "dma_export");
			out_text(o, "    DMA export:");
			int_or_null(o, "bar", " bar %lld", f->dma_bar);
			out_text(o, " offset");
			if (f->dma_offset >= 0)
				out_int(o, "offset", NULL, f->dma_offset);
			else
				out_null(o, "offset", NULL);
			out_text(o, " %#llx", (unsigned long long)(f->dma_offset < 0 ? 0 :
								    f->dma_offset));
			int_or_null(o, "num_chans", " channels %lld", f->dma_num_chans);
			out_text(o, "\n");
			out_close_object(o);
		} else {
			out_null(o, "dma_export", NULL);
		}
		out_close_object(o);
	}
	out_close_array(o);

	out_open_array(o, "bindings");
	out_text(o, "Bindings:%s\n", st->n_bindings ? "" : " none");
	for (size_t i = 0; i < st->n_bindings; i++) {
		const struct epdma_status_binding *b = &st->bindings[i];

		out_open_object(o, NULL);
		out_string(o, "function", "  %s", b->function);
		out_string(o, "controller", " -> %s", b->controller);
		out_string(o, "interface", " (%s)\n", b->interface);
		out_close_object(o);
	}
	out_close_array(o);
}

static void print_host(struct out *o, const struct epdma_status *st)
{
	out_open_array(o, "pci_functions");
	out_text(o, "NTB PCI functions:%s\n", st->n_pci_functions ? "" : " none");
	for (size_t i = 0; i < st->n_pci_functions; i++) {
		const struct epdma_status_pci_function *p = &st->pci_functions[i];

		out_open_object(o, NULL);
		out_string(o, "address", "  %s", p->address);
		out_text(o, "  ");
		str_or_null(o, "vendor", "%s", p->vendor);
		out_text(o, ":");
		str_or_null(o, "device", "%s", p->device);
		out_string(o, "driver", "  driver %s", p->driver);
		if (p->link_speed) {
			out_string(o, "link_speed", "  link %s", p->link_speed);
		} else {
			out_null(o, "link_speed", NULL);
		}
		int_or_null(o, "link_width", p->link_width >= 0 ? " x%lld" : NULL, p->link_width);
		out_text(o, "\n");
		out_close_object(o);
	}
	out_close_array(o);

	out_open_array(o, "ntb_devices");
	out_text(o, "NTB devices:%s\n", st->n_ntb ? "" : " none");
	for (size_t i = 0; i < st->n_ntb; i++) {
		const struct epdma_status_ntb *t = &st->ntb[i];

		out_open_object(o, NULL);
		out_string(o, "name", "  %s", t->name);
		out_text(o, "  pci ");
		str_or_null(o, "pci_device", "%s", t->pci_device);
		out_text(o, "  client ");
		str_or_null(o, "driver", "%s", t->driver);
		out_text(o, "  link ");
		if (t->link_up < 0)
			out_null(o, "link_up", "unknown");
		else
			out_bool(o, "link_up", NULL, t->link_up);
		out_text(o, "%s", t->link_up < 0 ? "" : t->link_up ? "up" : "down");
		if (t->link_source)
			out_string(o, "link_source", " (from %s)", t->link_source);
		else
			out_null(o, "link_source", NULL);
		out_text(o, "\n");
		out_close_object(o);
	}
	out_close_array(o);

	out_open_array(o, "dma_exports");
	out_text(o, "Exported DMA (ep_dma_v1):%s\n", st->n_dma_exports ? "" : " none");
	for (size_t i = 0; i < st->n_dma_exports; i++) {
		const struct epdma_status_dma_export *e = &st->dma_exports[i];

		out_open_object(o, NULL);
		out_string(o, "name", "  %s", e->name);
		out_text(o, "  parent ");
		str_or_null(o, "parent", "%s", e->parent);
		out_text(o, "  frontend ");
		str_or_null(o, "driver", "%s", e->driver);
		out_text(o, "\n");
		if (e->has_locator) {
			out_open_object(o, "locator");
			out_uint(o, "abi", "    locator: abi %llu", e->abi);
			out_uint(o, "bar", " bar %llu", e->bar);
			out_uint(o, "offset", " offset %#llx", e->offset);
			out_uint(o, "size", " size %#llx", e->size);
			out_uint(o, "num_chans", " channels %llu", e->num_chans);
			out_uint(o, "irq_base", " irqs %llu", e->irq_base);
			out_uint(o, "irq_count", "+%llu\n", e->irq_count);
			out_close_object(o);
		} else {
			out_null(o, "locator", "    locator: not exposed in sysfs\n");
		}
		out_open_array(o, "channels");
		out_text(o, "    channels:%s", e->n_channels ? "" : " none");
		for (size_t k = 0; k < e->n_channels; k++)
			out_string(o, NULL, " %s", e->channels[k]);
		out_text(o, "\n");
		out_close_array(o);
		out_close_object(o);
	}
	out_close_array(o);

	out_open_array(o, "dma_channels");
	out_text(o, "DMA channels:%s\n", st->n_dma_channels ? "" : " none");
	for (size_t i = 0; i < st->n_dma_channels; i++) {
		const struct epdma_status_dma_channel *c = &st->dma_channels[i];

		out_open_object(o, NULL);
		out_string(o, "name", "  %s", c->name);
		out_text(o, "  device ");
		str_or_null(o, "device", "%s", c->device);
		out_text(o, "  driver ");
		str_or_null(o, "driver", "%s", c->driver);
		print_yesno(o, "in_use", "  in use ", c->in_use);
		int_or_null(o, "memcpy_count", c->memcpy_count >= 0 ? "  memcpy %lld" : NULL,
			    c->memcpy_count);
		int_or_null(o, "bytes_transferred",
			    c->bytes_transferred >= 0 ? "  bytes %lld" : NULL,
			    c->bytes_transferred);
		out_text(o, "\n");
		out_close_object(o);
	}
	out_close_array(o);
}

static void print_tests(struct out *o, const struct epdma_status *st)
{
	out_open_object(o, "tests");
	out_bool(o, "debugfs", NULL, st->debugfs_test_present);
	out_open_array(o, "devices");
	out_text(o, "ntb_ep_dma test devices:%s\n",
		 !st->debugfs_test_present ? " none (no ntb_ep_dma in debugfs)" :
		 st->n_test_devices ? "" : " none");
	for (size_t i = 0; i < st->n_test_devices; i++) {
		const struct epdma_status_test_device *t = &st->test_devices[i];

		out_open_object(o, NULL);
		out_string(o, "device", "  %s", t->device);
		print_yesno(o, "ready", "  ready ", t->ready);
		if (t->has_result) {
			out_int(o, "last_status", "  last status %lld", t->last_status);
			out_text(o, "  peer state ");
			str_or_null(o, "peer_state", "%s", t->peer_state);
		} else {
			out_null(o, "last_status", NULL);
			out_null(o, "peer_state", "  no result");
		}
		print_yesno(o, "link_up", "  link ", t->link_up);
		out_text(o, "\n");
		out_close_object(o);
	}
	out_close_array(o);
	out_close_object(o);
}

static void print_modules(struct out *o, const struct epdma_status *st)
{
	out_open_array(o, "modules");
	out_text(o, "Modules:\n");
	for (size_t i = 0; i < st->n_modules; i++) {
		const struct epdma_status_module *m = &st->modules[i];

		out_open_object(o, NULL);
		out_string(o, "name", "  %-14s", m->name);
		out_string(o, "state", " %s", epdma_module_state_str(m->state));
		int_or_null(o, "refcnt", m->refcnt >= 0 ? " (refcnt %lld)" : NULL, m->refcnt);
		out_text(o, "\n");
		out_close_object(o);
	}
	out_close_array(o);
}

/* Paths in the output are shown without the --root prefix, so captures compare equal. */
const char *cli_unrooted(struct cli *cli, const char *path)
{
	const char *root = epdma_ctx_get_root(cli->ctx);
	size_t n = root ? strlen(root) : 0;

	if (n && !strncmp(path, root, n) && path[n] == '/')
		return path + n;
	return path;
}

static void print_daemon(struct cli *cli)
{
	struct out *o = cli->out;
	char sock[PATH_MAX];
	struct stat sb;
	bool present;

	snprintf(sock, sizeof(sock), "%s/epdmad.sock", epdma_ctx_get_run_dir(cli->ctx));
	present = stat(sock, &sb) == 0 && S_ISSOCK(sb.st_mode);
	out_open_object(o, "daemon");
	out_string(o, "socket", "Daemon: socket %s", cli_unrooted(cli, sock));
	out_bool(o, "running", NULL, present);
	out_text(o, present ? " present\n" : " absent (epdmad not running)\n");
	if (present) {
		int r = cli_daemon_status(cli, sock);

		if (r < 0)
			out_text(o, "  (the daemon did not answer: %s)\n", strerror(-r));
	}
	out_close_object(o);
}

/*
 * status and devices take the same arguments (only --json and --help) and read the same
 * status: returns -1 with *st filled to go on, or the exit code to return.
 */
static int parse_and_read(struct cli *cli, int argc, char **argv, void (*usage)(FILE *f),
			  struct epdma_status **st)
{
	static const struct option opts[] = {
		{ "json", optional_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct epdma_error err = { 0 };
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "j::h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (cli_set_json(cli, optarg) < 0)
				return EPDMA_EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return EPDMA_EXIT_OK;
		default:
			usage(stderr);
			return EPDMA_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_err(cli, "%s takes no arguments ('%s')", argv[0], argv[optind]);
		return EPDMA_EXIT_USAGE;
	}
	r = epdma_status_read(cli->ctx, st, &err);
	if (r < 0) {
		cli_err_lib(cli, &err);
		return epdma_exit_code(r);
	}
	return -1;
}

static void status_usage(FILE *f)
{
	fputs("Usage: epdmactl status [--json[=short|pretty]]\n"
	      "\n"
	      "Show endpoint controllers, pci_ep functions and their bindings, NTB devices and\n"
	      "link state, the exported DMA slice and channels, ntb_ep_dma test devices and the\n"
	      "modules involved. Works without the daemon; shows whether epdmad runs.\n",
	      f);
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	struct epdma_status *st = NULL;
	struct out *o;
	int r;

	r = parse_and_read(cli, argc, argv, status_usage, &st);
	if (r >= 0)
		return r;
	o = cli->out;
	out_open_object(o, NULL);
	out_int(o, "version", NULL, 1);
	out_open_object(o, "configfs");
	out_string(o, "pci_ep", NULL, cli_unrooted(cli, epdma_ctx_get_pci_ep_root(cli->ctx)));
	out_bool(o, "mounted", NULL, st->configfs_mounted);
	out_close_object(o);
	print_controllers(o, st);
	print_functions(o, st);
	print_host(o, st);
	print_tests(o, st);
	print_modules(o, st);
	print_daemon(cli);
	out_close_object(o);
	epdma_status_free(st);
	return EPDMA_EXIT_OK;
}

/* ---- devices: one line per device epdma cares about ---------------------------------- */

static void device_row(struct out *o, const char *kind, const char *name, const char *driver,
		       const char *state)
{
	out_open_object(o, NULL);
	out_string(o, "kind", "%-13s", kind);
	out_string(o, "name", "%-25s", name);
	/* pad only when a state follows: no trailing blanks */
	if (driver)
		out_string(o, "driver", state ? "%-24s" : "%s", driver);
	else
		out_null(o, "driver", state ? "-                       " : "-");
	if (state)
		out_string(o, "state", " %s", state);
	else
		out_null(o, "state", NULL);
	out_text(o, "\n");
	out_close_object(o);
}

static const char *yes_no_unknown(int v, const char *yes, const char *no)
{
	return v < 0 ? NULL : v ? yes : no;
}

static void devices_usage(FILE *f)
{
	fputs("Usage: epdmactl devices [--json[=short|pretty]]\n"
	      "\n"
	      "List the devices epdma works with, one per line: endpoint controllers, NTB PCI\n"
	      "functions, NTB devices, exported DMA slices and ntb_ep_dma test devices.\n",
	      f);
}

int cmd_devices(struct cli *cli, int argc, char **argv)
{
	struct epdma_status *st = NULL;
	char buf[64];
	struct out *o;
	int r;

	r = parse_and_read(cli, argc, argv, devices_usage, &st);
	if (r >= 0)
		return r;
	o = cli->out;
	out_open_object(o, NULL);
	out_int(o, "version", NULL, 1);
	out_open_array(o, "devices");
	for (size_t i = 0; i < st->n_controllers; i++) {
		const struct epdma_status_controller *d = &st->controllers[i];

		device_row(o, "controller", d->name, NULL,
			   d->in_configfs ? yes_no_unknown(d->started, "started", "stopped") :
					    "not-in-configfs");
	}
	for (size_t i = 0; i < st->n_pci_functions; i++)
		device_row(o, "ntb-function", st->pci_functions[i].address,
			   st->pci_functions[i].driver, NULL);
	for (size_t i = 0; i < st->n_ntb; i++)
		device_row(o, "ntb", st->ntb[i].name, st->ntb[i].driver,
			   yes_no_unknown(st->ntb[i].link_up, "link-up", "link-down"));
	for (size_t i = 0; i < st->n_dma_exports; i++) {
		const struct epdma_status_dma_export *e = &st->dma_exports[i];

		snprintf(buf, sizeof(buf), "%zu-channels", e->n_channels);
		device_row(o, "dma-export", e->name, e->driver, buf);
	}
	for (size_t i = 0; i < st->n_test_devices; i++)
		device_row(o, "test", st->test_devices[i].device, "ntb_ep_dma",
			   yes_no_unknown(st->test_devices[i].ready, "ready", "not-ready"));
	if (!st->n_controllers && !st->n_pci_functions && !st->n_ntb && !st->n_dma_exports &&
	    !st->n_test_devices)
		out_text(o, "no endpoint controllers, NTB functions or DMA exports\n");
	out_close_array(o);
	out_close_object(o);
	epdma_status_free(st);
	return EPDMA_EXIT_OK;
}

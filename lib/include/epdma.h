/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libepdma - configure PCI endpoint functions and drive their DMA tests.
 *
 * Conventions: every function that can fail returns 0 or a negative errno. A caller that
 * wants to know why passes a struct epdma_error it owns; the library fills it with a message
 * that names the profile file, the JSON pointer and the configfs path involved. The library
 * never prints and keeps no global state: everything hangs off a struct epdma_ctx.
 */
#ifndef EPDMA_H
#define EPDMA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Exit codes shared by epdmactl and epdmad (sysexits.h values, documented in epdmactl(8)).   */

#define EPDMA_EXIT_OK		0	/* success */
#define EPDMA_EXIT_FAILED	1	/* an operation failed (and was rolled back) */
#define EPDMA_EXIT_USAGE	2	/* bad command line */
#define EPDMA_EXIT_DATAERR	65	/* invalid profile */
#define EPDMA_EXIT_NOINPUT	66	/* missing input file or object */
#define EPDMA_EXIT_UNAVAILABLE	69	/* device, controller or configfs absent */
#define EPDMA_EXIT_TEMPFAIL	75	/* busy or timed out */
#define EPDMA_EXIT_NOPERM	77	/* permission denied */

/*
 * epdma_exit_code() - map a negative errno from this library to one of the exit codes above.
 * -EINVAL from profile loading maps to EPDMA_EXIT_DATAERR; use it only for errors whose
 * meaning is "the input was wrong". Other errors map by kind (ENOENT → 66, ENODEV → 69,
 * EBUSY/ETIMEDOUT/EAGAIN → 75, EACCES/EPERM → 77, anything else → 1).
 */
int epdma_exit_code(int err);

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                      */

#define EPDMA_ERR_FILE_MAX	512
#define EPDMA_ERR_POINTER_MAX	256
#define EPDMA_ERR_RULE_MAX	48
#define EPDMA_ERR_MSG_MAX	512

/*
 * struct epdma_error - what went wrong, filled by the library, owned by the caller.
 * @code:    the negative errno that was also returned
 * @file:    the profile file ("" if none)
 * @pointer: RFC 6901 JSON pointer into the profile ("" if none)
 * @rule:    short rule name, stable for scripts ("range", "unknown-key", "io", ...)
 * @path:    configfs path involved, relative to the pci_ep root ("" if none)
 * @message: one human sentence, without the fields above
 */
struct epdma_error {
	int code;
	char file[EPDMA_ERR_FILE_MAX];
	char pointer[EPDMA_ERR_POINTER_MAX];
	char rule[EPDMA_ERR_RULE_MAX];
	char path[EPDMA_ERR_FILE_MAX];
	char message[EPDMA_ERR_MSG_MAX];
};

/*
 * epdma_error_format() - render @err as one line:
 * "FILE: POINTER: MESSAGE [RULE] (configfs: PATH)", omitting empty parts.
 * Returns the number of characters that would have been written, like snprintf().
 */
int epdma_error_format(const struct epdma_error *err, char *buf, size_t size);

/* ------------------------------------------------------------------------------------------ */
/* Context                                                                                     */

struct epdma_ctx;

/* Priorities follow syslog(3): 3 error, 4 warning, 6 info, 7 debug. */
typedef void (*epdma_log_fn)(void *userdata, int priority, const char *file, int line,
			     const char *fn, const char *format, va_list args);

/*
 * epdma_ctx_new() - create a context with the default roots (/sys/kernel/config, /sys,
 * /sys/kernel/debug, /run/epdma). If the environment variable EPDMA_ROOT is set, every root
 * is moved under that prefix (tests run against a fake tree that way). If EPDMA_FAKE_CONFIGFS
 * names a file, configfs is the in-memory kernel model of epdma_ctx_use_fake_configfs().
 * A context and everything made from it belong to one thread at a time; applies by several
 * processes are serialised by the lock file (see epdma_profile_apply()).
 */
int epdma_ctx_new(struct epdma_ctx **out);
void epdma_ctx_free(struct epdma_ctx *ctx);

/* Logging: default is no logging at all. @priority is the highest one passed on. */
void epdma_ctx_set_log_fn(struct epdma_ctx *ctx, epdma_log_fn fn, void *userdata);
void epdma_ctx_set_log_priority(struct epdma_ctx *ctx, int priority);
int epdma_ctx_get_log_priority(const struct epdma_ctx *ctx);

/*
 * epdma_ctx_set_root() - move every root under @prefix (NULL or "" for the real system).
 * The individual setters below take absolute paths and win over the prefix.
 */
int epdma_ctx_set_root(struct epdma_ctx *ctx, const char *prefix);
int epdma_ctx_set_configfs_root(struct epdma_ctx *ctx, const char *dir);
int epdma_ctx_set_sysfs_root(struct epdma_ctx *ctx, const char *dir);
int epdma_ctx_set_debugfs_root(struct epdma_ctx *ctx, const char *dir);
int epdma_ctx_set_run_dir(struct epdma_ctx *ctx, const char *dir);

const char *epdma_ctx_get_root(const struct epdma_ctx *ctx);	     /* "" if none */
const char *epdma_ctx_get_configfs_root(const struct epdma_ctx *ctx);  /* .../sys/kernel/config */
const char *epdma_ctx_get_pci_ep_root(const struct epdma_ctx *ctx);    /* .../config/pci_ep */
const char *epdma_ctx_get_sysfs_root(const struct epdma_ctx *ctx);     /* .../sys */
const char *epdma_ctx_get_debugfs_root(const struct epdma_ctx *ctx);   /* .../sys/kernel/debug */
const char *epdma_ctx_get_run_dir(const struct epdma_ctx *ctx);        /* .../run/epdma */

/*
 * How long apply waits for the driver subgroup (<driver>.N) that the kernel creates after
 * mkdir of a function. Default 2000 ms.
 */
void epdma_ctx_set_subgroup_timeout_ms(struct epdma_ctx *ctx, unsigned int ms);

/*
 * epdma_ctx_use_fake_configfs() - replace configfs by an in-memory model of the kernel's
 * pci_ep tree (attribute files appear on mkdir, the driver subgroup appears late, writes are
 * range-checked, rmdir of a linked function fails with EBUSY). When @state_file is not NULL
 * the model is loaded from it (created with the controllers listed in the environment
 * variable EPDMA_FAKE_CONTROLLERS, default "e65d0000.pcie-ep", if missing) and saved back
 * after every change, so a sequence of epdmactl runs sees one tree. For tests and demos,
 * EPDMA_FAKE_FAIL_AT=N makes the Nth change fail with EIO and EPDMA_FAKE_FAIL_START=1 makes
 * starting a controller fail with EINVAL.
 */
int epdma_ctx_use_fake_configfs(struct epdma_ctx *ctx, const char *state_file);
bool epdma_ctx_is_fake(const struct epdma_ctx *ctx);

/* ------------------------------------------------------------------------------------------ */
/* Profiles (format: epdma-profile(5), schema: profile.schema.json)                           */

#define EPDMA_PROFILE_MAX_BYTES	(1024 * 1024)
#define EPDMA_PROFILE_MAX_DEPTH	16
#define EPDMA_NAME_MAX		64	/* profile, function and controller names */

enum epdma_role {
	EPDMA_ROLE_ENDPOINT,
	EPDMA_ROLE_HOST,
};

struct epdma_profile;

/*
 * epdma_profile_load() - read, parse and validate a profile file. On failure returns
 * -ENOENT/-EACCES/-EFBIG for the file itself, -EINVAL for an invalid profile (@err names
 * the first problem).
 */
int epdma_profile_load(struct epdma_ctx *ctx, const char *path, struct epdma_profile **out,
		       struct epdma_error *err);

/* Same, from memory; @name is used in messages in place of the file name. */
int epdma_profile_load_buffer(struct epdma_ctx *ctx, const char *name, const char *buf,
			      size_t len, struct epdma_profile **out, struct epdma_error *err);

/*
 * epdma_profile_check() - validate a file and report up to @max problems in @errs (all of
 * them, not only the first). *@count gets the number found (may exceed @max).
 * Returns 0 when valid, -EINVAL when not, or the file error.
 */
int epdma_profile_check(struct epdma_ctx *ctx, const char *path, struct epdma_error *errs,
			size_t max, size_t *count);

void epdma_profile_free(struct epdma_profile *p);

const char *epdma_profile_get_name(const struct epdma_profile *p);
const char *epdma_profile_get_file(const struct epdma_profile *p);
enum epdma_role epdma_profile_get_role(const struct epdma_profile *p);
/* Endpoint profiles: controller name, whether to start it, the functions. */
const char *epdma_profile_get_controller(const struct epdma_profile *p);
bool epdma_profile_get_start(const struct epdma_profile *p);
size_t epdma_profile_function_count(const struct epdma_profile *p);
const char *epdma_profile_function_name(const struct epdma_profile *p, size_t i);
const char *epdma_profile_function_driver(const struct epdma_profile *p, size_t i);
/* Host profiles: the PCI IDs of the NTB function to match and the modules it needs. */
int epdma_profile_get_match(const struct epdma_profile *p, uint16_t *vendor, uint16_t *device);
size_t epdma_profile_module_count(const struct epdma_profile *p);
const char *epdma_profile_module(const struct epdma_profile *p, size_t i);

/*
 * epdma_profile_to_json() - the profile in canonical form (numbers that the kernel shows in
 * hex as "0x" strings, keys in schema order). @pretty selects indentation. Free with free().
 */
int epdma_profile_to_json(const struct epdma_profile *p, bool pretty, char **out);

/* ------------------------------------------------------------------------------------------ */
/* Plans: the ordered configfs operations that make the live tree match a profile            */

enum epdma_op_type {
	EPDMA_OP_MKDIR,
	EPDMA_OP_WRITE,
	EPDMA_OP_LINK,
	EPDMA_OP_UNLINK,
	EPDMA_OP_RMDIR,
};

/*
 * struct epdma_op - one operation. Paths are relative to the pci_ep configfs root. A driver
 * subgroup that does not exist yet is shown as "<driver>.*" (the kernel picks the number).
 * @value: the value written (write), the link target (link), NULL otherwise.
 * @old:   the value found before (write on an existing attribute), else NULL.
 */
struct epdma_op {
	enum epdma_op_type type;
	const char *path;
	const char *value;
	const char *old;
};

struct epdma_plan;

/* epdma_op_type_name() - "mkdir", "write", "link", "unlink" or "rmdir". */
const char *epdma_op_type_name(enum epdma_op_type type);

/*
 * epdma_plan_new() - compute the operations that apply would perform now, against the live
 * tree (or against an empty tree if the pci_ep root does not exist). An empty plan means the
 * profile is live already.
 */
int epdma_plan_new(struct epdma_ctx *ctx, const struct epdma_profile *p, struct epdma_plan **out,
		   struct epdma_error *err);
void epdma_plan_free(struct epdma_plan *plan);
size_t epdma_plan_count(const struct epdma_plan *plan);
const struct epdma_op *epdma_plan_op(const struct epdma_plan *plan, size_t i);

/* ------------------------------------------------------------------------------------------ */
/* Apply, clear, export, diff                                                                 */

#define EPDMA_APPLY_DRY_RUN	(1u << 0)	/* plan and lock only, change nothing */

/*
 * struct epdma_apply_report - what apply did.
 * @ops_total:     operations in the plan
 * @ops_done:      operations that succeeded before the end or the failure
 * @failed_op:     index of the failing operation, or -1
 * @rolled_back:   a failure happened and the journal was undone completely
 * @rollback_errors: undo steps that themselves failed (0 when the tree is as before)
 */
struct epdma_apply_report {
	size_t ops_total;
	size_t ops_done;
	long failed_op;
	bool rolled_back;
	unsigned int rollback_errors;
};

/*
 * epdma_profile_apply() - make the live tree match @p, as a transaction: the operations run
 * under an exclusive lock (run_dir/apply.lock); on any failure every done operation is undone
 * in reverse (start=0, unlink, rmdir, old attribute values written back) and the error names
 * the failing operation and the kernel's errno. Returns 0, -EBUSY (lock held), -ENODEV
 * (controller or configfs absent) or the failing operation's errno.
 */
int epdma_profile_apply(struct epdma_ctx *ctx, const struct epdma_profile *p, unsigned int flags,
			struct epdma_apply_report *report, struct epdma_error *err);

/*
 * epdma_clear() - tear down in the safe order (start=0 if started, unlink, rmdir) every
 * function of the profile last applied under @name (recorded in run_dir/profiles/), or the
 * function called @name if no such profile was recorded. -ENOENT if neither exists.
 * @ops_done (may be NULL) receives the number of operations performed.
 */
int epdma_clear(struct epdma_ctx *ctx, const char *name, size_t *ops_done,
		struct epdma_error *err);

/*
 * epdma_export() - read the live tree back into a profile (JSON text, free with free()).
 * @controller: limit to functions bound to this controller (NULL: the first controller that
 * has functions bound, or none). @function: limit to one function (NULL: all).
 * The result validates and re-applies to the same tree.
 */
int epdma_export(struct epdma_ctx *ctx, const char *controller, const char *function,
		 bool pretty, char **out, struct epdma_error *err);

enum epdma_diff_kind {
	EPDMA_DIFF_MISSING,	/* in the profile, not live */
	EPDMA_DIFF_CHANGED,	/* live with another value */
	EPDMA_DIFF_EXTRA,	/* live, not in the profile (a function or a binding) */
};

struct epdma_diff_entry {
	enum epdma_diff_kind kind;
	const char *path;	/* relative to the pci_ep root */
	const char *desired;	/* NULL for EXTRA */
	const char *live;	/* NULL for MISSING */
};

struct epdma_diff;

/* epdma_diff_new() - compare @p with the live tree; an empty diff means "in sync". */
int epdma_diff_new(struct epdma_ctx *ctx, const struct epdma_profile *p, struct epdma_diff **out,
		   struct epdma_error *err);
void epdma_diff_free(struct epdma_diff *d);
size_t epdma_diff_count(const struct epdma_diff *d);
const struct epdma_diff_entry *epdma_diff_entry(const struct epdma_diff *d, size_t i);
const char *epdma_diff_kind_name(enum epdma_diff_kind kind);

/* ------------------------------------------------------------------------------------------ */
/* Status, modules and test runs (owned by lib/status.c, lib/modules.c, lib/test-run.c)       */
/* BEGIN A2 */

/*
 * Status: a snapshot of what the kernel exposes about endpoint controllers, their configfs
 * functions and bindings, NTB devices, the exported DMA slice and its channels, the ntb_ep_dma
 * test client and the modules involved. Every field is read with a bounded read; a value the
 * kernel does not expose is NULL (strings) or -1 (tristates and counters).
 */
struct epdma_status_binding {
	char *controller;	/* controllers/<name> */
	char *function;		/* "<driver>/<name>" under functions/ */
	char *interface;	/* "primary" or "secondary" */
};

struct epdma_status_controller {
	char *name;
	char *parent;		/* the device the EPC belongs to (e.g. e65d0000.pcie-ep) */
	bool in_configfs;	/* controllers/<name> exists in pci_ep configfs */
	int started;		/* controllers/<name>/start: 0, 1, -1 unknown */
};

struct epdma_status_function {
	char *driver;		/* functions/<driver>/ */
	char *name;		/* functions/<driver>/<name> */
	char *subgroup;		/* "<driver>.N" driver attribute group, NULL if none */
	char *vendorid;		/* as the kernel prints them ("0x1912") */
	char *deviceid;
	int msi_interrupts;	/* -1 unknown */
	/* vNTB DMA export knobs (patched pci_epf_vntb); -1 when the driver has none */
	int64_t dma_bar;
	int64_t dma_offset;
	int64_t dma_num_chans;
};

struct epdma_status_pci_function {
	char *address;		/* "0000:01:00.0" */
	char *vendor;		/* "0x1912" */
	char *device;
	char *driver;		/* ntb_hw_epf (host) or pci-vntb (endpoint's virtual bus) */
	char *link_speed;	/* current_link_speed, NULL on virtual functions */
	int link_width;		/* current_link_width, -1 unknown */
};

struct epdma_status_ntb {
	char *name;		/* device on /sys/bus/ntb */
	char *pci_device;	/* the PCI function the NTB device belongs to */
	char *driver;		/* bound NTB client (ntb_ep_dma, ntb_transport, ...), NULL if none */
	int link_up;		/* 1/0 as reported by ntb_ep_dma, -1 unknown */
	/*
	 * Where link_up comes from: "ntb_ep_dma" (its result file), "dma-export" (ntb_hw_epf
	 * adds the ep_dma_v1 device only while the link is up), NULL when unknown.
	 */
	const char *link_source;
};

struct epdma_status_dma_export {
	char *name;		/* "ntb_hw_epf.ep_dma_v1.<id>" on the auxiliary bus */
	char *parent;		/* PCI function that carries the slice */
	char *driver;		/* bound frontend (dw_edma_aux...), NULL if unbound */
	bool has_locator;	/* locator attributes were readable */
	uint32_t abi, bar, offset, size, num_chans, irq_base, irq_count;
	size_t n_channels;
	char **channels;	/* names of the DMA channels the frontend registered */
};

struct epdma_status_dma_channel {
	char *name;		/* "dma1chan0" */
	char *device;		/* provider device (basename) */
	char *driver;		/* provider's driver, NULL if none */
	int in_use;		/* -1 unknown */
	int64_t memcpy_count;	/* -1 unknown */
	int64_t bytes_transferred;
};

struct epdma_status_test_device {
	char *device;		/* debugfs ntb_ep_dma/<device> */
	int ready;		/* "ready" file: 1, 0, -1 unreadable */
	bool has_result;
	int last_status;
	char *peer_state;
	int link_up;
};

enum epdma_module_state {
	EPDMA_MODULE_ABSENT,	/* not loaded and not built in */
	EPDMA_MODULE_BUILTIN,
	EPDMA_MODULE_LIVE,
	EPDMA_MODULE_COMING,
	EPDMA_MODULE_GOING,
};

struct epdma_status_module {
	char *name;
	enum epdma_module_state state;
	int refcnt;		/* -1 unknown / built in */
};

struct epdma_status {
	size_t n_controllers;
	struct epdma_status_controller *controllers;
	size_t n_functions;
	struct epdma_status_function *functions;
	size_t n_bindings;
	struct epdma_status_binding *bindings;
	bool configfs_mounted;	/* <configfs>/pci_ep exists */
	size_t n_pci_functions;
	struct epdma_status_pci_function *pci_functions;
	size_t n_ntb;
	struct epdma_status_ntb *ntb;
	size_t n_dma_exports;
	struct epdma_status_dma_export *dma_exports;
	size_t n_dma_channels;
	struct epdma_status_dma_channel *dma_channels;
	bool debugfs_test_present;	/* <debugfs>/ntb_ep_dma exists */
	size_t n_test_devices;
	struct epdma_status_test_device *test_devices;
	size_t n_modules;
	struct epdma_status_module *modules;
};

/*
 * Read the status under the context's roots into a newly allocated *out (free it with
 * epdma_status_free()). Missing subsystems are normal and give empty lists; only allocation
 * failures and unreadable roots are errors.
 */
int epdma_status_read(struct epdma_ctx *ctx, struct epdma_status **out, struct epdma_error *err);
void epdma_status_free(struct epdma_status *st);
const char *epdma_module_state_str(enum epdma_module_state state);

/* The modules status reports on, NULL-terminated. */
extern const char *const epdma_known_modules[];

/*
 * Modules: libkmod loading in the style of systemd's module-util. Built-in and live modules
 * are skipped, blacklists (modprobe.d "blacklist") are honoured, errors carry a message that
 * names the module and what went wrong.
 */
enum epdma_module_action {
	EPDMA_MODULE_LOADED,		/* inserted now (or would be, on dry run) */
	EPDMA_MODULE_ALREADY_LIVE,
	EPDMA_MODULE_IS_BUILTIN,
	EPDMA_MODULE_BLACKLISTED,	/* refused by a blacklist, nothing inserted */
	EPDMA_MODULE_NOT_FOUND,		/* no such module in the module directory */
	EPDMA_MODULE_FAILED,
};

struct epdma_module_result {
	char name[64];
	enum epdma_module_action action;
	int error;			/* -errno for NOT_FOUND/FAILED/BLACKLISTED, else 0 */
};

#define EPDMA_MODULES_DRY_RUN	(1u << 0)	/* decide and resolve, never insert */

/*
 * Load each of @names (NULL-terminated; module names or aliases). Fills @results (may be
 * NULL) with one entry per name. Returns 0 if every module is loaded, live or built in,
 * otherwise the first error (-ENOENT missing, -EPERM blacklisted, or what the kernel said);
 * @err names the module. The kmod context is created on first use from the context's
 * module directory and modprobe.d paths.
 */
int epdma_modules_load(struct epdma_ctx *ctx, const char *const *names, unsigned int flags,
		       struct epdma_module_result *results, struct epdma_error *err);
const char *epdma_module_action_str(enum epdma_module_action action);

/*
 * State of one module: live/coming/going from <sysfs>/module/<name>/initstate, built in when
 * <sysfs>/module/<name> exists without initstate or the name is in modules.builtin, else
 * absent. Module directory and modprobe.d follow the context root: <root>/lib/modules/<release>
 * and <root>/{etc,run,lib}/modprobe.d when a root prefix is set, the system's otherwise.
 */
int epdma_module_state(struct epdma_ctx *ctx, const char *name, enum epdma_module_state *state);

/*
 * Test run: drive ntb_ep_dma's debugfs ready/run/result for one device.
 */
struct epdma_test_result {
	unsigned int fields;		/* EPDMA_TR_F_* bits of the lines seen */
	int64_t last_status;
	uint64_t last_len;
	uint64_t local_buf_dma;
	uint64_t local_buf_size;
	uint32_t peer_ready;
	char peer_state[16];		/* init, ready, xfer-done, pass, fail, unknown */
	uint64_t peer_dma;
	uint64_t peer_size;
	uint64_t peer_seq;
	uint64_t peer_xfer_len;
	uint32_t link_up;
};

#define EPDMA_TR_F_LAST_STATUS		(1u << 0)
#define EPDMA_TR_F_LAST_LEN		(1u << 1)
#define EPDMA_TR_F_LOCAL_BUF_DMA	(1u << 2)
#define EPDMA_TR_F_LOCAL_BUF_SIZE	(1u << 3)
#define EPDMA_TR_F_PEER_READY		(1u << 4)
#define EPDMA_TR_F_PEER_STATE		(1u << 5)
#define EPDMA_TR_F_PEER_DMA		(1u << 6)
#define EPDMA_TR_F_PEER_SIZE		(1u << 7)
#define EPDMA_TR_F_PEER_SEQ		(1u << 8)
#define EPDMA_TR_F_PEER_XFER_LEN	(1u << 9)
#define EPDMA_TR_F_LINK_UP		(1u << 10)

/*
 * Parse the text of a debugfs "result" file ("key: value" lines). Unknown keys are ignored,
 * a malformed value or a missing last_status gives -EBADMSG. Never reads past @len.
 */
int epdma_test_result_parse(const char *buf, size_t len, struct epdma_test_result *out);

enum epdma_test_outcome {
	EPDMA_TEST_PASS,
	EPDMA_TEST_FAIL,	/* the run completed and the peer or the transfer reported failure */
	EPDMA_TEST_TIMEOUT,
	EPDMA_TEST_ERROR,	/* could not run (no device, permission, ...) or lost the device or
				 * the NTB link on the way */
};

/* Which limit ended a run that timed out. */
enum epdma_test_timeout_by {
	EPDMA_TIMEOUT_NONE,	/* the run did not time out */
	EPDMA_TIMEOUT_CALLER,	/* the caller's limit: timeout_ms of the options, or its default */
	EPDMA_TIMEOUT_KERNEL,	/* ntb_ep_dma's own limit on each of its waits */
};

/* ntb_ep_dma's limit on each wait (peer ready, a transfer, the peer's check): 5 s */
#define EPDMA_NTB_EP_DMA_WAIT_MS	5000

struct epdma_test_opts {
	/*
	 * PCI name under ntb_ep_dma/; NULL = the only host-side device (its PCI function bound
	 * to ntb_hw_epf). A caller that runs several tests passes the name the first one found
	 * (report.device), so that every run goes to the same device.
	 */
	const char *device;
	unsigned int timeout_ms;	/* 0 = 30000 */
};

struct epdma_test_report {
	char device[64];
	enum epdma_test_outcome outcome;
	int error;		/* -errno: why it failed/timed out/could not run, 0 on pass */
	const char *stage;	/* "lookup", "ready", "run", "result" */
	uint64_t duration_us;
	bool has_result;
	struct epdma_test_result result;
	enum epdma_test_timeout_by timeout_by;	/* on EPDMA_TEST_TIMEOUT: whose limit */
	unsigned int timeout_ms;		/* ... and that limit */
};

/*
 * Run one ntb_ep_dma transfer: wait for the peer to be ready, write "1" to run, read result.
 * Returns 0 on pass; -ENODEV when ntb_ep_dma's debugfs or the device is missing or went away
 * (no host-side device: the NTB link is down), -ENOLINK when the link went down during the
 * run (both EPDMA_TEST_ERROR); -EINVAL when several host-side devices leave the choice to the
 * caller; -ETIMEDOUT when the peer is not ready or no result arrives in time, or ntb_ep_dma
 * itself gave up (report->timeout_by says which); -EIO (or the kernel's error) when the run
 * failed. @report is filled in every case.
 */
int epdma_test_run(struct epdma_ctx *ctx, const struct epdma_test_opts *opts,
		   struct epdma_test_report *report, struct epdma_error *err);
const char *epdma_test_outcome_str(enum epdma_test_outcome outcome);

/*
 * Measuring test through ntb_ep_dma's generic netlink family (lib/test-netlink.c, libnl-genl).
 */
struct epdma_nl_opts {
	const char *device;	/* NULL: the only host-side device (bound to ntb_hw_epf) */
	int channel;		/* channel id on the exported engine, -1 = any */
	int direction;		/* 0 = write to the peer, 1 = read from it */
	uint32_t size;		/* bytes per transfer, 0 = min(4096, peer buffer) */
	uint32_t count;		/* transfers, 0 = 1 */
	uint32_t depth;		/* in flight, 0 = 1 */
	bool no_verify;
	unsigned int timeout_ms;	/* 0 = none; else the run is cancelled after it */
};

struct epdma_nl_result {
	char device[64];
	char channel_name[32];
	uint32_t channel;
	uint32_t direction;
	uint32_t size, count, depth;
	bool verify;
	int32_t status;		/* 0 or -errno: how the run ended */
	uint64_t bytes;
	uint32_t transfers, errors;
	uint64_t elapsed_ns;
	uint64_t throughput;	/* bytes per second */
	uint64_t lat_min_ns, lat_avg_ns, lat_p50_ns, lat_p99_ns, lat_max_ns;
	bool timed_out;		/* cancelled when opts->timeout_ms expired (status -ETIMEDOUT) */
};

/* 1 if the ntb_ep_dma family is registered, 0 if not, -errno if netlink is not usable. */
int epdma_nl_available(void);
/*
 * Parse one RUN reply or RUN_DONE notification (netlink header, genetlink header, attributes)
 * of @len bytes. -EBADMSG if it is not one; never reads past @len.
 */
int epdma_nl_result_parse(const void *msg, size_t len, struct epdma_nl_result *out);
/*
 * Run a test and wait for its result. Returns 0 when the run took place (@res->status says
 * how it ended: -ETIMEDOUT with @res->timed_out after opts->timeout_ms, -ETIMEDOUT alone when
 * ntb_ep_dma's own limit expired, -ENOLINK or -ENODEV when the link or the device went away),
 * or -errno with the kernel's message in @err when it could not start (-EBUSY: a test is
 * running on the device; -ENODEV: no host-side device, the NTB link is down).
 */
int epdma_nl_run(struct epdma_ctx *ctx, const struct epdma_nl_opts *opts,
		 struct epdma_nl_result *res, struct epdma_error *err);
/* Call @cb for every run-completion notification until it returns non-zero (returned). */
typedef int (*epdma_nl_watch_fn)(const struct epdma_nl_result *res, void *data);
int epdma_nl_watch(epdma_nl_watch_fn cb, void *data, struct epdma_error *err);

/* END A2 */

/* ------------------------------------------------------------------------------------------ */
/* Daemon support (owned by the epdmad side)                                                  */
/* BEGIN B */

/*
 * Profile store: every *.json file of a directory (default /etc/epdma/profiles.d), each
 * loaded and validated on its own. An invalid file, or one that conflicts with an earlier
 * file (same name, same controller, same host PCI ID; files are taken in name order), is
 * kept out of the store and listed with its error instead.
 */
#define EPDMA_PROFILE_DIR		"/etc/epdma/profiles.d"
#define EPDMA_PROFILE_STORE_MAX_FILES	256

struct epdma_profile_store;

/*
 * Returns 0, or -ENOENT with an empty store in *@out when @dir does not exist, or another
 * negative errno (and *@out NULL) when the directory cannot be read at all.
 */
int epdma_profile_store_load(struct epdma_ctx *ctx, const char *dir,
			     struct epdma_profile_store **out, struct epdma_error *err);
void epdma_profile_store_free(struct epdma_profile_store *s);
size_t epdma_profile_store_count(const struct epdma_profile_store *s);
const struct epdma_profile *epdma_profile_store_get(const struct epdma_profile_store *s,
						    size_t i);
/* Files that were skipped: error->file names the file, the rest says why. */
size_t epdma_profile_store_invalid_count(const struct epdma_profile_store *s);
const struct epdma_error *epdma_profile_store_invalid(const struct epdma_profile_store *s,
						      size_t i);
const struct epdma_profile *epdma_profile_store_find(const struct epdma_profile_store *s,
						     const char *name);
/* The endpoint profile for controller @controller (its sysfs name), or NULL. */
const struct epdma_profile *
epdma_profile_store_match_controller(const struct epdma_profile_store *s, const char *controller);
/* The host profile whose "match" is @vendor:@device, or NULL. */
const struct epdma_profile *epdma_profile_store_match_pci(const struct epdma_profile_store *s,
							  uint16_t vendor, uint16_t device);

/*
 * Devices epdmad watches, classified from udev's subsystem (and driver) names.
 */
enum epdma_device_kind {
	EPDMA_DEVICE_OTHER,
	EPDMA_DEVICE_CONTROLLER,	/* class pci_epc: an endpoint controller */
	EPDMA_DEVICE_NTB,		/* bus ntb */
	EPDMA_DEVICE_DMA,		/* class dma: a DMAengine channel */
	EPDMA_DEVICE_NTB_FUNCTION,	/* bus pci: candidate NTB function (host side) */
	EPDMA_DEVICE_AUXILIARY,		/* bus auxiliary: e.g. ntb_hw_epf.ep_dma_v1.N */
};

enum epdma_device_kind epdma_device_classify(const char *subsystem, const char *driver);
const char *epdma_device_kind_name(enum epdma_device_kind kind);
/* Is @driver the host-side NTB driver of an endpoint function (ntb_hw_epf)? */
bool epdma_device_is_ntb_driver(const char *driver);
/* Parse udev's PCI_ID ("1912:0030", hex). -EINVAL if malformed. */
int epdma_parse_pci_id(const char *s, uint16_t *vendor, uint16_t *device);

/*
 * epdmad socket protocol (epdmad(8)): one JSON object per SOCK_SEQPACKET message.
 * Request: {"version":1,"request":"status"|"events"|"apply"|"reload"|"version",
 *           "profile":NAME (apply only), "after":SEQ, "max":N (events only)}
 * Reply:   {"version":1,"ok":true,...} or {"version":1,"ok":false,"errno":N,"error":TEXT}
 */
#define EPDMA_DAEMON_SOCKET_NAME	"epdmad.sock"	/* in the context's run dir */
#define EPDMA_IPC_VERSION_NUMBER	1
#define EPDMA_IPC_MAX_REQUEST		4096
#define EPDMA_IPC_MAX_REPLY		(192 * 1024)
#define EPDMA_IPC_MAX_DEPTH		4

enum epdma_ipc_op {
	EPDMA_IPC_STATUS,
	EPDMA_IPC_EVENTS,
	EPDMA_IPC_APPLY,
	EPDMA_IPC_RELOAD,
	EPDMA_IPC_VERSION,
};

struct epdma_ipc_request {
	enum epdma_ipc_op op;
	char profile[EPDMA_NAME_MAX + 1];	/* apply */
	uint64_t after;				/* events: only those with seq > after */
	unsigned int max;			/* events: at most this many (0: all kept) */
};

/*
 * Parse one request message of @len bytes (need not be NUL-terminated). Returns 0,
 * -EMSGSIZE when longer than EPDMA_IPC_MAX_REQUEST, -EINVAL for anything malformed
 * (@err says what), -ENOMEM.
 */
int epdma_ipc_parse_request(const char *buf, size_t len, struct epdma_ipc_request *req,
			    struct epdma_error *err);
/* The request as a JSON message (free with free()). */
int epdma_ipc_format_request(const struct epdma_ipc_request *req, char **out);
const char *epdma_ipc_op_name(enum epdma_ipc_op op);
/* Does @op change the system (and so need root)? */
bool epdma_ipc_op_mutates(enum epdma_ipc_op op);

/* <run dir>/epdmad.sock */
int epdma_daemon_socket_path(struct epdma_ctx *ctx, char *buf, size_t size);

/*
 * Send @req to epdmad at @socket_path (NULL: the context's default) and return its reply
 * (JSON text, free with free()) in *@reply. -ENOTCONN when no daemon listens, -ETIMEDOUT
 * when no reply came within @timeout_ms (0: 5000).
 */
int epdma_daemon_call(struct epdma_ctx *ctx, const char *socket_path,
		      const struct epdma_ipc_request *req, unsigned int timeout_ms, char **reply,
		      struct epdma_error *err);

/* END B */

#ifdef __cplusplus
}
#endif

#endif /* EPDMA_H */

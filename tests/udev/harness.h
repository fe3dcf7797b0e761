/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the epdmad udev tests and the daemon benchmark: a temporary root with a pci_ep
 * tree (kernel side played by kernel-shim.so), a umockdev testbed for /sys and uevents, the
 * daemon started on them, and its socket. Static functions: include it from one file only.
 */
#ifndef EPDMAD_HARNESS_H
#define EPDMAD_HARNESS_H

/* Not every user needs every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
/*
 * umockdev hands uevents to the daemon over a UNIX datagram socket and drops them when
 * the receiver's queue is full; the queue length is net.unix.max_dgram_qlen (10 by
 * default). As root the burst runs in a private network namespace with a longer queue, so
 * windows of 100 back-to-back uevents reach the daemon; otherwise windows of 8.
 */
static unsigned int burst_window(void)
{
	FILE *f;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0)
		return 4;
	f = fopen("/proc/sys/net/unix/max_dgram_qlen", "w");
	if (!f)
		return 4;
	fputs("4096\n", f);
	fclose(f);
	return 50;
}

static uint64_t last_seq(void)
{
	struct json_object *o = request("{\"request\":\"events\",\"max\":1}"), *last;
	uint64_t seq = 0;

	CHECK(reply_ok(o), "events");
	if (json_object_object_get_ex(o, "last", &last))
		seq = json_object_get_uint64(last);
	json_object_put(o);
	return seq;
}

#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <ftw.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <umockdev.h>

static UMockdevTestbed *tb;
static char root[64], pci_ep[512], profiles[512], sock[100], oplog[512], dlog[512];
static const char *epdmad_bin, *shim;
static pid_t dpid = -1;
/* When set, the daemon gets them as NOTIFY_SOCKET and WATCHDOG_USEC (service manager). */
static const char *notify_socket, *watchdog_usec;
/* Start without --debug and with JOURNAL_STREAM naming the daemon's stderr, as systemd does. */
static bool as_service;
/* Delay of the driver subgroup after mkdir in kernel-shim.so (default: the kernel's 1 ms). */
static const char *group_delay_ms;
/* Attribute (path suffix) whose writes kernel-shim.so refuses with EINVAL. */
static const char *fail_write;
static const char *test_name;
static int checks;

/* ------------------------------------------------------------------------------------------ */

static void dump_log(void)
{
	char cmd[700];

	fprintf(stderr, "---- daemon log (last 40 lines) ----\n");
	snprintf(cmd, sizeof(cmd), "tail -n 40 '%s' >&2", dlog);
	if (system(cmd) < 0)
		perror("system");
}

static void cleanup(void)
{
	if (dpid > 0) {
		kill(dpid, SIGKILL);
		waitpid(dpid, NULL, 0);
		dpid = -1;
	}
}

#define CHECK(cond, ...)                                                                          \
	do {                                                                                      \
		checks++;                                                                         \
		if (!(cond)) {                                                                    \
			fprintf(stderr, "FAIL %s:%d: %s: ", test_name, __LINE__, #cond);           \
			fprintf(stderr, __VA_ARGS__);                                             \
			fputc('\n', stderr);                                                      \
			dump_log();                                                               \
			cleanup();                                                                \
			exit(1);                                                                  \
		}                                                                                 \
	} while (0)

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void write_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");

	CHECK(f, "cannot create %s: %s", path, strerror(errno));
	fputs(content, f);
	fclose(f);
}

static bool read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return true;
}

static void mkdirs(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void mkdirs(const char *fmt, ...)
{
	char path[1024], cmd[1100];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	CHECK(system(cmd) == 0, "mkdir -p %s", path);
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void rm_rf(const char *path)
{
	nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static unsigned int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned int n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* ------------------------------------------------------------------------------------------ */
/* The environment: temporary root, modules, profiles                                         */

static void setup(void)
{
	snprintf(root, sizeof(root), "/tmp/epdmad-test.XXXXXX");
	CHECK(mkdtemp(root), "mkdtemp: %s", strerror(errno));
	chmod(root, 0755);	/* the unprivileged client must reach the socket */
	snprintf(pci_ep, sizeof(pci_ep), "%s/sys/kernel/config/pci_ep", root);
	snprintf(profiles, sizeof(profiles), "%s/profiles.d", root);
	snprintf(sock, sizeof(sock), "%s/run/epdma/epdmad.sock", root);
	snprintf(oplog, sizeof(oplog), "%s/configfs-ops.log", root);
	snprintf(dlog, sizeof(dlog), "%s/epdmad.log", root);
	mkdirs("%s/functions/pci_epf_vntb", pci_ep);
	mkdirs("%s/functions/pci_epf_test", pci_ep);
	mkdirs("%s/controllers", pci_ep);
	mkdirs("%s", profiles);
	/* pci_epf_vntb and the host modules are "loaded": <root>/sys/module/X/initstate. */
	for (const char *const *m = (const char *const[]){ "pci_epf_vntb", "ntb_hw_epf",
							    "dw_edma_aux", "ntb_ep_dma", NULL };
	     *m; m++) {
		char p[700];

		mkdirs("%s/sys/module/%s", root, *m);
		snprintf(p, sizeof(p), "%s/sys/module/%s/initstate", root, *m);
		write_file(p, "live\n");
	}
	tb = umockdev_testbed_new();
	CHECK(tb, "umockdev testbed");
	CHECK(umockdev_in_mock_environment(), "not running under umockdev-wrapper");
}

static void teardown(void)
{
	cleanup();
	if (tb)
		g_object_unref(tb);
	if (!getenv("EPDMAD_TEST_KEEP"))
		rm_rf(root);
	else
		fprintf(stderr, "kept %s\n", root);
}

static void endpoint_profile(const char *file, const char *name, const char *controller,
			     const char *driver, const char *vendorid)
{
	char path[700], body[2048];

	snprintf(path, sizeof(path), "%s/%s", profiles, file);
	if (!strcmp(driver, "pci_epf_vntb"))
		snprintf(body, sizeof(body),
			 "{ \"version\": 1, \"name\": \"%s\", \"role\": \"endpoint\",\n"
			 "  \"controller\": \"%s\",\n"
			 "  \"functions\": [ { \"name\": \"f%s\", \"driver\": \"pci_epf_vntb\",\n"
			 "    \"attributes\": { \"vendorid\": \"%s\", \"deviceid\": \"0x0030\",\n"
			 "                      \"msi_interrupts\": 32 },\n"
			 "    \"driver_attributes\": { \"db_count\": 16, \"spad_count\": 128,\n"
			 "      \"num_mws\": 1, \"mw1\": \"0xF9000\", \"vntb_vid\": \"0x1912\",\n"
			 "      \"vntb_pid\": \"0x0030\", \"vbus_number\": \"0x10\" } } ],\n"
			 "  \"start\": true }\n",
			 name, controller, controller, vendorid);
	else
		snprintf(body, sizeof(body),
			 "{ \"version\": 1, \"name\": \"%s\", \"role\": \"endpoint\",\n"
			 "  \"controller\": \"%s\",\n"
			 "  \"functions\": [ { \"name\": \"t1\", \"driver\": \"%s\",\n"
			 "    \"attributes\": { \"vendorid\": \"%s\" } } ],\n"
			 "  \"start\": true }\n",
			 name, controller, driver, vendorid);
	write_file(path, body);
}

static void host_profile(const char *file, const char *name, const char *vendor,
			 const char *device)
{
	char path[700], body[1024];

	snprintf(path, sizeof(path), "%s/%s", profiles, file);
	snprintf(body, sizeof(body),
		 "{ \"version\": 1, \"name\": \"%s\", \"role\": \"host\",\n"
		 "  \"match\": { \"vendor\": \"%s\", \"device\": \"%s\" },\n"
		 "  \"modules\": [ \"ntb_hw_epf\", \"dw_edma_aux\", \"ntb_ep_dma\" ] }\n",
		 name, vendor, device);
	write_file(path, body);
}

/* ------------------------------------------------------------------------------------------ */
/* The daemon and its socket                                                                 */

static int connect_sock(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	memcpy(sa.sun_path, sock, sizeof(sock));
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Send @req on @fd, wait up to 10 s for one reply. Returns reply length or -errno. */
static ssize_t exchange(int fd, const void *req, size_t len, char *reply, size_t size)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (send(fd, req, len, MSG_NOSIGNAL) < 0)
		return -errno;
	if (poll(&p, 1, 10000) <= 0)
		return -ETIMEDOUT;
	n = recv(fd, reply, size - 1, 0);
	if (n < 0)
		return -errno;
	reply[n] = '\0';
	return n;
}

/* One request on a fresh connection; the parsed reply (caller puts it), NULL on failure. */
static struct json_object *request(const char *req)
{
	static char reply[256 * 1024];
	int fd = connect_sock();
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = exchange(fd, req, strlen(req), reply, sizeof(reply));
	close(fd);
	return n > 0 ? json_tokener_parse(reply) : NULL;
}

static bool reply_ok(struct json_object *o)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, "ok", &v) && json_object_get_boolean(v);
}

static int reply_errno(struct json_object *o)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, "errno", &v) ? json_object_get_int(v) : 0;
}

static bool daemon_alive(void)
{
	return dpid > 0 && waitpid(dpid, NULL, WNOHANG) == 0;
}

static void daemon_start(const char *extra)
{
	char preload[1024];
	const char *old = getenv("LD_PRELOAD");
	uint64_t t0;

	/* Our shim first so its mkdir() sees the call before umockdev's wrapper passes it on. */
	snprintf(preload, sizeof(preload), "%s%s%s", shim, old ? ":" : "", old ?: "");
	dpid = fork();
	CHECK(dpid >= 0, "fork");
	if (dpid == 0) {
		int fd = open(dlog, O_WRONLY | O_CREAT | O_APPEND, 0644);

		/* A test killed by ctest's timeout must not leave its daemon running. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);

		dup2(fd, STDERR_FILENO);
		if (as_service) {
			struct stat st;
			char js[64];

			fstat(STDERR_FILENO, &st);
			snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
				 (unsigned long long)st.st_ino);
			setenv("JOURNAL_STREAM", js, 1);
		}
		setenv("LD_PRELOAD", preload, 1);
		setenv("EPDMA_SHIM_PCI_EP", pci_ep, 1);
		setenv("EPDMA_SHIM_LOG", oplog, 1);
		if (group_delay_ms)
			setenv("EPDMA_SHIM_GROUP_DELAY_MS", group_delay_ms, 1);
		if (fail_write)
			setenv("EPDMA_SHIM_FAIL_WRITE", fail_write, 1);
		unsetenv("NOTIFY_SOCKET");
		unsetenv("WATCHDOG_USEC");
		unsetenv("WATCHDOG_PID");
		if (notify_socket)
			setenv("NOTIFY_SOCKET", notify_socket, 1);
		if (watchdog_usec)
			setenv("WATCHDOG_USEC", watchdog_usec, 1);
		/* Sanitizer builds: leak checking for the daemon, not for GLib in the test. */
		if (getenv("EPDMAD_ASAN_OPTIONS"))
			setenv("ASAN_OPTIONS", getenv("EPDMAD_ASAN_OPTIONS"), 1);
		if (!as_service)
			unsetenv("JOURNAL_STREAM");
		/* EPDMAD_VALGRIND=path: run the daemon under memcheck, errors make it exit 99. */
		if (getenv("EPDMAD_VALGRIND"))
			execl(getenv("EPDMAD_VALGRIND"), "valgrind", "-q", "--error-exitcode=99",
			      "--leak-check=full", "--errors-for-leak-kinds=definite",
			      epdmad_bin, "--root", root, "--profile-dir", profiles, "--socket",
			      sock, as_service ? "--foreground" : "--debug", extra, (char *)NULL);
		execl(epdmad_bin, "epdmad", "--root", root, "--profile-dir", profiles, "--socket",
		      sock, as_service ? "--foreground" : "--debug", extra, (char *)NULL);
		_exit(127);
	}
	t0 = now_ms();
	for (;;) {
		struct json_object *o = request("{\"request\":\"version\"}");
		bool ok = reply_ok(o);

		json_object_put(o);
		if (ok)
			break;
		CHECK(daemon_alive(), "epdmad exited during start-up");
		CHECK(now_ms() - t0 < 10000, "epdmad did not answer within 10 s");
		msleep(10);
	}
}

/* SIGTERM must stop the daemon with exit status 0 (sanitizer reports make it non-zero). */
static int daemon_stop(void)
{
	int st;

	CHECK(kill(dpid, SIGTERM) == 0, "kill");
	CHECK(waitpid(dpid, &st, 0) == dpid, "waitpid");
	dpid = -1;
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "epdmad stopped with status 0x%x", st);
	return st;
}

/* State of device @name in the daemon's status, "absent" if not tracked. */
static void device_state(const char *name, char *state, size_t size, char *profile, size_t psize)
{
	struct json_object *o = request("{\"request\":\"status\"}"), *st, *devs;

	snprintf(state, size, "absent");
	if (profile)
		profile[0] = '\0';
	CHECK(reply_ok(o), "status request failed");
	CHECK(json_object_object_get_ex(o, "status", &st) &&
		      json_object_object_get_ex(st, "devices", &devs),
	      "status reply without devices");
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		struct json_object *d = json_object_array_get_idx(devs, i), *n, *s, *p;

		if (json_object_object_get_ex(d, "name", &n) &&
		    !strcmp(json_object_get_string(n), name) &&
		    json_object_object_get_ex(d, "state", &s)) {
			snprintf(state, size, "%s", json_object_get_string(s));
			if (profile && json_object_object_get_ex(d, "profile", &p))
				snprintf(profile, psize, "%s", json_object_get_string(p));
		}
	}
	json_object_put(o);
}

static void wait_state(const char *name, const char *want)
{
	char state[64] = "";
	uint64_t t0 = now_ms();

	for (;;) {
		device_state(name, state, sizeof(state), NULL, 0);
		if (!strcmp(state, want))
			break;
		CHECK(daemon_alive(), "epdmad died while waiting for %s=%s", name, want);
		CHECK(now_ms() - t0 < 10000, "%s is '%s' after 10 s, expected '%s'", name, state,
		      want);
		msleep(20);
	}
	checks++;
}

/* Number of retained events of @type (and with @profile, if not NULL). */
static unsigned int count_events(const char *type, const char *profile)
{
	struct json_object *o = request("{\"request\":\"events\"}"), *evs;
	unsigned int n = 0;

	CHECK(reply_ok(o) && json_object_object_get_ex(o, "events", &evs), "events request");
	for (size_t i = 0; i < json_object_array_length(evs); i++) {
		struct json_object *e = json_object_array_get_idx(evs, i), *t, *p;

		if (!json_object_object_get_ex(e, "type", &t) ||
		    strcmp(json_object_get_string(t), type))
			continue;
		if (profile && (!json_object_object_get_ex(e, "profile", &p) ||
				strcmp(json_object_get_string(p), profile)))
			continue;
		n++;
	}
	json_object_put(o);
	return n;
}

/* Voluntary context switches of @pid's main thread: how often it went to sleep. */
static long proc_ctxt_switches(pid_t pid)
{
	char path[64], line[256];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* ------------------------------------------------------------------------------------------ */
/* The kernel's side: controllers appear and disappear                                         */

static const char *controller_add(const char *name)
{
	char p[700];
	const char *syspath;

	/* pci_epc_create() adds the configfs group; udev then reports the device. */
	mkdirs("%s/controllers/%s", pci_ep, name);
	snprintf(p, sizeof(p), "%s/controllers/%s/start", pci_ep, name);
	write_file(p, "0\n");
	syspath = umockdev_testbed_add_device(tb, "pci_epc", name, NULL, NULL, NULL);
	CHECK(syspath, "add_device %s", name);
	return syspath;
}

static void controller_remove(const char *syspath, const char *name)
{
	char p[700];

	umockdev_testbed_uevent(tb, syspath, "remove");
	umockdev_testbed_remove_device(tb, syspath);
	/* pci_epc_destroy() drops the controller's group, and with it its links. */
	snprintf(p, sizeof(p), "%s/controllers/%s", pci_ep, name);
	rm_rf(p);
}

static void assert_applied(const char *controller, const char *vendorid)
{
	char p[900], buf[256];

	snprintf(p, sizeof(p), "%s/functions/pci_epf_vntb/f%s/vendorid", pci_ep, controller);
	CHECK(read_file(p, buf, sizeof(buf)), "%s missing", p);
	CHECK(!strcmp(buf, vendorid), "vendorid is %s, expected %s", buf, vendorid);
	snprintf(p, sizeof(p), "%s/controllers/%s/f%s", pci_ep, controller, controller);
	CHECK(readlink(p, buf, sizeof(buf)) > 0, "link %s missing", p);
	snprintf(p, sizeof(p), "%s/controllers/%s/start", pci_ep, controller);
	CHECK(read_file(p, buf, sizeof(buf)) && !strcmp(buf, "1"), "%s is '%s', expected 1", p,
	      buf);
}


/*
 * umockdev hands uevents to the daemon over a UNIX datagram socket and drops them when
 * the receiver's queue is full; the queue length is net.unix.max_dgram_qlen (10 by
 * default). As root the burst runs in a private network namespace with a longer queue, so
 * windows of 100 back-to-back uevents reach the daemon; otherwise windows of 8.
 */
static unsigned int burst_window(void)
{
	FILE *f;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0)
		return 4;
	f = fopen("/proc/sys/net/unix/max_dgram_qlen", "w");
	if (!f)
		return 4;
	fputs("4096\n", f);
	fclose(f);
	return 50;
}

static uint64_t last_seq(void)
{
	struct json_object *o = request("{\"request\":\"events\",\"max\":1}"), *last;
	uint64_t seq = 0;

	CHECK(reply_ok(o), "events");
	if (json_object_object_get_ex(o, "last", &last))
		seq = json_object_get_uint64(last);
	json_object_put(o);
	return seq;
}

#endif

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * epdmad under umockdev: synthetic pci_epc/pci devices and uevents reach the daemon's real
 * udev monitor loop; configfs is a temporary directory whose kernel side is played by
 * kernel-shim.so (see there for what is and is not modelled). Each test case is one
 * invocation ("test-epdmad CASE"), run by ctest under umockdev-wrapper.
 *
 * Assertions are about what a user sees: files and links in configfs, the ops the daemon
 * performed, the daemon's status/events replies, its exit status and its memory.
 */
#include <sys/utsname.h>

#include "harness.h"

/* ------------------------------------------------------------------------------------------ */
/* Test cases                                                                                  */

/* add → applied; apply again → no writes; remove → state updated; add again → applied again */
static void test_hotplug(void)
{
	const char *sp;
	char state[64], prof[80];
	unsigned int ops;
	struct json_object *o;

	endpoint_profile("ep0.json", "ep0-vntb", "ep0", "pci_epf_vntb", "0x1912");
	daemon_start(NULL);
	device_state("ep0", state, sizeof(state), NULL, 0);
	CHECK(!strcmp(state, "absent"), "ep0 tracked before it exists: %s", state);

	sp = controller_add("ep0");
	wait_state("ep0", "applied");
	assert_applied("ep0", "0x1912");
	device_state("ep0", state, sizeof(state), prof, sizeof(prof));
	CHECK(!strcmp(prof, "ep0-vntb"), "profile is '%s'", prof);
	CHECK(count_events("profile-applied", "ep0-vntb") == 1, "one profile-applied event");

	/* Idempotent: an explicit apply of the live profile performs no configfs operation. */
	ops = count_lines(oplog);
	CHECK(ops > 0, "the shim saw no operations at all");
	o = request("{\"version\":1,\"request\":\"apply\",\"profile\":\"ep0-vntb\"}");
	CHECK(reply_ok(o), "apply of a live profile failed: %s", json_object_to_json_string(o));
	json_object_put(o);
	CHECK(count_lines(oplog) == ops, "re-apply of a live profile wrote to configfs (%u ops)",
	      count_lines(oplog) - ops);
	CHECK(count_events("profile-live", "ep0-vntb") == 1, "profile-live event");

	/* A change uevent is also harmless. */
	umockdev_testbed_uevent(tb, sp, "change");
	wait_state("ep0", "applied");
	CHECK(count_events("profile-live", "ep0-vntb") >= 1, "change re-checked");

	controller_remove(sp, "ep0");
	wait_state("ep0", "absent");
	CHECK(count_events("device-removed", NULL) == 1, "device-removed event");

	sp = controller_add("ep0");
	wait_state("ep0", "applied");
	assert_applied("ep0", "0x1912");
	CHECK(count_events("profile-applied", "ep0-vntb") == 2, "applied again after re-add");

	CHECK(WIFEXITED(daemon_stop()), "epdmad did not exit normally on SIGTERM");
	CHECK(access(sock, F_OK) < 0, "socket left behind after stop");
}

/* Devices present before the daemon starts are handled exactly like hotplugged ones. */
static void test_coldplug(void)
{
	endpoint_profile("ep0.json", "ep0-vntb", "ep0", "pci_epf_vntb", "0x1912");
	controller_add("ep0");
	controller_add("ep9");	/* no profile */
	daemon_start(NULL);
	wait_state("ep0", "applied");
	assert_applied("ep0", "0x1912");
	wait_state("ep9", "no-profile");
	/* Restart: everything is live, the new instance must not write anything. */
	CHECK(WIFEXITED(daemon_stop()), "stop");
	{
		unsigned int ops = count_lines(oplog);

		daemon_start(NULL);
		wait_state("ep0", "applied");
		CHECK(count_lines(oplog) == ops, "restart re-wrote a live profile (%u ops)",
		      count_lines(oplog) - ops);
		CHECK(count_events("profile-live", "ep0-vntb") == 1, "profile-live after restart");
	}
	daemon_stop();
}

/* Invalid files are reported and skipped; nothing of them reaches configfs. */
static void test_invalid_profile(void)
{
	char p[700], body[512];
	struct json_object *o, *st, *inv;

	endpoint_profile("10-good.json", "good", "ep0", "pci_epf_vntb", "0x1912");
	/* Valid JSON, invalid profile: out-of-range attribute for controller ep1. */
	endpoint_profile("20-bad-range.json", "bad-range", "ep1", "pci_epf_vntb", "0x1ffff");
	snprintf(p, sizeof(p), "%s/30-garbage.json", profiles);
	write_file(p, "{ \"version\": 1, \"name\": \"garbage\", ");
	snprintf(p, sizeof(p), "%s/40-unknown-key.json", profiles);
	snprintf(body, sizeof(body), "{ \"version\": 1, \"name\": \"x\", \"role\": \"endpoint\", "
				     "\"controller\": \"ep1\", \"functions\": [], \"colour\": 1 }");
	write_file(p, body);
	/* Valid on its own, but ep0 already has a profile (earlier file wins). */
	endpoint_profile("15-dup-controller.json", "dup", "ep0", "pci_epf_vntb", "0x2222");
	snprintf(p, sizeof(p), "%s/README", profiles);	/* not *.json: ignored silently */
	write_file(p, "not a profile");

	controller_add("ep0");
	controller_add("ep1");
	daemon_start(NULL);
	wait_state("ep0", "applied");
	assert_applied("ep0", "0x1912");	/* good's value, not dup's 0x2222 */
	wait_state("ep1", "no-profile");
	CHECK(count_events("profile-invalid", NULL) == 4, "4 profile-invalid events, got %u",
	      count_events("profile-invalid", NULL));

	o = request("{\"request\":\"status\"}");
	CHECK(json_object_object_get_ex(o, "status", &st) &&
		      json_object_object_get_ex(st, "invalid_profiles", &inv) &&
		      json_object_array_length(inv) == 4,
	      "status lists 4 invalid profiles: %s", json_object_to_json_string(o));
	CHECK(strstr(json_object_to_json_string(inv), "20-bad-range.json") &&
		      strstr(json_object_to_json_string(inv), "30-garbage.json") &&
		      strstr(json_object_to_json_string(inv), "15-dup-controller.json"),
	      "invalid profiles are named by file");
	CHECK(strstr(json_object_to_json_string(inv), "already configured by profile 'good'"),
	      "the duplicate names the profile it conflicts with: %s",
	      json_object_to_json_string(inv));
	json_object_put(o);
	/* The only function in configfs is good's; nothing bound to ep1. */
	snprintf(p, sizeof(p), "%s/controllers/ep1/fep1", pci_ep);
	CHECK(access(p, F_OK) < 0, "something of an invalid profile was applied to ep1");
	snprintf(p, sizeof(p), "%s/controllers/ep1/start", pci_ep);
	CHECK(read_file(p, body, sizeof(body)) && !strcmp(body, "0"), "ep1 was started");

	/* A profile that needs a module that does not exist: reported, nothing applied. */
	endpoint_profile("50-nomod.json", "nomod", "ep2", "pci_epf_test", "0x1234");
	controller_add("ep2");
	wait_state("ep2", "no-profile");
	kill(dpid, SIGHUP);
	wait_state("ep2", "failed");
	CHECK(count_events("modules-failed", "nomod") == 1, "modules-failed event");
	snprintf(p, sizeof(p), "%s/functions/pci_epf_test/t1", pci_ep);
	CHECK(access(p, F_OK) < 0, "function of a profile whose module failed was created");
	CHECK(daemon_alive(), "daemon died");
	daemon_stop();
}

/* 1000 add/remove pairs: alive, right final state, no writes, bounded memory and history. */
static void test_burst(void)
{
	const char *sp;
	long rss0, rss1;
	struct json_object *o, *evs;
	uint64_t t0, seq0;
	unsigned int ops, window = burst_window();

	endpoint_profile("ep0.json", "ep0-vntb", "ep0", "pci_epf_vntb", "0x1912");
	daemon_start(NULL);
	sp = controller_add("ep0");
	wait_state("ep0", "applied");
	rss0 = rss_kib(dpid);
	ops = count_lines(oplog);
	seq0 = last_seq();
	t0 = now_ms();
	for (unsigned int sent = 0; sent < 1000;) {
		uint64_t tw = now_ms();

		for (unsigned int i = 0; i < window && sent < 1000; i++, sent++) {
			umockdev_testbed_uevent(tb, sp, "remove");
			umockdev_testbed_uevent(tb, sp, "add");
		}
		/* per pair: device-removed, device-added, profile-live */
		while (last_seq() < seq0 + 3ull * sent) {
			CHECK(daemon_alive(), "daemon died in the burst");
			CHECK(now_ms() - tw < 20000,
			      "uevents lost: %llu of %u events after 20 s (window %u)",
			      (unsigned long long)(last_seq() - seq0), 3 * sent, window);
			msleep(5);
		}
	}
	fprintf(stderr, "1000 remove/add pairs (2000 uevents, windows of %u) handled in %llu ms\n",
		2 * window, (unsigned long long)(now_ms() - t0));
	CHECK(last_seq() == seq0 + 3000, "unexpected extra events: %llu",
	      (unsigned long long)(last_seq() - seq0));
	wait_state("ep0", "applied");
	CHECK(count_events("device-removed", NULL) > 0, "removes seen");
	CHECK(count_lines(oplog) == ops, "the burst rewrote a live profile (%u ops)",
	      count_lines(oplog) - ops);
	rss1 = rss_kib(dpid);
	fprintf(stderr, "RSS before %ld KiB, after %ld KiB\n", rss0, rss1);
	/* ASan keeps freed memory in quarantine: RSS says nothing there (LSan checks leaks). */
	if (!getenv("EPDMAD_ASAN_OPTIONS"))
		CHECK(rss1 - rss0 < 2048, "RSS grew by %ld KiB in the burst", rss1 - rss0);
	o = request("{\"request\":\"events\"}");
	CHECK(json_object_object_get_ex(o, "events", &evs) &&
		      json_object_array_length(evs) == 128,
	      "event history is not bounded at 128");
	json_object_put(o);
	daemon_stop();
}

/* SIGHUP storm, with a profile added in the middle: alive, reloaded, new profile applied. */
static void test_sighup_storm(void)
{
	struct json_object *o, *st, *d, *r;
	uint64_t reloads;

	endpoint_profile("ep0.json", "ep0-vntb", "ep0", "pci_epf_vntb", "0x1912");
	controller_add("ep0");
	controller_add("ep1");
	daemon_start(NULL);
	wait_state("ep0", "applied");
	wait_state("ep1", "no-profile");
	for (int i = 0; i < 500; i++) {
		CHECK(kill(dpid, SIGHUP) == 0, "kill");
		if (i == 250)
			endpoint_profile("ep1.json", "ep1-test", "ep1", "pci_epf_vntb", "0x1912");
	}
	kill(dpid, SIGHUP);
	wait_state("ep1", "applied");
	wait_state("ep0", "applied");
	o = request("{\"request\":\"status\"}");
	CHECK(json_object_object_get_ex(o, "status", &st) &&
		      json_object_object_get_ex(st, "daemon", &d) &&
		      json_object_object_get_ex(d, "reloads", &r),
	      "status.daemon.reloads");
	reloads = json_object_get_uint64(r);
	fprintf(stderr, "501 SIGHUPs gave %llu reloads (signals coalesce)\n",
		(unsigned long long)reloads);
	CHECK(reloads >= 1, "no reload happened");
	json_object_put(o);
	/* IPC reload from root works too. */
	o = request("{\"request\":\"reload\"}");
	CHECK(reply_ok(o), "reload request");
	json_object_put(o);
	CHECK(WIFEXITED(daemon_stop()), "stop after storm");
}

/* Malformed, oversized, idle and non-reading clients never disturb the daemon. */
static void test_ipc_robustness(void)
{
	static char big[70000], reply[4096];
	const char *bad[] = {
		"not json", "{", "[]", "42", "{\"request\":1}", "{\"request\":\"explode\"}",
		"{\"request\":\"status\",\"extra\":true}", "{\"version\":2,\"request\":\"status\"}",
		"{\"request\":\"apply\"}", "{\"request\":\"apply\",\"profile\":\"../etc\"}",
		"{\"request\":\"status\"} trailing", "{\"request\":\"events\",\"after\":-1}",
		"{\"request\":\"status\",\"profile\":\"x\"}", "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}",
	};
	int idle[40], fd;
	struct json_object *o;
	ssize_t n;

	endpoint_profile("ep0.json", "ep0-vntb", "ep0", "pci_epf_vntb", "0x1912");
	daemon_start(NULL);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = request(bad[i]);
		CHECK(o && !reply_ok(o) && reply_errno(o) == EINVAL,
		      "request %s: expected an EINVAL error reply, got %s", bad[i],
		      o ? json_object_to_json_string(o) : "nothing");
		json_object_put(o);
	}
	/* A NUL byte inside the message. */
	fd = connect_sock();
	n = exchange(fd, "{\"request\":\0\"status\"}", 21, reply, sizeof(reply));
	CHECK(n > 0 && strstr(reply, "\"ok\":false"), "NUL byte request: %s", reply);
	close(fd);

	/* Oversized: error reply, then the connection is closed. */
	memset(big, ' ', sizeof(big));
	memcpy(big, "{\"request\":\"status\"", 19);
	big[sizeof(big) - 1] = '}';
	fd = connect_sock();
	n = exchange(fd, big, sizeof(big), reply, sizeof(reply));
	CHECK(n > 0 && strstr(reply, "\"errno\":90"), "oversized request: %zd %s", n,
	      n > 0 ? reply : "");
	n = recv(fd, reply, sizeof(reply), 0);
	CHECK(n == 0, "connection not closed after an oversized request (%zd)", n);
	close(fd);

	/* 40 idle connections (more than the daemon keeps): a new client is still served. */
	for (int i = 0; i < 40; i++) {
		idle[i] = connect_sock();
		CHECK(idle[i] >= 0, "connect %d", i);
	}
	o = request("{\"request\":\"version\"}");
	CHECK(reply_ok(o), "daemon unresponsive with 40 idle clients");
	json_object_put(o);
	for (int i = 0; i < 40; i++)
		close(idle[i]);

	/* A client that sends requests and never reads its replies gets disconnected. */
	fd = connect_sock();
	{
		int sndbuf = 4096, i;

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof(sndbuf));
		for (i = 0; i < 5000; i++)
			if (send(fd, "{\"request\":\"status\"}", 20, MSG_DONTWAIT | MSG_NOSIGNAL) <
			    0)
				break;
		fprintf(stderr, "non-reading client: sent %d requests before the socket refused\n",
			i);
	}
	o = request("{\"request\":\"status\"}");
	CHECK(reply_ok(o), "daemon unresponsive after a non-reading client");
	json_object_put(o);
	close(fd);

	/* A well-formed events request with paging still works. */
	o = request("{\"version\":1,\"request\":\"events\",\"after\":0,\"max\":2}");
	CHECK(reply_ok(o), "events paging");
	json_object_put(o);
	CHECK(daemon_alive(), "daemon died");
	CHECK(WIFEXITED(daemon_stop()), "stop");
}

/* A client that is not root may read but not change anything. */
static void test_unprivileged(void)
{
	struct passwd *pw = getpwnam("nobody");
	int pipefd[2];
	pid_t c;
	int st;
	char res[512] = "";
	ssize_t n;

	if (geteuid() != 0 || !pw) {
		fprintf(stderr, "SKIP: needs root and a 'nobody' user\n");
		teardown();
		exit(77);
	}
	endpoint_profile("ep0.json", "ep0-vntb", "ep0", "pci_epf_vntb", "0x1912");
	controller_add("ep0");
	daemon_start(NULL);
	wait_state("ep0", "applied");
	{
		struct stat sst;

		CHECK(stat(sock, &sst) == 0 && (sst.st_mode & 0777) == 0666,
		      "socket mode is %o, expected 666 (everyone reads, root mutates)",
		      sst.st_mode & 0777);
	}
	CHECK(pipe(pipefd) == 0, "pipe");
	c = fork();
	if (c == 0) {
		const char *reqs[] = { "{\"request\":\"status\"}", "{\"request\":\"version\"}",
				       "{\"request\":\"events\"}", "{\"request\":\"reload\"}",
				       "{\"request\":\"apply\",\"profile\":\"ep0-vntb\"}" };
		char out[512] = "";

		if (setgroups(0, NULL) < 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
			_exit(2);
		for (size_t i = 0; i < 5; i++) {
			struct json_object *o = request(reqs[i]);

			/* one letter per request: o = ok, P = EPERM, ? = other */
			strcat(out, reply_ok(o) ? "o" : reply_errno(o) == EPERM ? "P" : "?");
			json_object_put(o);
		}
		if (write(pipefd[1], out, strlen(out)) < 0)
			_exit(3);
		_exit(0);
	}
	close(pipefd[1]);
	n = read(pipefd[0], res, sizeof(res) - 1);
	res[n > 0 ? n : 0] = '\0';
	waitpid(c, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unprivileged child failed (%d)", st);
	CHECK(!strcmp(res, "oooPP"), "as nobody: status/version/events allowed, reload/apply "
				     "refused; got '%s' (o=ok P=EPERM)", res);
	CHECK(count_events("reload-request", NULL) == 0, "a refused reload was executed");
	CHECK(count_events("apply-request", NULL) == 0, "a refused apply was executed");
	daemon_stop();
}

/* Host side: a PCI function matching a host profile gets its modules; others are ignored. */
static void test_host(void)
{
	const char *fn, *other;

	host_profile("host.json", "host-ntb", "0x1912", "0x0030");
	daemon_start(NULL);
	fn = umockdev_testbed_add_device(tb, "pci", "0000:01:00.0", NULL, "vendor", "0x1912",
					 "device", "0x0030", NULL, "PCI_ID", "1912:0030", NULL);
	other = umockdev_testbed_add_device(tb, "pci", "0000:02:00.0", NULL, "vendor", "0x8086",
					    "device", "0x1234", NULL, "PCI_ID", "8086:1234", NULL);
	CHECK(fn && other, "add pci devices");
	wait_state("0000:01:00.0", "modules-loaded");
	{
		char state[64];

		device_state("0000:02:00.0", state, sizeof(state), NULL, 0);
		CHECK(!strcmp(state, "absent"), "an unrelated PCI function is tracked: %s", state);
	}
	CHECK(count_events("host-modules", "host-ntb") == 1, "host-modules event");
	umockdev_testbed_uevent(tb, fn, "remove");
	wait_state("0000:01:00.0", "absent");

	/* A host profile added later (reload) reaches a function that is already present. */
	host_profile("host2.json", "host-other", "0x8086", "0x1234");
	kill(dpid, SIGHUP);
	wait_state("0000:02:00.0", "modules-loaded");
	CHECK(count_events("host-modules", "host-other") == 1, "host-modules after reload");
	daemon_stop();
}

/* The "error" of device @name in the daemon's status, or "" */
static void device_error(const char *name, char *buf, size_t size)
{
	struct json_object *o = request("{\"request\":\"status\"}"), *st, *devs;

	buf[0] = '\0';
	CHECK(reply_ok(o) && json_object_object_get_ex(o, "status", &st) &&
		      json_object_object_get_ex(st, "devices", &devs),
	      "status request");
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		struct json_object *d = json_object_array_get_idx(devs, i), *n, *e;

		if (json_object_object_get_ex(d, "name", &n) &&
		    !strcmp(json_object_get_string(n), name) &&
		    json_object_object_get_ex(d, "error", &e))
			snprintf(buf, size, "%s", json_object_get_string(e));
	}
	json_object_put(o);
}

/*
 * A host profile naming a module this kernel does not have: the modules before and after it
 * are still loaded, and the missing ones are named, with why, in the device's error and in
 * one modules-failed event. The module directory is made like a real one: tiny ELF objects
 * with a .modinfo section, indexed by depmod.
 */
static void test_host_partial_modules(void)
{
	char mdir[700], cmd[2200], path[800], err[1024];
	struct utsname u;
	const char *fn;

	CHECK(uname(&u) == 0, "uname");
	snprintf(mdir, sizeof(mdir), "%s/lib/modules/%s", root, u.release);
	mkdirs("%s/kernel/epdma", mdir);
	snprintf(path, sizeof(path), "%s/fake.c", root);
	write_file(path, "__attribute__((section(\".modinfo\"), used)) static const char mi[] = "
			 "\"license=GPL\\0name=epdma_fake\\0\";\n");
	snprintf(path, sizeof(path), "%s/modules.order", mdir);
	write_file(path, "");
	snprintf(path, sizeof(path), "%s/fake.c", root);
	snprintf(cmd, sizeof(cmd), "cc -c -o %s/kernel/epdma/epdma_fake.ko %s 2>/dev/null && "
		 "depmod -b %s %s 2>/dev/null", mdir, path, root, u.release);
	if (system(cmd) != 0) {
		printf("SKIP %s: needs cc and depmod\n", test_name);
		teardown();
		exit(77);
	}

	snprintf(path, sizeof(path), "%s/host.json", profiles);
	write_file(path, "{ \"version\": 1, \"name\": \"host-partial\", \"role\": \"host\",\n"
			 "  \"match\": { \"vendor\": \"0x1912\", \"device\": \"0x0030\" },\n"
			 "  \"modules\": [ \"ntb_hw_epf\", \"epdma_nosuch\", \"epdma_fake\",\n"
			 "                \"epdma_nosuch2\" ] }\n");
	daemon_start("--no-module-insert");
	fn = umockdev_testbed_add_device(tb, "pci", "0000:01:00.0", NULL, "vendor", "0x1912",
					 "device", "0x0030", NULL, "PCI_ID", "1912:0030", NULL);
	CHECK(fn, "add pci device");
	wait_state("0000:01:00.0", "failed");
	/* the module after the missing one was still loaded (dry run: resolved) */
	CHECK(count_events("module-loaded", "host-partial") == 1,
	      "epdma_fake, listed after a missing module, was not loaded");
	CHECK(count_events("modules-failed", "host-partial") == 1, "one modules-failed event");
	device_error("0000:01:00.0", err, sizeof(err));
	CHECK(strstr(err, "2 of 4 module(s) not loaded") &&
		      strstr(err, "epdma_nosuch (not found") &&
		      strstr(err, "epdma_nosuch2 (not found") && strstr(err, "others are loaded"),
	      "the error does not name both missing modules: '%s'", err);
	CHECK(daemon_alive(), "daemon died");
	daemon_stop();
}

/*
 * The kernel sends the pci_epc uevent before it creates the controller's configfs group:
 * the daemon must wait for the group (retrying, as configfs sends no inotify event) and
 * apply when it appears, and go back to sleep afterwards.
 */
static void test_late_configfs(void)
{
	const char *sp;
	char p[700];
	long vcs0, vcs1;

	endpoint_profile("ep0.json", "ep0-vntb", "ep0", "pci_epf_vntb", "0x1912");
	daemon_start(NULL);
	sp = umockdev_testbed_add_device(tb, "pci_epc", "ep0", NULL, NULL, NULL);
	CHECK(sp, "add_device");
	wait_state("ep0", "waiting");
	CHECK(count_events("apply-deferred", "ep0-vntb") == 1, "apply-deferred event");
	msleep(300);
	mkdirs("%s/controllers/ep0", pci_ep);
	snprintf(p, sizeof(p), "%s/controllers/ep0/start", pci_ep);
	write_file(p, "0\n");
	wait_state("ep0", "applied");
	assert_applied("ep0", "0x1912");
	/* Nothing waits any more: no timer, no wake-ups. */
	msleep(1100);
	vcs0 = proc_ctxt_switches(dpid);
	msleep(1500);
	vcs1 = proc_ctxt_switches(dpid);
	CHECK(vcs1 == vcs0, "daemon still wakes up after the wait ended (%ld)", vcs1 - vcs0);

	/* Removed while waiting: the wait ends with the device. */
	controller_remove(sp, "ep0");
	wait_state("ep0", "absent");
	sp = umockdev_testbed_add_device(tb, "pci_epc", "ep0", NULL, NULL, NULL);
	wait_state("ep0", "waiting");
	umockdev_testbed_uevent(tb, sp, "remove");
	wait_state("ep0", "absent");
	daemon_stop();
}

/*
 * Under systemd (stderr is the JOURNAL_STREAM) records go to journald natively with the
 * structured fields; a fake journald socket in a private mount namespace receives them.
 * Without journald they fall back to stderr.
 */
static void test_journal(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char all[65536] = "", buf[4096], logtext[8192];
	size_t used = 0;
	uint64_t t0;
	int fd;

	if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0) {
		fprintf(stderr, "SKIP: needs root for a private /run with a fake journald\n");
		teardown();
		exit(77);
	}
	endpoint_profile("ep0.json", "ep0-vntb", "ep0", "pci_epf_vntb", "0x1912");
	controller_add("ep0");
	mkdirs("/run/systemd/journal");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/run/systemd/journal/socket");
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "fake journald");
	as_service = true;
	daemon_start(NULL);
	wait_state("ep0", "applied");
	for (t0 = now_ms(); now_ms() - t0 < 500;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			break;
		buf[n] = '\0';
		if (used + (size_t)n + 2 < sizeof(all)) {
			memcpy(all + used, buf, (size_t)n);
			used += (size_t)n;
			all[used++] = '\x1e';
			all[used] = '\0';
		}
	}
	{
		/* one record: the apply, with all its fields */
		char *rec = strstr(all, "EPDMA_OPERATION=profile-applied\n");
		char *start, *end;

		CHECK(rec, "no profile-applied record reached the journal: %.400s", all);
		for (start = rec; start > all && start[-1] != '\x1e'; start--)
			;
		end = strchr(rec, '\x1e');
		if (end)
			*end = '\0';
		CHECK(strstr(start, "MESSAGE=profile ep0-vntb applied to ep0") &&
			      strstr(start, "PRIORITY=5\n") && strstr(start, "EPDMA_DEVICE=ep0\n") &&
			      strstr(start, "EPDMA_PROFILE=ep0-vntb\n"),
		      "record lacks fields: %s", start);
	}
	CHECK(!read_file(dlog, logtext, sizeof(logtext)) || !strstr(logtext, "applied to ep0"),
	      "record went to stderr as well: %s", logtext);

	/* No journald: the same start-up logs to stderr. */
	close(fd);
	unlink("/run/systemd/journal/socket");
	daemon_stop();
	daemon_start(NULL);
	wait_state("ep0", "applied");
	CHECK(read_file(dlog, logtext, sizeof(logtext)) &&
		      strstr(logtext, "epdmad: info: profile ep0-vntb is already live on ep0"),
	      "no stderr records without journald: %s", logtext);
	as_service = false;
	daemon_stop();
}

/*
 * SIGTERM while an apply is in progress (waiting for the kernel's driver subgroup) must let
 * that apply finish: after the daemon exits the tree is complete, not half-written.
 */
static void test_sigterm_during_apply(void)
{
	uint64_t t0;
	int st;

	endpoint_profile("ep0.json", "ep0-vntb", "ep0", "pci_epf_vntb", "0x1912");
	group_delay_ms = "400";
	daemon_start(NULL);
	controller_add("ep0");
	/* Wait until the function directory exists: the apply is now inside its wait. */
	for (t0 = now_ms(); count_lines(oplog) == 0;) {
		CHECK(now_ms() - t0 < 10000, "apply did not start");
		msleep(2);
	}
	CHECK(kill(dpid, SIGTERM) == 0, "kill");
	CHECK(waitpid(dpid, &st, 0) == dpid, "waitpid");
	dpid = -1;
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit status 0x%x", st);
	assert_applied("ep0", "0x1912");
	CHECK(count_lines(oplog) == 13, "%u operations, expected the whole plan (13)",
	      count_lines(oplog));
}

/* Output of "udevadm test --action=ACTION SYSPATH" for a device of our testbed. */
static void udevadm_test(const char *action, const char *syspath, char *out, size_t size)
{
	char cmd[600];
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof(cmd), "udevadm test --action=%s %s 2>/dev/null", action, syspath);
	f = popen(cmd, "r");
	CHECK(f, "popen udevadm");
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	pclose(f);
}

/*
 * The shipped udev rule, run by the real udev rule engine (udevadm test) on umockdev devices:
 * a pci_epc device is tagged for systemd and wants epdmad.service on add and change; a PCI
 * device is not. /run and /etc/udev/rules.d are private to this test (mount namespace).
 */
static void test_udev_rule(void)
{
	const char *rule = getenv("EPDMA_UDEV_RULE");
	char dir[300], cmd[700], out[65536];
	const char *epc, *pci;

	if (!rule || geteuid() != 0 || system("command -v udevadm >/dev/null") != 0 ||
	    access("/etc/udev/rules.d", F_OK) < 0 || unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0) {
		fprintf(stderr, "SKIP: needs root (private /run and rules.d), udevadm and "
				"EPDMA_UDEV_RULE\n");
		teardown();
		exit(77);
	}
	snprintf(dir, sizeof(dir), "%s/rules.d", root);
	mkdirs("%s", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/'", rule, dir);
	CHECK(system(cmd) == 0, "copy rule");
	CHECK(mount(dir, "/etc/udev/rules.d", NULL, MS_BIND, NULL) == 0, "bind rules.d: %s",
	      strerror(errno));

	epc = umockdev_testbed_add_device(tb, "pci_epc", "e65d0000.pcie-ep", NULL, NULL, NULL);
	pci = umockdev_testbed_add_device(tb, "pci", "0000:01:00.0", NULL, "vendor", "0x1912",
					  NULL, "PCI_ID", "1912:0030", NULL);
	CHECK(epc && pci, "devices");
	for (const char *const *a = (const char *const[]){ "add", "change", NULL }; *a; a++) {
		udevadm_test(*a, epc, out, sizeof(out));
		CHECK(strstr(out, "SUBSYSTEM=pci_epc\n"), "udevadm test did not run: %.300s", out);
		CHECK(strstr(out, "SYSTEMD_WANTS=epdmad.service\n"),
		      "pci_epc %s does not want epdmad.service:\n%s", *a, out);
		CHECK(strstr(out, "TAGS=") && strstr(strstr(out, "TAGS="), ":systemd:"),
		      "pci_epc %s not tagged for systemd:\n%s", *a, out);
	}
	udevadm_test("add", pci, out, sizeof(out));
	CHECK(strstr(out, "SUBSYSTEM=pci\n") && !strstr(out, "epdmad.service"),
	      "a PCI device wants epdmad.service:\n%s", out);
}

/*
 * The kernel refuses a value in the middle of the apply: the daemon reports it, the tree is
 * rolled back to exactly what it was, and the daemon keeps serving.
 */
static void test_apply_rollback(void)
{
	char p[700], buf[64];
	struct json_object *o;

	endpoint_profile("ep0.json", "ep0-vntb", "ep0", "pci_epf_vntb", "0x1912");
	fail_write = "/vntb_pid";	/* 10th of 13 operations */
	daemon_start(NULL);
	controller_add("ep0");
	wait_state("ep0", "failed");
	CHECK(count_events("apply-failed", "ep0-vntb") == 1, "apply-failed event");
	o = request("{\"request\":\"events\",\"max\":1}");
	CHECK(o && strstr(json_object_to_json_string(o), "rolled back") &&
		      strstr(json_object_to_json_string(o), "vntb_pid"),
	      "the event names the attribute and the rollback: %s",
	      json_object_to_json_string(o));
	json_object_put(o);
	snprintf(p, sizeof(p), "%s/functions/pci_epf_vntb/fep0", pci_ep);
	CHECK(access(p, F_OK) < 0, "the function created by the failed apply is still there");
	snprintf(p, sizeof(p), "%s/controllers/ep0/fep0", pci_ep);
	CHECK(access(p, F_OK) < 0, "a link was left behind");
	snprintf(p, sizeof(p), "%s/controllers/ep0/start", pci_ep);
	CHECK(read_file(p, buf, sizeof(buf)) && !strcmp(buf, "0"), "start is %s", buf);
	o = request("{\"request\":\"version\"}");
	CHECK(reply_ok(o), "daemon not serving after a failed apply");
	json_object_put(o);
	daemon_stop();
}

/*
 * The controller disappears while its profile is being applied (the kernel destroys the
 * EPC and its configfs group): the apply fails at the link and is rolled back, then the
 * remove event drops the controller. Nothing of the profile stays behind.
 */
static void test_remove_during_apply(void)
{
	const char *sp;
	char p[700];
	uint64_t t0;

	endpoint_profile("ep0.json", "ep0-vntb", "ep0", "pci_epf_vntb", "0x1912");
	group_delay_ms = "400";
	daemon_start(NULL);
	sp = controller_add("ep0");
	for (t0 = now_ms(); count_lines(oplog) == 0;) {
		CHECK(now_ms() - t0 < 10000, "apply did not start");
		msleep(2);
	}
	controller_remove(sp, "ep0");	/* while the apply waits for the driver subgroup */
	wait_state("ep0", "absent");
	CHECK(count_events("apply-failed", "ep0-vntb") == 1, "apply-failed event");
	CHECK(count_events("profile-applied", NULL) == 0, "reported as applied");
	snprintf(p, sizeof(p), "%s/functions/pci_epf_vntb/fep0", pci_ep);
	CHECK(access(p, F_OK) < 0, "half-applied function left behind");
	daemon_stop();
}

/* Send @req, store the raw reply as @dir/@name.json. */
static void save_reply(const char *dir, const char *name, const char *req)
{
	static char reply[256 * 1024];
	char path[700];
	int fd = connect_sock();
	ssize_t n;
	FILE *f;

	CHECK(fd >= 0, "connect");
	n = exchange(fd, req, strlen(req), reply, sizeof(reply));
	close(fd);
	CHECK(n > 0, "no reply to %s", req);
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	f = fopen(path, "w");
	CHECK(f, "create %s", path);
	fwrite(reply, 1, (size_t)n, f);
	fclose(f);
}

/*
 * Every kind of reply the daemon sends, from a state with something of everything in it
 * (applied, failed, no-profile and waiting controllers, a host function, invalid profiles),
 * validates against schemas/epdmad-protocol.schema.json.
 */
static void test_protocol_schema(void)
{
	const char *schema = getenv("EPDMA_PROTOCOL_SCHEMA"), *check = getenv("EPDMA_PROTOCOL_CHECK");
	char dir[300], cmd[1200], p[700];

	if (!schema || !check || system("python3 -c 'import jsonschema' 2>/dev/null") != 0) {
		fprintf(stderr, "SKIP: needs python3-jsonschema and EPDMA_PROTOCOL_*\n");
		teardown();
		exit(77);
	}
	endpoint_profile("ep0.json", "ep0-vntb", "ep0", "pci_epf_vntb", "0x1912");
	endpoint_profile("ep1.json", "ep1-nomod", "ep1", "pci_epf_test", "0x1912");
	endpoint_profile("ep3.json", "ep3-wait", "ep3", "pci_epf_vntb", "0x1912");
	host_profile("host.json", "host-ntb", "0x1912", "0x0030");
	snprintf(p, sizeof(p), "%s/bad.json", profiles);
	write_file(p, "{ \"version\": 1 }");
	controller_add("ep0");
	controller_add("ep1");
	controller_add("ep9");
	CHECK(umockdev_testbed_add_device(tb, "pci_epc", "ep3", NULL, NULL, NULL), "ep3");
	CHECK(umockdev_testbed_add_device(tb, "pci", "0000:01:00.0", NULL, "vendor", "0x1912",
					  NULL, "PCI_ID", "1912:0030", "DRIVER", "ntb_hw_epf",
					  NULL),
	      "pci");
	daemon_start(NULL);
	wait_state("ep0", "applied");
	wait_state("ep1", "failed");
	wait_state("ep9", "no-profile");
	wait_state("ep3", "waiting");
	wait_state("0000:01:00.0", "modules-loaded");

	snprintf(dir, sizeof(dir), "%s/replies", root);
	mkdirs("%s", dir);
	save_reply(dir, "version", "{\"request\":\"version\"}");
	save_reply(dir, "status", "{\"request\":\"status\"}");
	save_reply(dir, "events", "{\"request\":\"events\"}");
	save_reply(dir, "events-paged", "{\"request\":\"events\",\"after\":3,\"max\":2}");
	save_reply(dir, "apply", "{\"request\":\"apply\",\"profile\":\"ep0-vntb\"}");
	save_reply(dir, "apply-unknown", "{\"request\":\"apply\",\"profile\":\"nope\"}");
	save_reply(dir, "apply-absent", "{\"request\":\"apply\",\"profile\":\"ep3-wait\"}");
	save_reply(dir, "reload", "{\"request\":\"reload\"}");
	save_reply(dir, "malformed", "{\"request\":");
	snprintf(cmd, sizeof(cmd), "python3 '%s' '%s' --replies %s/*.json >&2", check, schema, dir);
	CHECK(system(cmd) == 0, "replies do not match the schema (see above)");
	daemon_stop();
}

/* epdmactl holding the apply lock: the daemon waits for it instead of failing. */
static void test_apply_lock(void)
{
	char p[700];
	int fd;

	endpoint_profile("ep0.json", "ep0-vntb", "ep0", "pci_epf_vntb", "0x1912");
	daemon_start(NULL);
	snprintf(p, sizeof(p), "%s/run/epdma/apply.lock", root);
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && flock(fd, LOCK_EX) == 0, "take %s", p);
	controller_add("ep0");
	wait_state("ep0", "waiting");
	CHECK(count_lines(oplog) == 0, "configfs written while the lock was held");
	msleep(200);
	close(fd);	/* releases the lock */
	wait_state("ep0", "applied");
	assert_applied("ep0", "0x1912");
	daemon_stop();
}

/* Collect what arrived on the notify socket within @ms into @buf ("|"-separated). */
static void notify_collect(int fd, unsigned int ms, char *buf, size_t size)
{
	uint64_t t0 = now_ms();

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = (int)(t0 + ms - now_ms());
		char msg[512];
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return;
		n = recv(fd, msg, sizeof(msg) - 1, 0);
		if (n <= 0)
			return;
		msg[n] = '\0';
		for (char *c = msg; *c; c++)
			if (*c == '\n')
				*c = ' ';
		if (strlen(buf) + (size_t)n + 2 < size) {
			strcat(buf, msg);
			strcat(buf, "|");
		}
	}
}

static unsigned int occurrences(const char *hay, const char *needle)
{
	unsigned int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/*
 * Service manager protocol: READY after coldplug, RELOADING/READY around SIGHUP, STOPPING on
 * SIGTERM, WATCHDOG pings only when WATCHDOG_USEC is set; and without a watchdog an idle
 * daemon is not woken up at all.
 */
static void test_notify(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[100], got[8192] = "";
	long vcs0, vcs1;
	int fd;

	endpoint_profile("ep0.json", "ep0-vntb", "ep0", "pci_epf_vntb", "0x1912");
	controller_add("ep0");
	snprintf(path, sizeof(path), "%s/notify.sock", root);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "notify socket");
	notify_socket = path;
	watchdog_usec = "200000";
	daemon_start(NULL);
	notify_collect(fd, 700, got, sizeof(got));
	CHECK(strstr(got, "READY=1"), "no READY=1: %s", got);
	CHECK(strstr(got, "STATUS="), "no STATUS=: %s", got);
	/* 200 ms watchdog: pings every 100 ms. */
	CHECK(occurrences(got, "WATCHDOG=1") >= 3, "too few WATCHDOG=1 in 700 ms: %s", got);
	{
		char state[64];

		/* READY comes after coldplug: the controller is configured by then. */
		device_state("ep0", state, sizeof(state), NULL, 0);
		CHECK(!strcmp(state, "applied"), "ep0 is %s at READY", state);
	}
	got[0] = '\0';
	kill(dpid, SIGHUP);
	notify_collect(fd, 300, got, sizeof(got));
	CHECK(strstr(got, "RELOADING=1") && strstr(got, "MONOTONIC_USEC="),
	      "no RELOADING=1 with MONOTONIC_USEC on SIGHUP: %s", got);
	CHECK(strstr(strstr(got, "RELOADING=1"), "READY=1"), "no READY=1 after reload: %s", got);
	got[0] = '\0';
	kill(dpid, SIGTERM);
	notify_collect(fd, 300, got, sizeof(got));
	CHECK(strstr(got, "STOPPING=1"), "no STOPPING=1 on SIGTERM: %s", got);
	CHECK(waitpid(dpid, NULL, 0) == dpid, "waitpid");
	dpid = -1;

	/* No watchdog: after settling, 1.5 s idle cause no wake-up. */
	watchdog_usec = NULL;
	daemon_start(NULL);
	wait_state("ep0", "applied");
	msleep(300);
	vcs0 = proc_ctxt_switches(dpid);
	msleep(1500);
	vcs1 = proc_ctxt_switches(dpid);
	CHECK(vcs0 >= 0 && vcs1 == vcs0, "idle daemon woke up %ld times in 1.5 s", vcs1 - vcs0);
	daemon_stop();
	close(fd);
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
	{ "hotplug", test_hotplug },	 { "coldplug", test_coldplug },
	{ "invalid-profile", test_invalid_profile }, { "burst", test_burst },
	{ "sighup-storm", test_sighup_storm }, { "ipc-robustness", test_ipc_robustness },
	{ "unprivileged", test_unprivileged }, { "host", test_host },
	{ "host-partial-modules", test_host_partial_modules },
	{ "notify", test_notify },	 { "late-configfs", test_late_configfs },
	{ "journal", test_journal },	 { "udev-rule", test_udev_rule },
	{ "apply-lock", test_apply_lock }, { "apply-rollback", test_apply_rollback },
	{ "remove-during-apply", test_remove_during_apply },
	{ "protocol-schema", test_protocol_schema },	 { "sigterm-during-apply", test_sigterm_during_apply },
};

int main(int argc, char **argv)
{
	epdmad_bin = getenv("EPDMAD");
	shim = getenv("EPDMA_KERNEL_SHIM");
	if (argc != 2 || !epdmad_bin || !shim) {
		fprintf(stderr, "usage: EPDMAD=path EPDMA_KERNEL_SHIM=path umockdev-wrapper %s CASE\n",
			argv[0]);
		return 2;
	}
	test_name = argv[1];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(cases[i].name, argv[1]))
			continue;
		setup();
		cases[i].fn();
		teardown();
		printf("PASS %s (%d checks)\n", test_name, checks);
		return 0;
	}
	fprintf(stderr, "unknown case %s\n", argv[1]);
	return 2;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * epdmad figures, printed, never judged: memory after start and after 1000 uevent pairs,
 * wake-ups while idle, and the latency from a pci_epc "add" uevent to the profile being
 * applied (the time stamp kernel-shim.so gives the daemon's last configfs operation, the
 * write of controllers/<epc>/start).
 *
 * Runs the real daemon on the umockdev testbed of the udev tests (tests/udev/harness.h);
 * start it with tests/bench/daemon-run, which sets up umockdev-wrapper and the paths.
 * The uevent path is umockdev's emulation, not the kernel's netlink socket: latencies
 * include that transport, which is slower than the real one.
 */
#include "../udev/harness.h"

#include <math.h>

static long proc_status(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* CPU time (user + system) of @pid in clock ticks. */
static long cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	p = strrchr(buf, ')');
	/* fields after ")": state(3) ... utime(14) stime(15) */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

/* Monotonic time (ns) of the last "write controllers/<c>/start" in the shim log, or 0. */
static uint64_t last_start_write(const char *controller)
{
	char want[128], line[1400];
	uint64_t t = 0;
	FILE *f = fopen(oplog, "r");

	if (!f)
		return 0;
	snprintf(want, sizeof(want), " write controllers/%s/start", controller);
	while (fgets(line, sizeof(line), f)) {
		long long s;
		long ns;

		if (strstr(line, want) && sscanf(line, "%lld.%ld", &s, &ns) == 2)
			t = (uint64_t)s * 1000000000ull + (uint64_t)ns;
	}
	fclose(f);
	return t;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void print_lat(const char *what, double *v, int n)
{
	double sum = 0;

	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	for (int i = 0; i < n; i++)
		sum += v[i];
	printf("  %-44s n=%-3d median %7.3f  mean %7.3f  p95 %7.3f  min %7.3f  max %7.3f ms\n",
	       what, n, v[n / 2], sum / n, v[(int)ceil(0.95 * n) - 1], v[0], v[n - 1]);
}

/* Time one "add" uevent until the start write that completes the apply. */
static double one_add(const char *sp, bool full)
{
	char p[700];
	uint64_t before = last_start_write("ep0"), t0, t1;

	if (full) {
		/* Clear the function too (as "epdmactl profile clear" would), so the next
		 * add is a full 13-operation apply rather than a re-bind. */
		snprintf(p, sizeof(p), "%s/functions/pci_epf_vntb/fep0", pci_ep);
		rm_rf(p);
	}
	mkdirs("%s/controllers/ep0", pci_ep);
	snprintf(p, sizeof(p), "%s/controllers/ep0/start", pci_ep);
	write_file(p, "0\n");
	t0 = mono_ns();
	umockdev_testbed_uevent(tb, sp, "add");
	for (uint64_t w = now_ms(); (t1 = last_start_write("ep0")) == before;) {
		CHECK(now_ms() - w < 10000, "no apply within 10 s");
		msleep(1);
	}
	return (double)(t1 - t0) / 1e6;
}

static void remove_ep0(const char *sp)
{
	char p[700];
	uint64_t seq = last_seq();

	umockdev_testbed_uevent(tb, sp, "remove");
	snprintf(p, sizeof(p), "%s/controllers/ep0", pci_ep);
	rm_rf(p);
	while (last_seq() == seq)
		msleep(1);
}

int main(int argc, char **argv)
{
	static double lat[200];
	const char *sp;
	long rss_start, rss_applied, rss_burst, vcs0, ncs0, vcs1, ncs1, cpu0, cpu1;
	unsigned int window;
	uint64_t t0, seq0;
	int idle_s = argc > 1 ? atoi(argv[1]) : 10;

	epdmad_bin = getenv("EPDMAD");
	shim = getenv("EPDMA_KERNEL_SHIM");
	test_name = "daemon-bench";
	if (!epdmad_bin || !shim) {
		fprintf(stderr, "run through tests/bench/daemon-run\n");
		return 2;
	}
	window = burst_window();
	setup();
	endpoint_profile("ep0.json", "ep0-vntb", "ep0", "pci_epf_vntb", "0x1912");
	daemon_start(NULL);
	msleep(200);
	rss_start = proc_status(dpid, "VmRSS");

	printf("epdmad benchmark (umockdev testbed, configfs in a temporary directory)\n");
	/* Idle: nothing happens for idle_s seconds; count how often the daemon ran. */
	vcs0 = proc_status(dpid, "voluntary_ctxt_switches");
	ncs0 = proc_status(dpid, "nonvoluntary_ctxt_switches");
	cpu0 = cpu_ticks(dpid);
	sleep((unsigned int)idle_s);
	vcs1 = proc_status(dpid, "voluntary_ctxt_switches");
	ncs1 = proc_status(dpid, "nonvoluntary_ctxt_switches");
	cpu1 = cpu_ticks(dpid);
	printf("  idle %d s: %ld wake-ups (voluntary context switches), %ld involuntary, "
	       "%ld CPU ticks\n", idle_s, vcs1 - vcs0, ncs1 - ncs0, cpu1 - cpu0);

	/* Latency: first the full apply of a fresh function, then re-binds after removal. */
	sp = controller_add("ep0");
	wait_state("ep0", "applied");
	rss_applied = proc_status(dpid, "VmRSS");
	for (int i = 0; i < 20; i++) {
		remove_ep0(sp);
		lat[i] = one_add(sp, true);
	}
	print_lat("uevent -> applied (13 ops: mkdir..start)", lat, 20);
	for (int i = 0; i < 100; i++) {
		remove_ep0(sp);
		lat[i] = one_add(sp, false);
	}
	print_lat("uevent -> applied (2 ops: link, start)", lat, 100);

	/* 1000 remove/add pairs, in windows umockdev's transport can carry (see harness.h). */
	seq0 = last_seq();
	t0 = now_ms();
	for (unsigned int sent = 0; sent < 1000;) {
		for (unsigned int i = 0; i < window && sent < 1000; i++, sent++) {
			umockdev_testbed_uevent(tb, sp, "remove");
			umockdev_testbed_uevent(tb, sp, "add");
		}
		while (last_seq() < seq0 + 3ull * sent) {
			CHECK(daemon_alive() && now_ms() - t0 < 120000, "burst stalled");
			msleep(2);
		}
	}
	t0 = now_ms() - t0;
	rss_burst = proc_status(dpid, "VmRSS");
	printf("  1000 remove/add uevent pairs (windows of %u uevents): %llu ms, %.1f us per "
	       "uevent\n", 2 * window, (unsigned long long)t0, t0 * 1000.0 / 2000);
	printf("  RSS: %ld KiB after start, %ld KiB with a profile applied, %ld KiB after the "
	       "1000 pairs (+%ld KiB)\n", rss_start, rss_applied, rss_burst,
	       rss_burst - rss_applied);
	daemon_stop();
	teardown();
	return 0;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * epdmad - configure PCI endpoint controllers and NTB functions as they appear.
 *
 * One thread, one epoll set: the udev monitor, a signalfd (SIGHUP reload, SIGTERM/SIGINT
 * stop), the control socket and its clients, and — only if systemd asked for one — the
 * watchdog timer. Each reaction runs to completion before the next event is read, so a
 * stop request is only acted on between two applies and can never cut one in half.
 */
#include "epdmad.h"
#include "events.h"
#include "log.h"
#include "notify.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

static int epfd = -1;
static bool quit;
static int exit_status = EPDMA_EXIT_OK;

int loop_add(struct source *src)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = src };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, src->fd, &ev) < 0 ? -errno : 0;
}

void loop_del(struct source *src)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, src->fd, NULL);
}

void loop_quit(void)
{
	quit = true;
}

static void status_line(void)
{
	notify_status("%zu device(s) tracked, last event %llu", manager_device_count(),
		      (unsigned long long)events_last_seq());
}

static void on_signal(struct source *src, uint32_t events)
{
	struct signalfd_siginfo si;
	bool reload = false;

	/* Coalesce: a storm of SIGHUPs queued while we were busy is one reload. */
	while (read(src->fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			reload = true;
			break;
		case SIGTERM:
		case SIGINT:
			log_info("signal %d received, stopping", (int)si.ssi_signo);
			quit = true;
			break;
		default:
			break;
		}
	}
	if (reload && !quit) {
		notify_reloading();
		manager_reload("SIGHUP");
		notify_ready("Profiles reloaded");
		status_line();
	}
}

static void on_watchdog(struct source *src, uint32_t events)
{
	notify_watchdog_ping(src->fd);
}

static void help(void)
{
	printf("Usage: epdmad [OPTION]...\n"
	       "Configure PCI endpoint controllers and NTB functions when they appear:\n"
	       "load their modules and apply the matching profile from the profile directory.\n"
	       "\n"
	       "  -p, --profile-dir=DIR    profiles to apply (default %s)\n"
	       "  -s, --socket=PATH        control socket (default <run dir>/%s,\n"
	       "                           i.e. /run/epdma/%s)\n"
	       "  -r, --root=DIR           work on configfs, sysfs, debugfs, run dir and\n"
	       "                           module directory under DIR (tests; also $EPDMA_ROOT)\n"
	       "  -n, --no-module-insert   resolve modules but do not insert them\n"
	       "  -f, --foreground         accepted for compatibility; epdmad never forks\n"
	       "  -d, --debug              debug messages, always to stderr\n"
	       "  -h, --help               show this help and exit\n"
	       "  -V, --version            show the version and exit\n"
	       "\n"
	       "Signals: SIGHUP reloads the profiles, SIGTERM and SIGINT stop.\n"
	       "See epdmad(8).\n",
	       EPDMA_PROFILE_DIR, EPDMA_DAEMON_SOCKET_NAME, EPDMA_DAEMON_SOCKET_NAME);
}

static void lib_log(void *data, int prio, const char *file, int line, const char *fn,
		    const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

static void lib_log(void *data, int prio, const char *file, int line, const char *fn,
		    const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_full(prio, &(struct log_ctx){ .func = fn }, "libepdma: %s", buf);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile-dir", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "root", required_argument, NULL, 'r' },
		{ "no-module-insert", no_argument, NULL, 'n' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	struct config cfg = { .profile_dir = EPDMA_PROFILE_DIR };
	struct source sig_src = { .fn = on_signal }, wd_src = { .fd = -1, .fn = on_watchdog };
	char default_socket[512];
	struct epdma_ctx *ctx = NULL;
	sigset_t mask;
	int c, r;

	while ((c = getopt_long(argc, argv, "p:s:r:nfdhV", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			cfg.profile_dir = optarg;
			break;
		case 's':
			cfg.socket_path = optarg;
			break;
		case 'r':
			cfg.root = optarg;
			break;
		case 'n':
			cfg.no_module_insert = true;
			break;
		case 'f':
			break;
		case 'd':
			cfg.debug = true;
			break;
		case 'h':
			help();
			return EPDMA_EXIT_OK;
		case 'V':
			printf("epdmad %s\n", PROJECT_VERSION);
			return EPDMA_EXIT_OK;
		default:
			fprintf(stderr, "Try 'epdmad --help'.\n");
			return EPDMA_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "epdmad: unexpected argument '%s'\nTry 'epdmad --help'.\n",
			argv[optind]);
		return EPDMA_EXIT_USAGE;
	}
	log_setup(cfg.debug, cfg.debug);

	r = epdma_ctx_new(&ctx);
	if (r < 0) {
		log_err("cannot create the libepdma context: %s", strerror(-r));
		return EPDMA_EXIT_FAILED;
	}
	epdma_ctx_set_log_fn(ctx, lib_log, NULL);
	epdma_ctx_set_log_priority(ctx, cfg.debug ? LOG_DEBUG : LOG_WARNING);
	if (cfg.root) {
		r = epdma_ctx_set_root(ctx, cfg.root);
		if (r < 0) {
			log_err("invalid --root %s: %s", cfg.root, strerror(-r));
			epdma_ctx_free(ctx);
			return EPDMA_EXIT_USAGE;
		}
	}
	if (!cfg.socket_path) {
		r = epdma_daemon_socket_path(ctx, default_socket, sizeof(default_socket));
		if (r < 0) {
			log_err("run directory path too long");
			epdma_ctx_free(ctx);
			return EPDMA_EXIT_USAGE;
		}
		cfg.socket_path = default_socket;
	}

	epfd = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sig_src.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (epfd < 0 || sig_src.fd < 0 || loop_add(&sig_src) < 0) {
		log_err("cannot set up the event loop: %m");
		return EPDMA_EXIT_FAILED;
	}

	log_info("epdmad %s starting: profiles %s, socket %s%s%s", PROJECT_VERSION,
		 cfg.profile_dir, cfg.socket_path, cfg.root ? ", root " : "",
		 cfg.root ? cfg.root : "");
	events_add(LOG_DEBUG, "start", NULL, NULL, 0, "epdmad %s started", PROJECT_VERSION);

	/* Profiles first, then the socket (status works during coldplug), then udev. */
	r = manager_init(ctx, &cfg);
	if (r < 0) {
		log_err("cannot set up: %s", strerror(-r));
		exit_status = EPDMA_EXIT_FAILED;
		goto out;
	}
	r = ipc_start(cfg.socket_path);
	if (r < 0) {
		log_err("cannot serve %s: %s", cfg.socket_path, strerror(-r));
		exit_status = EPDMA_EXIT_UNAVAILABLE;
		goto out;
	}
	r = monitor_start();
	if (r < 0) {
		log_err("cannot monitor udev: %s", strerror(-r));
		exit_status = EPDMA_EXIT_UNAVAILABLE;
		goto out;
	}
	wd_src.fd = notify_watchdog_fd();
	if (wd_src.fd >= 0)
		loop_add(&wd_src);

	notify_ready("Watching for endpoint controllers");
	status_line();
	log_info("ready: %zu device(s) tracked", manager_device_count());

	while (!quit) {
		struct epoll_event evs[16];
		int n = epoll_wait(epfd, evs, 16, -1);	/* no timeout: idle means asleep */

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("epoll_wait: %m");
			exit_status = EPDMA_EXIT_FAILED;
			break;
		}
		for (int i = 0; i < n && !quit; i++) {
			struct source *src = evs[i].data.ptr;

			src->fn(src, evs[i].events);
		}
		if (n)
			status_line();
	}
	notify_stopping();
out:
	monitor_stop();
	ipc_stop();
	if (wd_src.fd >= 0)
		close(wd_src.fd);
	manager_free();
	epdma_ctx_free(ctx);
	close(sig_src.fd);
	close(epfd);
	log_info("stopped");
	return exit_status;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Thin layer over sd_notify(3). Outside systemd NOTIFY_SOCKET is unset and every call is a
 * no-op, so the daemon runs the same way in a terminal or a test.
 */
#include "notify.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

void notify_ready(const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void notify_status(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", buf);
}

void notify_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* MONOTONIC_USEC lets Type=notify-reload managers match the reload to this notice. */
	sd_notifyf(0, "RELOADING=1\nSTATUS=Reloading profiles\nMONOTONIC_USEC=%llu",
		   (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
}

void notify_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
}

int notify_watchdog_fd(void)
{
	uint64_t usec = 0;
	struct itimerspec its = { 0 };
	int fd;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return -1;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0) {
		log_warn("watchdog requested but timerfd_create failed: %m");
		return -1;
	}
	usec /= 2;
	its.it_value.tv_sec = usec / 1000000;
	its.it_value.tv_nsec = (usec % 1000000) * 1000;
	its.it_interval = its.it_value;
	if (timerfd_settime(fd, 0, &its, NULL) < 0) {
		log_warn("watchdog timer setup failed: %m");
		close(fd);
		return -1;
	}
	log_debug("watchdog enabled, ping every %llu us", (unsigned long long)usec);
	return fd;
}

void notify_watchdog_ping(int fd)
{
	uint64_t expirations;

	if (read(fd, &expirations, sizeof(expirations)) < 0)
		return;
	sd_notify(0, "WATCHDOG=1");
}

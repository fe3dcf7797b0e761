/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* epdmad ↔ service manager: readiness, status line, reload/stop notices and the watchdog. */
#ifndef EPDMAD_NOTIFY_H
#define EPDMAD_NOTIFY_H

#include <stdint.h>

void notify_ready(const char *status);
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void notify_reloading(void);
void notify_stopping(void);

/*
 * If the service manager asked for a watchdog (WATCHDOG_USEC for our pid), returns a
 * timerfd that fires at half the interval; the caller polls it and calls
 * notify_watchdog_ping(). Returns -1 when no watchdog was requested, so an idle daemon
 * without WatchdogSec= has no timer at all.
 */
int notify_watchdog_fd(void);
void notify_watchdog_ping(int fd);

#endif

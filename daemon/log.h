/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * epdmad logging: structured records for the journal when systemd connected stderr to it
 * (JOURNAL_STREAM), plain lines on stderr otherwise.
 */
#ifndef EPDMAD_LOG_H
#define EPDMAD_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Optional structured context of one record; any field may be NULL / 0. */
struct log_ctx {
	const char *profile;	/* EPDMA_PROFILE= */
	const char *device;	/* EPDMA_DEVICE= (sysname) */
	const char *op;		/* EPDMA_OPERATION= */
	int err;		/* ERRNO= (positive errno) */
	const char *func;	/* CODE_FUNC= (libepdma's messages) */
};

void log_setup(bool debug, bool force_stderr);
bool log_to_journal(void);

void log_full(int prio, const struct log_ctx *lc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_at(prio, ...) log_full(prio, NULL, __VA_ARGS__)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_at(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_at(LOG_NOTICE, __VA_ARGS__)
#define log_warn(...) log_at(LOG_WARNING, __VA_ARGS__)
#define log_err(...) log_at(LOG_ERR, __VA_ARGS__)

/* log_dev(LOG_INFO, "profile", "device", "op", -errno, fmt, ...) */
#define log_dev(prio, prof, dev, oper, errn, ...)                                                 \
	log_full(prio,                                                                             \
		 &(struct log_ctx){ .profile = (prof), .device = (dev), .op = (oper),              \
				    .err = (errn) < 0 ? -(errn) : (errn) },                        \
		 __VA_ARGS__)

#endif

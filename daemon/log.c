// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Where a record goes is decided once at start-up: systemd sets JOURNAL_STREAM to the
 * "device:inode" of the stream it gave us as stderr, so if stderr still is that stream (and
 * journald's socket exists) we talk to the journal natively and keep the structured fields;
 * anywhere else (a terminal, a test harness) we print one readable line per record.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

static bool use_journal;
static int max_prio = LOG_INFO;

static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_setup(bool debug, bool force_stderr)
{
	max_prio = debug ? LOG_DEBUG : LOG_INFO;
	/* sd_journal_send() drops records silently when journald's socket is missing. */
	use_journal = !force_stderr && stderr_is_journal() &&
		      access("/run/systemd/journal/socket", W_OK) == 0;
}

bool log_to_journal(void)
{
	return use_journal;
}

static const char *prio_name(int prio)
{
	static const char *const names[] = { "emerg", "alert", "crit",	 "error",
					      "warning", "notice", "info", "debug" };

	return prio >= 0 && prio <= LOG_DEBUG ? names[prio] : "?";
}

static int log_journal(int prio, const struct log_ctx *lc, const char *msg)
{
	char f[7][320];
	struct iovec iov[7];
	int n = 0;

#define ADD(...)                                                                                   \
	do {                                                                                       \
		int len = snprintf(f[n], sizeof(f[n]), __VA_ARGS__);                              \
		iov[n].iov_base = f[n];                                                            \
		iov[n].iov_len = len < (int)sizeof(f[n]) ? (size_t)len : sizeof(f[n]) - 1;         \
		n++;                                                                               \
	} while (0)

	ADD("MESSAGE=%s", msg);
	ADD("PRIORITY=%d", prio);
	if (lc && lc->profile)
		ADD("EPDMA_PROFILE=%s", lc->profile);
	if (lc && lc->device)
		ADD("EPDMA_DEVICE=%s", lc->device);
	if (lc && lc->op)
		ADD("EPDMA_OPERATION=%s", lc->op);
	if (lc && lc->err)
		ADD("ERRNO=%d", lc->err);
	if (lc && lc->func)
		ADD("CODE_FUNC=%s", lc->func);
#undef ADD
	return sd_journal_sendv(iov, n);
}

void log_full(int prio, const struct log_ctx *lc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (prio > max_prio)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* If journald refuses the record it is not lost: it goes to stderr instead. */
	if (use_journal && log_journal(prio, lc, msg) >= 0)
		return;
	fprintf(stderr, "epdmad: %s: %s", prio_name(prio), msg);
	if (lc && (lc->profile || lc->device || lc->op)) {
		fputs(" [", stderr);
		if (lc->device)
			fprintf(stderr, "device=%s%s", lc->device,
				lc->profile || lc->op ? " " : "");
		if (lc->profile)
			fprintf(stderr, "profile=%s%s", lc->profile, lc->op ? " " : "");
		if (lc->op)
			fprintf(stderr, "op=%s", lc->op);
		fputc(']', stderr);
	}
	if (lc && lc->err)
		fprintf(stderr, ": %s", strerror(lc->err));
	fputc('\n', stderr);
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The control socket. SOCK_SEQPACKET gives one request per datagram, so there is no
 * partial-request state to keep and no way for a client to make the daemon wait for the
 * rest of a message: a "slow" client simply has not sent anything yet and costs one fd.
 * Replies are sent without blocking; a client that does not read them is disconnected.
 * The number of connections is bounded; when full, the connection idle the longest is
 * closed to make room, so no client can lock others (or root) out.
 *
 * Permissions: the socket is world-connectable (mode 0666) so anyone can read status;
 * requests that change the system are refused unless the peer's SO_PEERCRED uid is 0 (or
 * the daemon's own, for a daemon run unprivileged in tests).
 */
#include "epdmad.h"
#include "events.h"
#include "log.h"
#include "notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_CLIENTS 32

struct client {
	struct source src;
	uid_t uid;
	pid_t pid;
	uint64_t last_active;	/* request counter value at the last activity */
	bool used;
};

static struct source listen_src = { .fd = -1 };
static struct client clients[MAX_CLIENTS];
static uint64_t activity;
static char sock_path[108];
static char *rxbuf;

unsigned int ipc_client_count(void)
{
	unsigned int n = 0;

	for (int i = 0; i < MAX_CLIENTS; i++)
		n += clients[i].used;
	return n;
}

static void client_close(struct client *c)
{
	if (!c->used)
		return;
	loop_del(&c->src);
	close(c->src.fd);
	c->used = false;
	c->src.fd = -1;
}

static void send_reply(struct client *c, struct json_object *o)
{
	const char *s;
	size_t len;

	json_object_object_add(o, "version", json_object_new_int(EPDMA_IPC_VERSION_NUMBER));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(s);
	if (len > EPDMA_IPC_MAX_REPLY) {
		log_err("reply of %zu bytes exceeds the protocol limit; closing client", len);
		client_close(c);
		return;
	}
	/* Never block on a client: one that does not read its replies is dropped. */
	if (send(c->src.fd, s, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		log_debug("client pid %d: reply not sent (%m); closing", (int)c->pid);
		client_close(c);
	}
}

static void reply_error(struct client *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reply_error(struct client *c, int err, const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err < 0)
		err = -err;
	json_object_object_add(o, "ok", json_object_new_boolean(false));
	json_object_object_add(o, "errno", json_object_new_int(err));
	json_object_object_add(o, "error", json_object_new_string(msg));
	send_reply(c, o);
	json_object_put(o);
}

static void handle_request(struct client *c, const struct epdma_ipc_request *req)
{
	struct json_object *o;
	struct epdma_error e = { 0 };
	int r;

	/* Root may change things; so may the daemon's own user (it gains nothing by it). */
	if (epdma_ipc_op_mutates(req->op) && c->uid != 0 && c->uid != geteuid()) {
		log_notice("refused '%s' from uid %u (pid %d): needs root",
			   epdma_ipc_op_name(req->op), (unsigned int)c->uid, (int)c->pid);
		reply_error(c, EPERM, "'%s' changes the system and needs root (you are uid %u)",
			    epdma_ipc_op_name(req->op), (unsigned int)c->uid);
		return;
	}

	o = json_object_new_object();
	switch (req->op) {
	case EPDMA_IPC_VERSION:
		json_object_object_add(o, "daemon", json_object_new_string("epdmad"));
		json_object_object_add(o, "daemon_version",
				       json_object_new_string(PROJECT_VERSION));
		json_object_object_add(o, "protocol",
				       json_object_new_int(EPDMA_IPC_VERSION_NUMBER));
		break;
	case EPDMA_IPC_STATUS:
		json_object_object_add(o, "status", manager_status_json());
		break;
	case EPDMA_IPC_EVENTS:
		json_object_object_add(o, "last", json_object_new_uint64(events_last_seq()));
		json_object_object_add(o, "events", events_to_json(req->after, req->max));
		break;
	case EPDMA_IPC_RELOAD:
		events_add(LOG_INFO, "reload-request", NULL, NULL, 0,
			   "reload requested over IPC by pid %d", (int)c->pid);
		notify_reloading();
		r = manager_reload("reload request");
		notify_ready("Profiles reloaded");
		if (r < 0) {
			json_object_put(o);
			reply_error(c, r, "reload failed: %s", strerror(-r));
			return;
		}
		break;
	case EPDMA_IPC_APPLY:
		events_add(LOG_INFO, "apply-request", NULL, req->profile, 0,
			   "apply of %s requested over IPC by pid %d", req->profile, (int)c->pid);
		r = manager_apply(req->profile, o, &e);
		if (r < 0) {
			json_object_put(o);
			reply_error(c, r, "%s", e.message[0] ? e.message : strerror(-r));
			return;
		}
		break;
	}
	json_object_object_add(o, "ok", json_object_new_boolean(true));
	send_reply(c, o);
	json_object_put(o);
}

static void on_client(struct source *src, uint32_t events)
{
	struct client *c = src->data;
	struct epdma_ipc_request req;
	struct epdma_error e;
	ssize_t n;
	int r;

	c->last_active = ++activity;
	/* MSG_TRUNC returns the real datagram length, so oversize is detected, not split. */
	n = recv(c->src.fd, rxbuf, EPDMA_IPC_MAX_REQUEST, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		client_close(c);
		return;
	}
	if (n == 0) {	/* orderly shutdown (or an empty datagram, which we do not accept) */
		client_close(c);
		return;
	}
	if (n > EPDMA_IPC_MAX_REQUEST) {
		log_notice("client pid %d sent %zd bytes (limit %d); closing", (int)c->pid, n,
			   EPDMA_IPC_MAX_REQUEST);
		reply_error(c, EMSGSIZE, "request of %zd bytes exceeds the limit of %d bytes", n,
			    EPDMA_IPC_MAX_REQUEST);
		client_close(c);
		return;
	}
	r = epdma_ipc_parse_request(rxbuf, (size_t)n, &req, &e);
	if (r < 0) {
		char msg[1200];

		epdma_error_format(&e, msg, sizeof(msg));
		log_debug("client pid %d: bad request: %s", (int)c->pid, msg);
		reply_error(c, r, "bad request: %s", msg);
		return;
	}
	handle_request(c, &req);
}

static struct client *free_slot(void)
{
	struct client *oldest = NULL;

	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (!clients[i].used)
			return &clients[i];
		if (!oldest || clients[i].last_active < oldest->last_active)
			oldest = &clients[i];
	}
	log_notice("too many clients; closing the one idle longest (pid %d)", (int)oldest->pid);
	client_close(oldest);
	return oldest;
}

static void on_listen(struct source *src, uint32_t events)
{
	for (int i = 0; i < 64; i++) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		struct client *c;
		int fd;

		fd = accept4(src->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("accept failed: %m");
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
			log_warn("SO_PEERCRED failed, refusing client: %m");
			close(fd);
			continue;
		}
		c = free_slot();
		memset(c, 0, sizeof(*c));
		c->src.fd = fd;
		c->src.fn = on_client;
		c->src.data = c;
		c->uid = cred.uid;
		c->pid = cred.pid;
		c->last_active = ++activity;
		c->used = true;
		if (loop_add(&c->src) < 0) {
			close(fd);
			c->used = false;
		}
	}
}

/* mkdir -p with mode 0755: parents of the socket (only the last one normally is missing). */
static int mkdir_p(char *dir)
{
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(dir, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int ipc_start(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	char dir[sizeof(sa.sun_path)];
	char *slash;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_err("socket path %s is too long (max %zu bytes)", path,
			sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	snprintf(sock_path, sizeof(sock_path), "%s", path);

	rxbuf = malloc(EPDMA_IPC_MAX_REQUEST + 1);
	if (!rxbuf)
		return -ENOMEM;

	/* The directory is normally made by systemd (RuntimeDirectory=); make it if not. */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir) < 0) {
			log_err("cannot create socket directory %s: %m", dir);
			return -errno;
		}
	}
	/* Remove a stale socket left by a crash, but never anything that is not a socket. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_err("%s exists and is not a socket; refusing to replace it", path);
			return -EEXIST;
		}
		unlink(path);
	}

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		log_err("cannot bind %s: %m", path);
		close(fd);
		return r;
	}
	/* Everyone may ask; only root may change (checked per request with SO_PEERCRED). */
	if (chmod(path, 0666) < 0)
		log_warn("chmod %s: %m", path);
	if (listen(fd, 16) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	listen_src.fd = fd;
	listen_src.fn = on_listen;
	return loop_add(&listen_src);
}

void ipc_stop(void)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		client_close(&clients[i]);
	if (listen_src.fd >= 0) {
		loop_del(&listen_src);
		close(listen_src.fd);
		listen_src.fd = -1;
		unlink(sock_path);
	}
	free(rxbuf);
	rxbuf = NULL;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Client side of the epdmad protocol, for epdmactl and tests: one request datagram, one
 * reply datagram, with a deadline so a stuck daemon cannot hang the caller.
 */
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "epdma-private.h"

int epdma_daemon_socket_path(struct epdma_ctx *ctx, char *buf, size_t size)
{
	return ep_path_join(buf, size, epdma_ctx_get_run_dir(ctx), EPDMA_DAEMON_SOCKET_NAME);
}

static int wait_fd(int fd, short events, unsigned int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do
		r = poll(&p, 1, (int)timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r == 0 ? -ETIMEDOUT : 0;
}

int epdma_daemon_call(struct epdma_ctx *ctx, const char *socket_path,
		      const struct epdma_ipc_request *req, unsigned int timeout_ms, char **reply,
		      struct epdma_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *msg = NULL;
	_cleanup_free_ char *buf = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[EP_PATH_MAX];
	ssize_t n;
	int r;

	*reply = NULL;
	ep_error_clear(err);
	if (!timeout_ms)
		timeout_ms = 5000;
	if (!socket_path) {
		r = epdma_daemon_socket_path(ctx, path, sizeof(path));
		if (r < 0)
			return ep_error_set(err, r, NULL, NULL, "path", NULL,
					    "daemon socket path too long");
		socket_path = path;
	}
	if (strlen(socket_path) >= sizeof(sa.sun_path))
		return ep_error_set(err, -ENAMETOOLONG, NULL, NULL, "path", NULL,
				    "socket path %s is too long for a UNIX socket", socket_path);
	strcpy(sa.sun_path, socket_path);

	r = epdma_ipc_format_request(req, &msg);
	if (r < 0)
		return ep_error_set(err, r, NULL, NULL, "request", NULL, "cannot format request");

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return ep_error_set(err, -errno, NULL, NULL, "io", NULL, "socket: %s",
				    strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		/* ENOENT/ECONNREFUSED: no daemon; callers fall back to reading the system. */
		return ep_error_set(err, r == -ECONNREFUSED || r == -ENOENT ? -ENOTCONN : r, NULL,
				    NULL, "connect", NULL, "cannot connect to epdmad at %s: %s",
				    socket_path, strerror(-r));
	}
	if (send(fd, msg, strlen(msg), MSG_NOSIGNAL) < 0)
		return ep_error_set(err, -errno, NULL, NULL, "io", NULL,
				    "cannot send request to %s: %s", socket_path, strerror(errno));
	r = wait_fd(fd, POLLIN, timeout_ms);
	if (r < 0)
		return ep_error_set(err, r, NULL, NULL, "timeout", NULL,
				    "no reply from epdmad within %u ms", timeout_ms);
	buf = malloc(EPDMA_IPC_MAX_REPLY + 1);
	if (!buf)
		return -ENOMEM;
	n = recv(fd, buf, EPDMA_IPC_MAX_REPLY, MSG_TRUNC);
	if (n < 0)
		return ep_error_set(err, -errno, NULL, NULL, "io", NULL,
				    "cannot read reply from %s: %s", socket_path, strerror(errno));
	if (n == 0)
		return ep_error_set(err, -ECONNRESET, NULL, NULL, "io", NULL,
				    "epdmad closed the connection without replying");
	if (n > EPDMA_IPC_MAX_REPLY)
		return ep_error_set(err, -EMSGSIZE, NULL, NULL, "size", NULL,
				    "reply of %zd bytes exceeds %d bytes", n, EPDMA_IPC_MAX_REPLY);
	buf[n] = '\0';
	*reply = TAKE_PTR(buf);
	return 0;
}

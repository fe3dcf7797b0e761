// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The library pieces epdmad is built on: the profile store (one directory, each file on its
 * own, conflicts resolved in name order), device classification, and the socket protocol
 * (request parser, formatter, client call with its errors).
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "epdma.h"

static char dir[64];

static void put(const char *name, const char *body)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(body, f);
	fclose(f);
}

static void mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/epdma-store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void rm_tmp(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

#define EP(name, ctrl)                                                                            \
	"{ \"version\": 1, \"name\": \"" name "\", \"role\": \"endpoint\", \"controller\": \"" ctrl \
	"\", \"functions\": [ { \"name\": \"f_" name "\", \"driver\": \"pci_epf_test\" } ] }"
#define HOST(name, dev)                                                                           \
	"{ \"version\": 1, \"name\": \"" name "\", \"role\": \"host\", \"match\": { \"vendor\": "   \
	"\"0x1912\", \"device\": \"" dev "\" }, \"modules\": [ \"ntb_hw_epf\" ] }"

static bool invalid_has(const struct epdma_profile_store *s, const char *file, const char *rule)
{
	for (size_t i = 0; i < epdma_profile_store_invalid_count(s); i++) {
		const struct epdma_error *e = epdma_profile_store_invalid(s, i);

		if (strstr(e->file, file) && (!rule || !strcmp(e->rule, rule)))
			return true;
	}
	return false;
}

START_TEST(store_loads_each_file_on_its_own)
{
	struct epdma_ctx *ctx;
	struct epdma_profile_store *s;
	struct epdma_error err;
	const struct epdma_profile *p;
	uint16_t v, d;
	char fifo[128];

	mkdir_tmp();
	ck_assert_int_eq(epdma_ctx_new(&ctx), 0);
	put("10-a.json", EP("a", "ep0"));
	put("20-b.json", EP("b", "ep1"));
	put("30-host.json", HOST("h", "0x0030"));
	put("40-same-name.json", EP("a", "ep2"));		/* name taken by 10-a */
	put("50-same-controller.json", EP("c", "ep0"));	/* ep0 taken by 10-a */
	put("60-same-match.json", HOST("h2", "0x0030"));	/* PCI ID taken by 30-host */
	put("70-garbage.json", "{ \"version\": 1, ");
	put("80-unknown-key.json", "{ \"version\": 1, \"name\": \"x\", \"colour\": 3 }");
	put("README", "not a profile");
	put(".hidden.json", EP("hidden", "ep9"));
	snprintf(fifo, sizeof(fifo), "%s/90-fifo.json", dir);
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);	/* must not block the loader */

	ck_assert_int_eq(epdma_profile_store_load(ctx, dir, &s, &err), 0);
	ck_assert_uint_eq(epdma_profile_store_count(s), 3);
	ck_assert_uint_eq(epdma_profile_store_invalid_count(s), 6);
	ck_assert(invalid_has(s, "40-same-name.json", "duplicate"));
	ck_assert(invalid_has(s, "50-same-controller.json", "duplicate"));
	ck_assert(invalid_has(s, "60-same-match.json", "duplicate"));
	ck_assert(invalid_has(s, "70-garbage.json", NULL));
	ck_assert(invalid_has(s, "80-unknown-key.json", NULL));
	ck_assert(invalid_has(s, "90-fifo.json", "not-a-file"));
	ck_assert(!invalid_has(s, "README", NULL));
	ck_assert_ptr_null(epdma_profile_store_find(s, "hidden"));

	p = epdma_profile_store_match_controller(s, "ep0");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(epdma_profile_get_name(p), "a");	/* first file wins */
	ck_assert_ptr_null(epdma_profile_store_match_controller(s, "ep2"));
	p = epdma_profile_store_match_pci(s, 0x1912, 0x0030);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(epdma_profile_get_name(p), "h");
	ck_assert_int_eq(epdma_profile_get_match(p, &v, &d), 0);
	ck_assert_ptr_null(epdma_profile_store_match_pci(s, 0x1912, 0x0031));
	ck_assert_ptr_nonnull(epdma_profile_store_find(s, "b"));
	ck_assert_ptr_null(epdma_profile_store_find(s, "zz"));
	epdma_profile_store_free(s);
	epdma_ctx_free(ctx);
	rm_tmp();
}
END_TEST

START_TEST(store_missing_dir_is_empty)
{
	struct epdma_ctx *ctx;
	struct epdma_profile_store *s = NULL;
	struct epdma_error err;

	ck_assert_int_eq(epdma_ctx_new(&ctx), 0);
	ck_assert_int_eq(epdma_profile_store_load(ctx, "/nonexistent/epdma", &s, &err), -ENOENT);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(epdma_profile_store_count(s), 0);
	ck_assert_str_eq(err.rule, "missing");
	epdma_profile_store_free(s);
	epdma_ctx_free(ctx);
}
END_TEST

START_TEST(classify_devices)
{
	uint16_t v = 0, d = 0;

	ck_assert_int_eq(epdma_device_classify("pci_epc", NULL), EPDMA_DEVICE_CONTROLLER);
	ck_assert_int_eq(epdma_device_classify("ntb", NULL), EPDMA_DEVICE_NTB);
	ck_assert_int_eq(epdma_device_classify("dma", NULL), EPDMA_DEVICE_DMA);
	ck_assert_int_eq(epdma_device_classify("auxiliary", NULL), EPDMA_DEVICE_AUXILIARY);
	ck_assert_int_eq(epdma_device_classify("pci", "ntb_hw_epf"), EPDMA_DEVICE_NTB_FUNCTION);
	ck_assert_int_eq(epdma_device_classify("usb", NULL), EPDMA_DEVICE_OTHER);
	ck_assert_int_eq(epdma_device_classify(NULL, NULL), EPDMA_DEVICE_OTHER);
	ck_assert(epdma_device_is_ntb_driver("ntb_hw_epf"));
	ck_assert(!epdma_device_is_ntb_driver("ntb_hw_epfx"));
	ck_assert(!epdma_device_is_ntb_driver(NULL));
	ck_assert_str_eq(epdma_device_kind_name(EPDMA_DEVICE_NTB_FUNCTION), "ntb-function");

	ck_assert_int_eq(epdma_parse_pci_id("1912:0030", &v, &d), 0);
	ck_assert_uint_eq(v, 0x1912);
	ck_assert_uint_eq(d, 0x0030);
	ck_assert_int_eq(epdma_parse_pci_id("8086:A1b2", &v, &d), 0);
	ck_assert_uint_eq(d, 0xa1b2);
	for (const char *const *bad = (const char *const[]){ "", "1912", "1912:", ":0030",
							     "12345:0030", "1912:00300", "xyz:0030",
							     "1912:003g", "1912:0030\n", NULL };
	     *bad; bad++)
		ck_assert_msg(epdma_parse_pci_id(*bad, &v, &d) == -EINVAL, "accepted '%s'", *bad);
	ck_assert_int_eq(epdma_parse_pci_id(NULL, &v, &d), -EINVAL);
}
END_TEST

START_TEST(ipc_parse_and_format)
{
	struct epdma_ipc_request r, again;
	struct epdma_error e;
	char *msg;
	const char *req = "{\"version\":1,\"request\":\"apply\",\"profile\":\"p1\"}";

	ck_assert_int_eq(epdma_ipc_parse_request(req, strlen(req), &r, &e), 0);
	ck_assert_int_eq(r.op, EPDMA_IPC_APPLY);
	ck_assert_str_eq(r.profile, "p1");
	ck_assert(epdma_ipc_op_mutates(EPDMA_IPC_APPLY));
	ck_assert(epdma_ipc_op_mutates(EPDMA_IPC_RELOAD));
	ck_assert(!epdma_ipc_op_mutates(EPDMA_IPC_STATUS));
	ck_assert(!epdma_ipc_op_mutates(EPDMA_IPC_EVENTS));
	ck_assert(!epdma_ipc_op_mutates(EPDMA_IPC_VERSION));

	r = (struct epdma_ipc_request){ .op = EPDMA_IPC_EVENTS, .after = 7, .max = 3 };
	ck_assert_int_eq(epdma_ipc_format_request(&r, &msg), 0);
	ck_assert_int_eq(epdma_ipc_parse_request(msg, strlen(msg), &again, &e), 0);
	ck_assert_int_eq(again.op, EPDMA_IPC_EVENTS);
	ck_assert_uint_eq(again.after, 7);
	ck_assert_uint_eq(again.max, 3);
	free(msg);

	/* Not NUL-terminated: only @len bytes are read. */
	ck_assert_int_eq(epdma_ipc_parse_request("{\"request\":\"status\"}XXXX", 20, &r, &e), 0);
	ck_assert_int_eq(r.op, EPDMA_IPC_STATUS);

	ck_assert_int_eq(epdma_ipc_parse_request("{\"request\":\"nope\"}", 18, &r, &e), -EINVAL);
	ck_assert_str_eq(e.pointer, "/request");
	ck_assert_str_eq(e.rule, "unknown-request");
	ck_assert_int_eq(epdma_ipc_parse_request("{\"request\":\"status\",\"x\":1}", 26, &r, &e),
			 -EINVAL);
	ck_assert_str_eq(e.rule, "unknown-key");
	ck_assert_int_eq(epdma_ipc_parse_request(req, EPDMA_IPC_MAX_REQUEST + 1, &r, &e),
			 -EMSGSIZE);
}
END_TEST

/* A one-shot server: replies @reply (or nothing) to the first request. */
struct server {
	int fd;
	const char *reply;
};

static void *serve(void *arg)
{
	struct server *s = arg;
	char buf[4096];
	int c = accept(s->fd, NULL, NULL);

	if (c < 0)
		return NULL;
	if (recv(c, buf, sizeof(buf), 0) > 0 && s->reply)
		send(c, s->reply, strlen(s->reply), 0);
	else
		sleep(1);	/* silent: the client must time out, not hang */
	close(c);
	return NULL;
}

START_TEST(daemon_call)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epdma_ipc_request req = { .op = EPDMA_IPC_STATUS };
	struct epdma_ctx *ctx;
	struct epdma_error e;
	struct server srv;
	pthread_t t;
	char path[100], *reply = NULL;

	ck_assert_int_eq(epdma_ctx_new(&ctx), 0);
	mkdir_tmp();
	snprintf(path, sizeof(path), "%s/sock", dir);
	ck_assert_int_eq(epdma_daemon_call(ctx, path, &req, 500, &reply, &e), -ENOTCONN);
	ck_assert_ptr_null(reply);
	ck_assert_ptr_nonnull(strstr(e.message, path));

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	srv.fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ck_assert_int_eq(bind(srv.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(srv.fd, 4), 0);

	srv.reply = "{\"version\":1,\"ok\":true}";
	pthread_create(&t, NULL, serve, &srv);
	ck_assert_int_eq(epdma_daemon_call(ctx, path, &req, 2000, &reply, &e), 0);
	ck_assert_str_eq(reply, srv.reply);
	free(reply);
	pthread_join(t, NULL);

	srv.reply = NULL;
	pthread_create(&t, NULL, serve, &srv);
	ck_assert_int_eq(epdma_daemon_call(ctx, path, &req, 100, &reply, &e), -ETIMEDOUT);
	pthread_join(t, NULL);

	close(srv.fd);
	epdma_ctx_free(ctx);
	rm_tmp();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon-support");
	TCase *tc = tcase_create("all");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, store_loads_each_file_on_its_own);
	tcase_add_test(tc, store_missing_dir_is_empty);
	tcase_add_test(tc, classify_devices);
	tcase_add_test(tc, ipc_parse_and_format);
	tcase_add_test(tc, daemon_call);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

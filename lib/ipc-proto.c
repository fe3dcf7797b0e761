// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The epdmad request/reply protocol (epdmad(8), "SOCKET PROTOCOL"): one JSON object per
 * SOCK_SEQPACKET message, so the kernel keeps message boundaries and an oversized request
 * is visible as a truncated datagram instead of a stream that never ends.
 *
 * The parser is the daemon's first line of defence against any local user: it accepts only
 * a small, closed set of keys and refuses everything else with -EINVAL and a message.
 */
#include "epdma-private.h"

static const char *const op_names[] = {
	[EPDMA_IPC_STATUS] = "status", [EPDMA_IPC_EVENTS] = "events",
	[EPDMA_IPC_APPLY] = "apply",   [EPDMA_IPC_RELOAD] = "reload",
	[EPDMA_IPC_VERSION] = "version",
};

const char *epdma_ipc_op_name(enum epdma_ipc_op op)
{
	return (unsigned int)op < ARRAY_SIZE(op_names) ? op_names[op] : "?";
}

bool epdma_ipc_op_mutates(enum epdma_ipc_op op)
{
	return op == EPDMA_IPC_APPLY || op == EPDMA_IPC_RELOAD;
}

/* Every refusal of the parser is -EINVAL with a pointer to the offending key. */
#define bad(err, pointer, rule, ...) \
	ep_error_set(err, -EINVAL, NULL, pointer, rule, NULL, __VA_ARGS__)

static int get_u64(struct json_object *v, const char *pointer, uint64_t *out,
		   struct epdma_error *err)
{
	int64_t i;

	if (!json_object_is_type(v, json_type_int))
		return bad(err, pointer, "type", "%s must be a non-negative integer", pointer + 1);
	i = json_object_get_int64(v);
	if (i < 0)
		return bad(err, pointer, "range", "%s must be a non-negative integer", pointer + 1);
	*out = (uint64_t)i;
	return 0;
}

int epdma_ipc_parse_request(const char *buf, size_t len, struct epdma_ipc_request *req,
			    struct epdma_error *err)
{
	_cleanup_json_ struct json_object *root = NULL;
	struct json_tokener *tok;
	struct json_object *v;
	const char *op = NULL;
	size_t end, i;
	bool seen_op = false;
	int r;

	memset(req, 0, sizeof(*req));
	ep_error_clear(err);
	if (len == 0)
		return bad(err, NULL, "empty", "empty request");
	if (len > EPDMA_IPC_MAX_REQUEST)
		return ep_error_set(err, -EMSGSIZE, NULL, NULL, "size", NULL,
				    "request of %zu bytes exceeds the limit of %d bytes", len,
				    EPDMA_IPC_MAX_REQUEST);
	/* json-c stops at a NUL; a request with one inside is not what it looks like. */
	if (memchr(buf, '\0', len))
		return bad(err, NULL, "syntax", "request contains a NUL byte");

	tok = json_tokener_new_ex(EPDMA_IPC_MAX_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	end = json_tokener_get_parse_end(tok);
	r = json_tokener_get_error(tok) == json_tokener_success;
	if (!r) {
		char msg[96];

		snprintf(msg, sizeof(msg), "%s",
			 json_tokener_error_desc(json_tokener_get_error(tok)));
		json_tokener_free(tok);
		return bad(err, NULL, "syntax", "request is not valid JSON: %s", msg);
	}
	json_tokener_free(tok);
	for (i = end; i < len; i++)
		if (!strchr(" \t\r\n", buf[i]))
			return bad(err, NULL, "syntax", "trailing data after the JSON object");
	if (!json_object_is_type(root, json_type_object))
		return bad(err, NULL, "type", "request must be a JSON object");

	req->max = 0;
	json_object_object_foreach(root, key, val) {
		if (!strcmp(key, "version")) {
			if (!json_object_is_type(val, json_type_int) ||
			    json_object_get_int64(val) != EPDMA_IPC_VERSION_NUMBER)
				return bad(err, "/version", "version",
					   "unsupported protocol version (this daemon speaks %d)",
					   EPDMA_IPC_VERSION_NUMBER);
		} else if (!strcmp(key, "request")) {
			if (!json_object_is_type(val, json_type_string))
				return bad(err, "/request", "type", "request must be a string");
			op = json_object_get_string(val);
			seen_op = true;
		} else if (!strcmp(key, "profile")) {
			const char *name;

			if (!json_object_is_type(val, json_type_string))
				return bad(err, "/profile", "type", "profile must be a string");
			name = json_object_get_string(val);
			if (!ep_name_is_safe(name, EPDMA_NAME_MAX))
				return bad(err, "/profile", "name",
					   "'%.64s' is not a valid profile name", name);
			snprintf(req->profile, sizeof(req->profile), "%s", name);
		} else if (!strcmp(key, "after")) {
			r = get_u64(val, "/after", &req->after, err);
			if (r < 0)
				return r;
		} else if (!strcmp(key, "max")) {
			uint64_t m;

			r = get_u64(val, "/max", &m, err);
			if (r < 0)
				return r;
			req->max = m > UINT32_MAX ? UINT32_MAX : (unsigned int)m;
		} else {
			return bad(err, NULL, "unknown-key", "unknown key '%.64s'", key);
		}
	}
	if (!seen_op)
		return bad(err, "/request", "required", "missing key 'request'");
	for (i = 0; i < ARRAY_SIZE(op_names); i++)
		if (!strcmp(op, op_names[i]))
			break;
	if (i == ARRAY_SIZE(op_names))
		return bad(err, "/request", "unknown-request", "unknown request '%.64s'", op);
	req->op = (enum epdma_ipc_op)i;

	if (req->op == EPDMA_IPC_APPLY && !req->profile[0])
		return bad(err, "/profile", "required", "apply needs a 'profile'");
	if (req->op != EPDMA_IPC_APPLY && req->profile[0])
		return bad(err, "/profile", "unexpected", "'profile' is only valid for apply");
	if (req->op != EPDMA_IPC_EVENTS &&
	    (json_object_object_get_ex(root, "after", &v) ||
	     json_object_object_get_ex(root, "max", &v)))
		return bad(err, NULL, "unexpected", "'after' and 'max' are only valid for events");
	return 0;
}

int epdma_ipc_format_request(const struct epdma_ipc_request *req, char **out)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	const char *s;

	if (!o)
		return -ENOMEM;
	if ((unsigned int)req->op >= ARRAY_SIZE(op_names))
		return -EINVAL;
	json_object_object_add(o, "version", json_object_new_int(EPDMA_IPC_VERSION_NUMBER));
	json_object_object_add(o, "request", json_object_new_string(op_names[req->op]));
	if (req->op == EPDMA_IPC_APPLY)
		json_object_object_add(o, "profile", json_object_new_string(req->profile));
	if (req->op == EPDMA_IPC_EVENTS) {
		if (req->after)
			json_object_object_add(o, "after", json_object_new_int64((int64_t)req->after));
		if (req->max)
			json_object_object_add(o, "max", json_object_new_int64(req->max));
	}
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	*out = s ? strdup(s) : NULL;
	return *out ? 0 : -ENOMEM;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
#include "epdma-private.h"

int epdma_ctx_use_fake_configfs(struct epdma_ctx *ctx, const char *state_file)
{
	return -ENOSYS;
}

bool epdma_ctx_is_fake(const struct epdma_ctx *ctx)
{
	return false;
}

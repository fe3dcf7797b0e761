// SPDX-License-Identifier: GPL-2.0-or-later
/* epdmactl profile validate|plan|apply|diff|export|clear */
#include <string.h>

#include "epdmactl.h"

int cmd_profile(struct cli *cli, int argc, char **argv)
{
	cli_err(cli, "profile: not implemented yet");
	return EPDMA_EXIT_FAILED;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ntb_ep_dma generic netlink ABI, version 1: the numbers of the kernel's
 * include/uapi/linux/ntb_ep_dma.h (from the epdma series), repeated here so that libepdma
 * builds without the patched kernel headers. Only ever appended to, on both sides.
 */
#ifndef EPDMA_NTB_EP_DMA_NL_H
#define EPDMA_NTB_EP_DMA_NL_H

#include <stdbool.h>

#define NTB_EP_DMA_GENL_NAME		"ntb_ep_dma"
#define NTB_EP_DMA_GENL_VERSION		1
#define NTB_EP_DMA_GENL_MCGRP_EVENTS	"events"

#define NTB_EP_DMA_DEVICE_LEN		32
#define NTB_EP_DMA_MAX_CHANNEL		255
#define NTB_EP_DMA_MIN_SIZE		4
#define NTB_EP_DMA_MAX_SIZE		(16 << 20)
#define NTB_EP_DMA_MAX_COUNT		1000000
#define NTB_EP_DMA_MAX_DEPTH		64

enum {
	NTB_EP_DMA_DIR_WRITE,
	NTB_EP_DMA_DIR_READ,
};

enum {
	NTB_EP_DMA_A_UNSPEC,
	NTB_EP_DMA_A_PAD,
	NTB_EP_DMA_A_DEVICE,
	NTB_EP_DMA_A_CHANNEL,
	NTB_EP_DMA_A_DIRECTION,
	NTB_EP_DMA_A_SIZE,
	NTB_EP_DMA_A_COUNT,
	NTB_EP_DMA_A_DEPTH,
	NTB_EP_DMA_A_VERIFY,
	NTB_EP_DMA_A_LINK_UP,
	NTB_EP_DMA_A_PEER_READY,
	NTB_EP_DMA_A_BUSY,
	NTB_EP_DMA_A_BUF_SIZE,
	NTB_EP_DMA_A_PEER_SIZE,
	NTB_EP_DMA_A_LAST_STATUS,
	NTB_EP_DMA_A_STATUS,
	NTB_EP_DMA_A_BYTES,
	NTB_EP_DMA_A_TRANSFERS,
	NTB_EP_DMA_A_ERRORS,
	NTB_EP_DMA_A_ELAPSED_NS,
	NTB_EP_DMA_A_THROUGHPUT,
	NTB_EP_DMA_A_LAT_MIN_NS,
	NTB_EP_DMA_A_LAT_AVG_NS,
	NTB_EP_DMA_A_LAT_P50_NS,
	NTB_EP_DMA_A_LAT_P99_NS,
	NTB_EP_DMA_A_LAT_MAX_NS,
	NTB_EP_DMA_A_CHANNEL_NAME,
	__NTB_EP_DMA_A_MAX,
	NTB_EP_DMA_A_MAX = __NTB_EP_DMA_A_MAX - 1
};

enum {
	NTB_EP_DMA_CMD_UNSPEC,
	NTB_EP_DMA_CMD_GET_DEVICE,
	NTB_EP_DMA_CMD_RUN,
	NTB_EP_DMA_CMD_CANCEL,
	NTB_EP_DMA_CMD_RUN_DONE,
};

#include <stddef.h>

struct epdma_ctx;
struct epdma_error;
/* test-run.c: is the PCI function bound to ntb_hw_epf (the host side)? */
bool ep_test_host_side(struct epdma_ctx *ctx, const char *dev);
/*
 * test-run.c: the device to test among the @n ntb_ep_dma devices @names when the caller named
 * none: the only host-side one. -ENODEV when there is none (@where says where none was found
 * when @n is 0; with the link down only the endpoint's side is left, or nothing), -EINVAL when
 * several leave the choice to the caller. Used by the debugfs and the netlink paths alike.
 */
int ep_test_choose_device(struct epdma_ctx *ctx, const char *const *names, size_t n,
			  const char *where, char *dev, size_t devsize, struct epdma_error *err);

#endif

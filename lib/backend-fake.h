/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An in-memory model of the kernel's pci_ep configfs tree (drivers/pci/endpoint/pci-ep-cfs.c
 * and the function drivers), for tests and demos:
 *  - mkdir functions/<drv>/<name> creates the header attribute files at once, and the
 *    primary/, secondary/ and <drv>.<index> groups only after a number of lookups (the
 *    kernel creates them from a delayed work);
 *  - writes are parsed like kstrtou8/u16/u32/u64 with base 0 and range-checked (EINVAL or
 *    ERANGE), mwN checks N <= num_mws, start returns EALREADY for no change;
 *  - links bind a function to a controller (EBUSY if already bound), rmdir of a linked
 *    function fails with EBUSY, unlink while the controller is started is counted as the
 *    kernel's WARN_ON_ONCE;
 *  - any mutating call can be made to fail at its Nth occurrence, and start can fail.
 */
#ifndef EPDMA_BACKEND_FAKE_H
#define EPDMA_BACKEND_FAKE_H

#include "epdma-private.h"

struct ep_fake;

/* A fake with drivers pci_epf_test, pci_epf_ntb, pci_epf_vntb and pci_epf_custom (an
 * "unknown" driver with free-form string attributes "mode" and "label") and no controller. */
int ep_fake_new(struct epdma_ctx *ctx, struct ep_fake **out);
/* Make the fake the context's configfs (the context owns it from then on). */
void ep_fake_install(struct ep_fake *f);
int ep_fake_add_controller(struct ep_fake *f, const char *name);
/* Lookups of a new function before its subgroups appear (default 2, 0 = at once). */
void ep_fake_set_subgroup_delay(struct ep_fake *f, unsigned int lookups);
/* Fail the @nth mutating call from now on (1-based; 0 disables) with @err (negative). */
void ep_fake_fail_at(struct ep_fake *f, unsigned int nth, int err);
/* Make "1" written to any controller's start fail with @err (0 disables). */
void ep_fake_fail_start(struct ep_fake *f, int err);
/* Mutating calls (mkdir, rmdir, write, symlink, unlink) since creation, failed ones included. */
unsigned int ep_fake_mutations(const struct ep_fake *f);
/* Unlinks done while the controller was started (the kernel would WARN). */
unsigned int ep_fake_warnings(const struct ep_fake *f);
/* A canonical dump of the whole tree, hidden values included. Free with free(). */
int ep_fake_snapshot(struct ep_fake *f, char **out);
struct ep_backend *ep_fake_backend(struct ep_fake *f);

#endif

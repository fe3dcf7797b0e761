// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The floor for applying the cover letter's vNTB recipe: only the system calls, no parsing,
 * no checks, no journal. Usage: bench-writes PCI_EP_ROOT
 * The function directory (what the kernel creates on mkdir) must already exist.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FN "functions/pci_epf_vntb/func1/"
#define SG FN "pci_epf_vntb.0/"

static const char *const writes[][2] = {
	{ FN "vendorid", "0x1912\n" },
	{ FN "deviceid", "0x0030\n" },
	{ FN "msi_interrupts", "32\n" },
	{ SG "db_count", "16\n" },
	{ SG "spad_count", "128\n" },
	{ SG "num_mws", "1\n" },
	{ SG "mw1", "0xF9000\n" },
	{ SG "dma_offset", "0xF9000\n" },
	{ SG "dma_num_chans", "4\n" },
	{ SG "vntb_vid", "0x1912\n" },
	{ SG "vntb_pid", "0x0030\n" },
	{ SG "vbus_number", "0x10\n" },
	{ SG "ctrl_bar", "0\n" },
	{ SG "mw1_bar", "2\n" },
	{ SG "dma_bar", "2\n" },
	{ SG "db_bar", "4\n" },
};

static int put(int dir, const char *path, const char *val)
{
	int fd = openat(dir, path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(val);

	if (fd < 0 || write(fd, val, len) != (ssize_t)len) {
		perror(path);
		return 1;
	}
	return close(fd) ? 1 : 0;
}

int main(int argc, char **argv)
{
	char target[4096];
	int dir, rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PCI_EP_ROOT\n", argv[0]);
		return 2;
	}
	dir = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		perror(argv[1]);
		return 1;
	}
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		rc |= put(dir, writes[i][0], writes[i][1]);
	/* ln -s controllers/e65d0000.pcie-ep functions/pci_epf_vntb/func1/primary/ */
	snprintf(target, sizeof(target), "%s/controllers/e65d0000.pcie-ep", argv[1]);
	if (symlinkat(target, dir, FN "primary/e65d0000.pcie-ep")) {
		perror("symlink");
		rc = 1;
	}
	rc |= put(dir, "controllers/e65d0000.pcie-ep/start", "1\n");
	close(dir);
	return rc;
}

#!/bin/sh
# The cover letter's vNTB recipe as shell commands (without the modprobe and the mkdir: on a
# plain directory tree the kernel's attribute files cannot appear by themselves, so the bench
# starts from the state right after mkdir). Usage: recipe.sh PCI_EP_ROOT
set -e
cd "$1"
echo 0x1912 > functions/pci_epf_vntb/func1/vendorid
echo 0x0030 > functions/pci_epf_vntb/func1/deviceid
echo 32 > functions/pci_epf_vntb/func1/msi_interrupts
echo 16 > functions/pci_epf_vntb/func1/pci_epf_vntb.0/db_count
echo 128 > functions/pci_epf_vntb/func1/pci_epf_vntb.0/spad_count
echo 1 > functions/pci_epf_vntb/func1/pci_epf_vntb.0/num_mws
echo 0xF9000 > functions/pci_epf_vntb/func1/pci_epf_vntb.0/mw1
echo 0xF9000 > functions/pci_epf_vntb/func1/pci_epf_vntb.0/dma_offset
echo 4 > functions/pci_epf_vntb/func1/pci_epf_vntb.0/dma_num_chans
echo 0x1912 > functions/pci_epf_vntb/func1/pci_epf_vntb.0/vntb_vid
echo 0x0030 > functions/pci_epf_vntb/func1/pci_epf_vntb.0/vntb_pid
echo 0x10 > functions/pci_epf_vntb/func1/pci_epf_vntb.0/vbus_number
echo 0 > functions/pci_epf_vntb/func1/pci_epf_vntb.0/ctrl_bar
echo 2 > functions/pci_epf_vntb/func1/pci_epf_vntb.0/mw1_bar
echo 2 > functions/pci_epf_vntb/func1/pci_epf_vntb.0/dma_bar
echo 4 > functions/pci_epf_vntb/func1/pci_epf_vntb.0/db_bar
ln -s "$1/controllers/e65d0000.pcie-ep" functions/pci_epf_vntb/func1/primary/
echo 1 > controllers/e65d0000.pcie-ep/start

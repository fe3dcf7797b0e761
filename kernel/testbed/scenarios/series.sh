# Scenario series: the series' vNTB DMA export on the loopback EPC with the
# R-Car S4-like profile, shared-BAR layout as in
# Documentation/PCI/endpoint/pci-vntb-dma-howto.rst (MW1 and the DMA slice in
# BAR2), ntb_hw_epf + dw-edma-aux on the host, ntb_ep_dma run on the host.
. /testbed/lib.sh

setup() {
	vntb_dma_setup rcar db_count=16 spad_count=128 num_mws=1 mw1=0xF9000 ctrl_bar=0 \
		mw1_bar=2 db_bar=4 dma_bar=2 dma_offset=0xF9000 dma_num_chans=4
}
ktap_check setup setup
ntb_ep_dma_scenario
ktap_check_kernel_log
ktap_finish

# Scenario series-dma-bar: the series' vNTB DMA export with the DMA slice
# alone in a BAR of its own (BAR3, generic profile); MW1 alone in BAR2. A BAR
# must be a power of two: with one channel the slice is 16 KiB. ntb_hw_epf +
# dw-edma-aux on the host, ntb_ep_dma run on the host.
. /testbed/lib.sh

setup() {
	vntb_dma_setup generic db_count=16 spad_count=128 num_mws=1 mw1=0x100000 ctrl_bar=0 \
		mw1_bar=2 db_bar=4 dma_bar=3 dma_offset=0 dma_num_chans=1
}
ktap_check setup setup
ntb_ep_dma_scenario
ktap_check_kernel_log
ktap_finish

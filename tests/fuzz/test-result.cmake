# Bounded libFuzzer run of fuzz-test-result (the ntb_ep_dma debugfs result parser) as a ctest
# in fuzz builds (EPDMA_FUZZ=ON, clang). The corpus replay, with its ok-*/bad-* expectations,
# runs in every build through the EPDMA_FUZZERS table of CMakeLists.txt.
if(EPDMA_FUZZ AND TARGET fuzz-test-result)
	set(EPDMA_FUZZ_TEST_RESULT_SECONDS 20 CACHE STRING
	    "Seconds of libFuzzer on fuzz-test-result in ctest")
	# New inputs go to a scratch directory; the committed corpus is only read.
	add_test(NAME fuzz-run-test-result
		 COMMAND sh -c "d=$(mktemp -d) && trap 'rm -rf $d' EXIT && \
$<TARGET_FILE:fuzz-test-result> -max_total_time=${EPDMA_FUZZ_TEST_RESULT_SECONDS} \
-max_len=4096 -timeout=10 -rss_limit_mb=1024 $d ${CMAKE_CURRENT_SOURCE_DIR}/corpus/test-result")
	set_tests_properties(fuzz-run-test-result PROPERTIES TIMEOUT 300 LABELS fuzz)
endif()

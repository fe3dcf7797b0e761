# Bounded libFuzzer run of fuzz-ipc (epdmad's IPC request parser) as a ctest in fuzz builds
# (EPDMA_FUZZ=ON, clang). The replay of corpus/ipc runs in every build through the
# EPDMA_FUZZERS table of CMakeLists.txt; this adds the time-limited fuzzing itself.
if(EPDMA_FUZZ AND TARGET fuzz-ipc)
	set(EPDMA_FUZZ_IPC_SECONDS 20 CACHE STRING "Seconds of libFuzzer on fuzz-ipc in ctest")
	# New inputs go to a scratch directory; the committed corpus is only read.
	add_test(NAME fuzz-run-ipc
		 COMMAND sh -c "d=$(mktemp -d) && trap 'rm -rf $d' EXIT && \
$<TARGET_FILE:fuzz-ipc> -max_total_time=${EPDMA_FUZZ_IPC_SECONDS} -max_len=8192 \
-timeout=10 -rss_limit_mb=1024 $d ${CMAKE_CURRENT_SOURCE_DIR}/corpus/ipc")
	set_tests_properties(fuzz-run-ipc PROPERTIES TIMEOUT 300 LABELS fuzz)
endif()

# epdmad benchmark (tests/bench/daemon-bench.c): included from tests/bench/CMakeLists.txt.
# Needs umockdev like the udev tests; run it with tests/bench/daemon-run.
pkg_check_modules(UMOCKDEV IMPORTED_TARGET umockdev-1.0)
pkg_check_modules(JSONC IMPORTED_TARGET json-c)
if(UMOCKDEV_FOUND AND JSONC_FOUND AND TARGET epdma-kernel-shim)
	add_executable(daemon-bench ${CMAKE_CURRENT_LIST_DIR}/daemon-bench.c)
	target_link_libraries(daemon-bench PRIVATE PkgConfig::UMOCKDEV PkgConfig::JSONC m)
	add_dependencies(daemon-bench epdmad epdma-kernel-shim)
endif()

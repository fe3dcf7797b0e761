# shellcheck shell=bash
# Helpers shared by check-series and check-bisect: configure and build the directories the
# series touches, for one architecture, in a cached O= build directory. Source after lib.sh.

EPDMA_CHECK_CONFIG=$EPDMA_TOP/kernel/configs/epdma-check.config
EPDMA_CHECK_PKGS=("${EPDMA_KBUILD_PKGS[@]}" sparse gcc-aarch64-linux-gnu perl python3-ply python3-git)
# Directories that are always built: where the series' code and its users live. Directories of
# any other file a patch touches are added by touched_dirs.
EPDMA_CHECK_DIRS=(drivers/pci/endpoint drivers/pci/controller/dwc drivers/dma/dw-edma drivers/ntb)

# series_patches: print the absolute paths of the patches named by kernel/patches/series.
series_patches() {
	local pdir=$EPDMA_PATCHES p
	[ -f "$pdir/series" ] || return 0
	while read -r p; do
		p=${p%%#*}
		p=$(echo "$p" | xargs)
		[ -n "$p" ] && echo "$pdir/$p"
	done < "$pdir/series"
}

# touched_dirs PATCH... : the fixed directory list plus the directory of every .c file touched,
# without directories below another listed one (make would build them twice, in parallel).
touched_dirs() {
	{
		printf '%s\n' "${EPDMA_CHECK_DIRS[@]}"
		grep -h '^+++ b/.*\.c$' "$@" 2>/dev/null | sed 's|^+++ b/||' | xargs -r -n1 dirname
	} | grep -v '^tools/\|^Documentation/\|^scripts/' | sort -u |
		awk '{ for (i = 1; i <= n; i++) if (index($0, kept[i] "/") == 1) next; kept[++n] = $0; print }'
}

# arch_make_args ARCH : print the make variables for ARCH (x86_64 or arm64), one per line.
arch_make_args() {
	case "$1" in
	x86_64) printf '%s\n' ARCH=x86_64 "CC=ccache gcc" ;;
	arm64) printf '%s\n' ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		"CC=ccache aarch64-linux-gnu-gcc" ;;
	*) die "unknown architecture '$1' (x86_64 or arm64)" ;;
	esac
}

# kmake TREE OUT ARCH ARGS... : run make in TREE with O=OUT for ARCH, niced, -j$EPDMA_JOBS.
kmake() {
	local tree=$1 out=$2 arch=$3 args
	shift 3
	mapfile -t args < <(arch_make_args "$arch")
	nice -n 10 make -C "$tree" O="$out" -j"$EPDMA_JOBS" "${args[@]}" "$@"
}

# configure TREE OUT ARCH [lenient] : allnoconfig + the check fragment, redone only when the
# fragment or the tree's Kconfig files are newer than .config. Fails if a requested symbol did
# not stick, unless "lenient" (a series prefix may not have added the symbol yet).
configure() {
	local tree=$1 out=$2 arch=$3 lenient=${4:-} line
	mkdir -p "$out"
	if [ ! -f "$out/.config" ] || [ "$EPDMA_CHECK_CONFIG" -nt "$out/.config" ] ||
	   [ -n "$(find "$tree" -name 'Kconfig*' -newer "$out/.config" -print -quit)" ]; then
		kmake "$tree" "$out" "$arch" -s KCONFIG_ALLCONFIG="$EPDMA_CHECK_CONFIG" \
			allnoconfig >/dev/null
	fi
	[ -z "$lenient" ] || return 0
	while read -r line; do
		case "$line" in CONFIG_*=[ym]) ;; *) continue ;; esac
		grep -qx "$line" "$out/.config" ||
			die "$arch: $line from $(basename "$EPDMA_CHECK_CONFIG") did not survive Kconfig"
	done < "$EPDMA_CHECK_CONFIG"
}

# build_dirs TREE OUT ARCH LOG EXTRA... DIR... : build the given directories (each with a
# trailing slash) after deleting their objects, so every warning is emitted again (ccache
# replays the compiler's, sparse runs anew). Output goes to LOG; returns make's status.
build_dirs() {
	local tree=$1 out=$2 arch=$3 log=$4 d
	shift 4
	local extra=() dirs=()
	for d in "$@"; do
		case "$d" in *=*) extra+=("$d") ;; *) dirs+=("${d%/}/") ;; esac
	done
	for d in "${dirs[@]}"; do
		[ -d "$out/$d" ] && find "$out/$d" \( -name '*.o' -o -name '*.mod' \) -delete
	done
	kmake "$tree" "$out" "$arch" "${extra[@]}" "${dirs[@]}" >"$log" 2>&1
}

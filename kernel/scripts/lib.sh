# shellcheck shell=bash
# Common settings for the kernel scripts: where things are cached and which base is pinned.
# Source this file; it defines variables and helpers only.

EPDMA_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../base.env
. "$EPDMA_TOP/kernel/base.env"

EPDMA_CACHE=${EPDMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/epdma}
EPDMA_KVER_SAFE=${EPDMA_KERNEL_VERSION//[~:]/_}
EPDMA_DL=$EPDMA_CACHE/dl
# The patch set to apply (default: this checkout's kernel/patches; override to test an export).
EPDMA_PATCHES=${EPDMA_PATCHES:-$EPDMA_TOP/kernel/patches}
EPDMA_BASE_SRC=$EPDMA_CACHE/base/$EPDMA_KVER_SAFE	# pristine unpacked tree, a git repo
EPDMA_JOBS=${EPDMA_JOBS:-$(nproc)}

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# need_pkgs PKG... : install Debian packages that are missing (CI machines start bare).
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing: ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
	$SUDO apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
}

# Packages every kernel build here needs.
EPDMA_KBUILD_PKGS=(build-essential bc bison flex libelf-dev libssl-dev cpio rsync kmod
		   xz-utils git ccache python3)

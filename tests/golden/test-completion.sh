#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion of epdmactl offers what the CLI accepts: commands, subcommands, options
# and the devices found under --root. usage: test-completion.sh COMPLETION_FILE
set -u
BC=/usr/share/bash-completion/bash_completion
if [ ! -r "$BC" ]; then
	echo "SKIP: bash-completion not installed"
	exit 77
fi
# shellcheck disable=SC1090
. "$BC"
# shellcheck disable=SC1090
. "$1"
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0
# the fixture trees as the kernel shows them: without the '.keep' placeholders git needs for
# empty directories (golden_util.scratch_copy does the same for the Python tests)
FX=$(mktemp -d)
trap 'rm -rf "$FX"' EXIT
cp -a "$HERE/fixtures/." "$FX/"
find "$FX" -type f -name .keep -delete

# complete LINE: COMPREPLY for the last word of LINE ("" if LINE ends in a space)
complete_line() {
	local line=$1
	read -r -a COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_epdmactl epdmactl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}

expect() {
	local line=$1 want=$2 got
	got=$(complete_line "$line")
	if [[ " $got" == *" $want "* ]]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: '$line' -> '$got' lacks '$want'"
	fi
}

expect_not() {
	local line=$1 unwanted=$2 got
	got=$(complete_line "$line")
	if [[ " $got" == *" $unwanted "* ]]; then
		fail=$((fail + 1))
		echo "FAIL: '$line' -> '$got' offers '$unwanted'"
	else
		pass=$((pass + 1))
	fi
}

expect "epdmactl " status
expect "epdmactl " profile
expect "epdmactl " test
expect "epdmactl " modules
expect "epdmactl " devices
expect "epdmactl devices --" --json
expect "epdmactl --j" --json
expect "epdmactl --root /tmp " status
expect "epdmactl profile " apply
expect "epdmactl profile " validate
expect "epdmactl profile apply --" --dry-run
expect "epdmactl profile clear --" --yes
expect "epdmactl profile export --" --controller
expect "epdmactl status --" --json
expect_not "epdmactl status --" --dry-run
expect "epdmactl test " run
expect "epdmactl test run --" --timeout
expect "epdmactl test run --" --device
expect "epdmactl test run --" --count
expect "epdmactl test " watch
for o in --size --depth --channel --direction --no-verify --via; do
	expect "epdmactl test run --" $o
	expect_not "epdmactl test watch --" $o
done
expect "epdmactl test watch --" --count
expect "epdmactl test run --direction " read
expect "epdmactl test run --direction " write
expect_not "epdmactl test run --direction " --json
expect "epdmactl test run --via " netlink
expect "epdmactl test run --channel " any
expect "epdmactl test run --size " 1M
expect "epdmactl test run --depth " 8
expect "epdmactl test run --size 64K --" --no-verify
expect "epdmactl --root $FX/host-dma test run --device " 0000:01:00.0
expect "epdmactl --root $FX/ep-vntb profile export --controller " e65d0000.pcie-ep
expect "epdmactl modules " load
expect "epdmactl modules load " ntb_ep_dma
expect "epdmactl modules load --" --dry-run

echo "completion: $pass/$((pass + fail)) checks passed"
[ "$fail" -eq 0 ]

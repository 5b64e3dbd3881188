#!/usr/bin/env bash
# Tests scripts/install-deps's prerequisite check: on a PATH of stubs (a node that prints
# an old version, a python3 without venv, tools missing), it must name exactly what to
# install and exit 1 before doing anything; with every prerequisite present, `--check` is
# silent and exits 0. Needs no root and no network; runs in well under a second.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
install_deps="$root/scripts/install-deps"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0

# A folder for PATH holding only bash and dirname (what the script needs before its check)
# and the stubs given as name=body pairs.
stub_path() {
	local dir
	dir=$(mktemp -d "$work/path.XXXX")
	ln -s "$(command -v bash)" "$dir/bash"
	ln -s "$(command -v dirname)" "$dir/dirname"
	for stub in "$@"; do
		printf '#!%s\n%s\n' "$(command -v bash)" "${stub#*=}" >"$dir/${stub%%=*}"
		chmod +x "$dir/${stub%%=*}"
	done
	echo "$dir"
}

NODE_20='node=echo v20.3.0'
NODE_18='node=echo v18.19.0'
NPM='npm=echo 10.8.2'
PYTHON_VENV='python3=exit 0'
PYTHON_NO_VENV='python3=echo "ModuleNotFoundError: No module named ensurepip" >&2; exit 1'

HEADER="install-deps: missing prerequisites; nothing was installed. Install them, then run this again:"
NODE_ADVICE="Debian 12 ships Node.js 18; install Node.js 20 or newer from NodeSource's Debian repository for Node.js 20 (its setup_20.x script, then apt-get install nodejs) or from the official Linux binaries of Node.js, or use Debian 13 (apt-get install nodejs npm)"

# check NAME EXPECTED_STATUS EXPECTED_STDERR ARGS -- STUBS...
check() {
	local name=$1 want_status=$2 want_err=$3 arg=$4
	shift 5
	local path err status
	path=$(stub_path "$@")
	err=$(PATH="$path" "$install_deps" $arg 2>&1 >"$work/stdout")
	status=$?
	if [[ $status == "$want_status" && "$err" == "$want_err" && ! -s "$work/stdout" ]]; then
		passed=$((passed + 1))
		echo "ok - $name"
	else
		failed=$((failed + 1))
		echo "not ok - $name"
		echo "  exit status: $status (expected $want_status)"
		diff <(echo "$want_err") <(echo "$err") | sed 's/^/  /'
	fi
}

check "node 18 is refused, saying what to install" 1 "$HEADER
  - Node.js >= 20.3 (tests/e2e) is needed, found v18.19.0: $NODE_ADVICE" "" -- \
	"$NODE_18" "$NPM" "$PYTHON_VENV"

check "a missing node is named" 1 "$HEADER
  - Node.js >= 20.3 (tests/e2e) is not installed: $NODE_ADVICE" "" -- \
	"$NPM" "$PYTHON_VENV"

check "node 20.2 is too old, 20.3 is not" 1 "$HEADER
  - Node.js >= 20.3 (tests/e2e) is needed, found v20.2.0: $NODE_ADVICE" "" -- \
	'node=echo v20.2.0' "$NPM" "$PYTHON_VENV"

check "a missing npm is named" 1 "$HEADER
  - npm (comes with Node.js) is not installed: with Debian's Node.js, apt-get install npm; other Node.js builds include it" "" -- \
	"$NODE_20" "$PYTHON_VENV"

check "python3 without venv: apt-get install python3-venv" 1 "$HEADER
  - python3's venv module (the GitHub workflow check) is missing: apt-get install python3-venv" "" -- \
	"$NODE_20" "$NPM" "$PYTHON_NO_VENV"

check "a missing python3 is named" 1 "$HEADER
  - python3 with its venv module (the GitHub workflow check) is not installed: apt-get install python3 python3-venv" "" -- \
	"$NODE_20" "$NPM"

check "every missing prerequisite is listed in one run" 1 "$HEADER
  - Node.js >= 20.3 (tests/e2e) is needed, found v18.19.0: $NODE_ADVICE
  - python3's venv module (the GitHub workflow check) is missing: apt-get install python3-venv" "" -- \
	"$NODE_18" "$NPM" "$PYTHON_NO_VENV"

check "refused before installing anything (no cargo, apt or npm is reached)" 1 "$HEADER
  - Node.js >= 20.3 (tests/e2e) is needed, found v18.19.0: $NODE_ADVICE" "" -- \
	"$NODE_18" "$NPM" "$PYTHON_VENV" 'cargo=echo "cargo ran" >&2' 'apt-get=echo "apt-get ran" >&2' \
	'mktemp=echo "mktemp ran" >&2'

check "--check with every prerequisite present is silent" 0 "" --check -- \
	"$NODE_20" "$NPM" "$PYTHON_VENV"

echo "install-deps: $passed passed, $failed failed"
((failed == 0))

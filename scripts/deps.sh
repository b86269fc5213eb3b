#!/usr/bin/env bash
# Installs the Debian packages cep's build needs, if missing.
#
#   scripts/deps.sh                 the base packages (compiler, cmake, ninja, Boost, range-v3, Catch2)
#   scripts/deps.sh <pkg>...        these packages
#   scripts/deps.sh --clang         clang++ with its sanitizer runtimes (libclang-rt-<N>-dev)
#
# As root: apt-get. Otherwise through passwordless sudo (sudo -n). Otherwise prints the command to run and
# exits 1. On a system without dpkg it only warns.
set -euo pipefail

BASE_PACKAGES=(g++ cmake ninja-build libboost-dev librange-v3-dev catch2)

say() { printf 'deps.sh: %s\n' "$*" >&2; }

is_installed() {
    local status
    status=$(dpkg -s "$1" 2>/dev/null) || return 1
    grep -q '^Status: install ok installed' <<<"$status"
}

# ensure <pkg>...: install the missing ones.
ensure() {
    local missing=() pkg
    for pkg in "$@"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0

    local apt=(apt-get -o DPkg::Lock::Timeout=300)
    if [[ $(id -u) -eq 0 ]]; then
        say "installing: ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive "${apt[@]}" -qq update
        DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -q --no-install-recommends "${missing[@]}"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        say "installing with sudo: ${missing[*]}"
        sudo -n env DEBIAN_FRONTEND=noninteractive "${apt[@]}" -qq update
        sudo -n env DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -q --no-install-recommends "${missing[@]}"
    else
        echo "Missing Debian packages. Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
}

want_clang=0
packages=()
for arg in "$@"; do
    case "$arg" in
        --clang) want_clang=1 ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) say "unknown option: $arg"; exit 2 ;;
        *) packages+=("$arg") ;;
    esac
done
if [[ ${#packages[@]} -eq 0 && $want_clang -eq 0 ]]; then
    packages=("${BASE_PACKAGES[@]}")
fi

if ! command -v dpkg >/dev/null 2>&1; then
    say "not a Debian-like system (no dpkg): make sure the equivalents of these are installed:" \
        "${packages[*]}$([[ $want_clang -eq 1 ]] && echo ' clang')"
    exit 0
fi

[[ ${#packages[@]} -gt 0 ]] && ensure "${packages[@]}"

if [[ $want_clang -eq 1 ]]; then
    ensure clang
    # The ASan/UBSan runtimes are only "recommended" by clang; install the package matching clang's version.
    major=$(clang --version | sed -n 's/.*clang version \([0-9][0-9]*\)\..*/\1/p' | head -n 1)
    if [[ -n "$major" ]] && apt-cache show "libclang-rt-$major-dev" >/dev/null 2>&1; then
        ensure "libclang-rt-$major-dev"
    fi
fi

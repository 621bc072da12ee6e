#!/bin/sh
# Installs the Debian packages vmplace needs when they are missing.
# Run by `make install-deps` (and so by `make demo` and `make test`).
# As root it installs them; otherwise it prints the apt command to run.
set -eu

PACKAGES="cmake ninja-build pkg-config gcc g++ make
libglpk-dev libopenblas-dev liblapacke-dev libvirt-dev libxml2-dev libjansson-dev
libcmocka-dev clang libclang-rt-14-dev python3 python3-pytest"

if [ "${1:-}" = "--bench" ]; then
  # Peers and plotting for vmplace-bench.
  PACKAGES="$PACKAGES coinor-cbc gnuplot-nox glpk-utils"
fi

missing=""
for p in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done

if [ -z "$missing" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "vmplace needs these Debian packages:$missing" >&2
  echo "install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
  exit 1
fi

echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing

#!/bin/sh
# Installs the build into a scratch prefix and builds examples/c/hello.c
# against it twice: through pkg-config and through find_package(vmplace);
# runs the installed vmplace program, which links the shared library.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -eu
BUILD=$1
SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cmake --install "$BUILD" --prefix "$TMP/prefix" > "$TMP/install.log"
LIBDIR=$(dirname "$(find "$TMP/prefix" -name vmplace.pc)")
export PKG_CONFIG_PATH="$LIBDIR"
export LD_LIBRARY_PATH="$(dirname "$LIBDIR")"

# The man page and the bash completion come with the program.
grep -q '^\.TH VMPLACE 1' "$TMP/prefix/share/man/man1/vmplace.1"
grep -qF 'max\-moves' "$TMP/prefix/share/man/man1/vmplace.1"
grep -q '^complete .*-F _vmplace vmplace$' "$TMP/prefix/share/bash-completion/completions/vmplace"

# pkg-config: compile, link against the shared library, run.
cc -std=c99 -Wall -Wextra -Werror "$SRC/examples/c/hello.c" \
  $(pkg-config --cflags --libs vmplace) -o "$TMP/hello-pc"
out=$("$TMP/hello-pc")
echo "$out" | grep -q "^optimal: 1 host(s), bound 1$"
echo "$out" | grep -q "^web-1 -> h1$"

# The CMake package.
cmake -S "$SRC/examples/c" -B "$TMP/hello-build" -DCMAKE_PREFIX_PATH="$TMP/prefix" \
  > "$TMP/cmake.log"
cmake --build "$TMP/hello-build" > "$TMP/build.log"
"$TMP/hello-build/hello" | grep -q "^optimal: 1 host(s), bound 1$"
"$TMP/hello-build/hello_static" | grep -q "^optimal: 1 host(s), bound 1$"

# The installed vmplace program finds the installed shared library by
# itself (its RPATH is $ORIGIN/../<libdir>).
env -u LD_LIBRARY_PATH "$TMP/prefix/bin/vmplace" version | grep -q "^vmplace "
env -u LD_LIBRARY_PATH ldd "$TMP/prefix/bin/vmplace" | grep -q "$TMP/prefix/.*libvmplace.so"

# The SONAME is 0.MINOR.
readelf -d "$(dirname "$LIBDIR")/libvmplace.so" | grep -q "SONAME.*libvmplace.so.0.2"
echo "install, pkg-config, find_package, the program and SONAME: ok"

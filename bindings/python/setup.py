"""Build step of the vmplace Python package: finds or builds libvmplace.

The package is pure Python (ctypes), but it needs the C library at run
time.  ``pip install ./bindings/python`` decides, according to
``VMPLACE_BUILD_LIBRARY``:

``auto`` (the default)
    use an installed libvmplace of the right version if the dynamic linker
    finds one (``libvmplace.so.MAJOR.MINOR``); otherwise, when the package
    is built from the vmplace source tree, build the library with CMake and
    put a copy inside the package; otherwise install without a library (it
    must then be installed, or named by ``VMPLACE_LIBRARY``, before
    ``import vmplace``).
``on``
    always build the library from the source tree and ship the copy.
``off``
    never build; rely on an installed library or ``VMPLACE_LIBRARY``.

``VMPLACE_CMAKE_ARGS`` adds CMake options, e.g.
``-DVMPLACE_WITH_LIBVIRT=OFF -DVMPLACE_WITH_FORECAST=OFF`` on a machine
without libvirt or OpenBLAS headers.  The CMake build directory is
``bindings/python/build/libvmplace`` and is reused by later installs.

A wheel with a library inside is marked platform-specific (it holds
machine code); one without is pure Python.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shlex
import shutil
import subprocess
import sys

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
CMAKE_BUILD_DIR = os.path.join(HERE, "build", "libvmplace")


def _library_version():
    """(major, minor) the package is written for, read from _version.py
    without importing the package (importing it loads the library)."""
    with open(os.path.join(HERE, "vmplace", "_version.py")) as f:
        m = re.search(r"LIBRARY_VERSION\s*=\s*\((\d+),\s*(\d+)\)", f.read())
    if not m:
        raise RuntimeError("vmplace/_version.py: LIBRARY_VERSION not found")
    return int(m.group(1)), int(m.group(2))


MAJOR, MINOR = _library_version()
SONAME = f"libvmplace.so.{MAJOR}.{MINOR}"


def _in_source_tree():
    cmake = os.path.join(SOURCE_ROOT, "CMakeLists.txt")
    if not os.path.exists(cmake):
        return False
    with open(cmake) as f:
        return re.search(r"project\(vmplace\b", f.read()) is not None


def _installed_library():
    """The installed library the loader would find, or None."""
    for name in (SONAME, ctypes.util.find_library("vmplace")):
        if not name:
            continue
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return name
    return None


def _decide():
    mode = os.environ.get("VMPLACE_BUILD_LIBRARY", "auto").strip().lower()
    if mode in ("1", "on", "yes", "true", "always"):
        if not _in_source_tree():
            raise SystemExit("vmplace: VMPLACE_BUILD_LIBRARY=on, but this is not "
                             f"the vmplace source tree ({SOURCE_ROOT})")
        return True
    if mode in ("0", "off", "no", "false", "never"):
        return False
    if mode != "auto":
        raise SystemExit(f"vmplace: VMPLACE_BUILD_LIBRARY={mode!r}: expected "
                         "auto, on or off")
    installed = _installed_library()
    if installed:
        print(f"vmplace: using the installed {installed}", file=sys.stderr)
        return False
    if _in_source_tree():
        return True
    print("vmplace: no libvmplace installed and no source tree to build one "
          "from; install libvmplace or set VMPLACE_LIBRARY before importing "
          "vmplace", file=sys.stderr)
    return False


BUILD_LIBRARY = _decide()


def _build_library():
    """Builds libvmplace with CMake; returns the path of the shared library."""
    cmake = shutil.which("cmake")
    if not cmake:
        raise SystemExit(
            "vmplace: building libvmplace needs cmake and the build "
            "dependencies (`make install-deps` in the source tree lists them); "
            "or install libvmplace and set VMPLACE_BUILD_LIBRARY=off")
    configure = [cmake, "-S", SOURCE_ROOT, "-B", CMAKE_BUILD_DIR,
                 "-DCMAKE_BUILD_TYPE=Release", "-DVMPLACE_BUILD_TESTS=OFF",
                 "-DVMPLACE_BUILD_BENCH=OFF"]
    if shutil.which("ninja") and not os.path.exists(
            os.path.join(CMAKE_BUILD_DIR, "CMakeCache.txt")):
        configure += ["-G", "Ninja"]
    configure += shlex.split(os.environ.get("VMPLACE_CMAKE_ARGS", ""))
    # The default target (the libraries and the small CLI): "--target
    # vmplace" would be ambiguous under Ninja, where the CLI's output file
    # is also named vmplace.
    build = [cmake, "--build", CMAKE_BUILD_DIR,
             "--parallel", str(os.cpu_count() or 1)]
    for command in (configure, build):
        print("vmplace:", " ".join(shlex.quote(c) for c in command), file=sys.stderr)
        if subprocess.call(command) != 0:
            raise SystemExit(
                "vmplace: building libvmplace failed (see the CMake output "
                "above).  Missing packages: run `make install-deps` in the "
                "source tree, or pass options in VMPLACE_CMAKE_ARGS (e.g. "
                "-DVMPLACE_WITH_LIBVIRT=OFF); or install libvmplace and set "
                "VMPLACE_BUILD_LIBRARY=off.")
    built = os.path.realpath(os.path.join(CMAKE_BUILD_DIR, "libvmplace.so"))
    if not os.path.exists(built):
        raise SystemExit(f"vmplace: the build did not produce {built}")
    return built


class BuildPyWithLibrary(build_py):
    """build_py, plus a copy of libvmplace inside the package when
    BUILD_LIBRARY says so."""

    def run(self):
        super().run()
        if not BUILD_LIBRARY:
            return
        built = _build_library()
        if getattr(self, "editable_mode", False):
            target = os.path.join(HERE, "vmplace")   # imported from the source
        else:
            target = os.path.join(self.build_lib, "vmplace")
        os.makedirs(target, exist_ok=True)
        shutil.copyfile(built, os.path.join(target, SONAME))


class BinaryDistribution(Distribution):
    """Marks the wheel platform-specific when it carries the library."""

    def has_ext_modules(self):
        return BUILD_LIBRARY


setup(cmdclass={"build_py": BuildPyWithLibrary}, distclass=BinaryDistribution)

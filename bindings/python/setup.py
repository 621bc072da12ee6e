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


def _project_version():
    """(major, minor, patch) of the package and the library: project(VERSION)
    of the source tree's CMakeLists.txt, or, in a source distribution, the
    copy written into vmplace/_release.py.  Read without importing the
    package (importing it loads the library)."""
    cmake = os.path.join(SOURCE_ROOT, "CMakeLists.txt")
    release = os.path.join(HERE, "vmplace", "_release.py")
    for path, pattern in (
            (cmake, r"project\(\s*vmplace\s+VERSION\s+(\d+)\.(\d+)\.(\d+)"),
            (release, r"VERSION\s*=\s*\((\d+),\s*(\d+),\s*(\d+)\)")):
        if os.path.exists(path):
            with open(path) as f:
                m = re.search(pattern, f.read())
            if m:
                return tuple(int(g) for g in m.groups())
    raise RuntimeError("vmplace: no version found (neither the source tree's "
                       "CMakeLists.txt nor vmplace/_release.py)")


VERSION = _project_version()
MAJOR, MINOR = VERSION[0], VERSION[1]
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
        if not getattr(self, "editable_mode", False):
            # The installed package has no CMakeLists.txt to read.
            target = os.path.join(self.build_lib, "vmplace", "_release.py")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w") as f:
                f.write('"""Written by setup.py: the version of the build."""\n'
                        f"VERSION = {VERSION!r}\n")
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


setup(version="%d.%d.%d" % VERSION, cmdclass={"build_py": BuildPyWithLibrary},
      distclass=BinaryDistribution)

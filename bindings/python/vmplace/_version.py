"""The package's version, and the library version it is built against.

The package and libvmplace are released together and share one version:
``project(vmplace VERSION ...)`` in the top CMakeLists.txt, the one place it
is written (CMake generates ``vmplace/version.h`` from it).  Run from the
source tree, this module reads it there; an installed package reads the
copy that ``setup.py`` wrote into ``_release.py`` when it was built.

Before 1.0 every minor release may change the ABI (the shared library's
SONAME is ``libvmplace.so.0.MINOR``), so the loader insists on the same
major and minor version and accepts any patch level.
"""

import re
from pathlib import Path
from typing import Tuple

_PROJECT = re.compile(r"project\(\s*vmplace\s+VERSION\s+(\d+)\.(\d+)\.(\d+)")


def project_version(cmakelists: Path) -> Tuple[int, int, int]:
    """(major, minor, patch) of ``project(vmplace VERSION ...)`` in a
    CMakeLists.txt; ValueError when it has none."""
    m = _PROJECT.search(cmakelists.read_text())
    if not m:
        raise ValueError(f"{cmakelists}: no project(vmplace VERSION x.y.z)")
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def _version() -> Tuple[int, int, int]:
    try:
        from ._release import VERSION  # type: ignore[import-not-found]
        return VERSION
    except ImportError:
        return project_version(Path(__file__).resolve().parents[3] / "CMakeLists.txt")


_V = _version()
__version__ = "%d.%d.%d" % _V

#: (major, minor) of the libvmplace this package declares its functions for.
LIBRARY_VERSION = (_V[0], _V[1])

"""The package's version, and the library version it is built against.

The package and libvmplace are released together: vmplace 0.1.x drives
libvmplace 0.1.x.  Before 1.0 every minor release may change the ABI (the
shared library's SONAME is ``libvmplace.so.0.MINOR``), so the loader insists
on the same major and minor version and accepts any patch level.
"""

__version__ = "0.1.0"

#: (major, minor) of the libvmplace this package declares its functions for.
LIBRARY_VERSION = (0, 1)

"""Exceptions: one class per libvmplace error code.

Every error the C library reports becomes a :class:`VmplaceError` subclass
that also derives from the built-in exception a Python programmer would
catch for that kind of failure: bad input is a :class:`ValueError`, an
unknown name a :class:`KeyError`, exhausted memory a :class:`MemoryError`,
and so on.  The message is the library's detail message (``vmp_last_error``),
which names the file, the field and the problem, e.g.
``dc.json: hosts[3].capacity.cpu: expected a number >= 0, got -2``.

Checks the package makes itself before calling C (a resource that does not
exist, a number out of range) raise the same classes with messages in the
same style, so callers need not care which side noticed.  Wrong argument
*types* raise a plain :class:`TypeError`, as everywhere in Python.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Type

__all__ = [
    "VmplaceError",
    "InvalidArgumentError",
    "OutOfMemoryError",
    "ParseError",
    "InputOutputError",
    "NotFoundError",
    "AlreadyExistsError",
    "RangeError",
    "NotSupportedError",
    "SolverError",
    "VirtError",
    "StateError",
    "ClosedError",
    "CanceledError",
    "InternalError",
    "LibraryError",
    "error_from_code",
]

# The codes of include/vmplace/errors.h.  Their values never change (the
# header promises it), so they can be written down here.
EINVAL = -1
ENOMEM = -2
EPARSE = -3
EIO = -4
ENOTFOUND = -5
EEXIST = -6
ERANGE = -7
ENOTSUP = -8
ESOLVER = -9
EVIRT = -10
ESTATE = -11
ECANCELED = -12
EINTERNAL = -13

# Each code's symbolic name: "VMP_" and the constant's name.
_NAMES: Dict[int, str] = {
    code: "VMP_" + name for name, code in list(globals().items())
    if name.startswith("E") and isinstance(code, int)}


class VmplaceError(Exception):
    """Base class of every error libvmplace reports.

    Attributes:
        code: the negative ``VMP_E*`` code (``None`` only for codes this
            package does not know, which a newer library may add).
        name: the code's symbolic name, e.g. ``"VMP_EINVAL"``.
        message: the detail message, naming the input where there is one.
    """

    #: The code this class stands for and its name; a subclass sets both
    #: with ``class XError(VmplaceError, code=EX)``.
    default_code: Optional[int] = None
    default_name: str = "VMP_UNKNOWN"

    def __init_subclass__(cls, code: Optional[int] = None,
                          **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.default_code = code
            cls.default_name = _NAMES[code]

    def __init__(self, message: str, code: Optional[int] = None,
                 name: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code if code is not None else self.default_code
        self.name = name if name is not None else self.default_name

    def __str__(self) -> str:
        # KeyError would otherwise print the message in quotes.
        return self.message

    def __reduce__(self) -> Tuple[Any, ...]:  # pickling (multiprocessing)
        return (type(self), (self.message, self.code, self.name))


class InvalidArgumentError(VmplaceError, ValueError, code=EINVAL):
    """``VMP_EINVAL``: an argument the call cannot accept."""


class OutOfMemoryError(VmplaceError, MemoryError, code=ENOMEM):
    """``VMP_ENOMEM``: the library ran out of memory."""


class ParseError(VmplaceError, ValueError, code=EPARSE):
    """``VMP_EPARSE``: malformed input (a file, JSON text, a rule)."""


class InputOutputError(VmplaceError, OSError, code=EIO):
    """``VMP_EIO``: a file could not be read or written."""


class NotFoundError(VmplaceError, KeyError, code=ENOTFOUND):
    """``VMP_ENOTFOUND``: no VM, host, resource, solver or parameter of that
    name."""


class AlreadyExistsError(VmplaceError, ValueError, code=EEXIST):
    """``VMP_EEXIST``: the name is already in use."""


class RangeError(VmplaceError, ValueError, code=ERANGE):
    """``VMP_ERANGE``: a number out of its allowed range (negative, NaN,
    infinite, too large)."""


class NotSupportedError(VmplaceError, NotImplementedError, code=ENOTSUP):
    """``VMP_ENOTSUP``: this build of the library lacks the feature."""


class SolverError(VmplaceError, RuntimeError, code=ESOLVER):
    """``VMP_ESOLVER``: a solver backend (GLPK) failed."""


class VirtError(VmplaceError, RuntimeError, code=EVIRT):
    """``VMP_EVIRT``: a libvirt call failed."""


class StateError(VmplaceError, RuntimeError, code=ESTATE):
    """``VMP_ESTATE``: the object is in the wrong state for this call (for
    example, adding a resource after the first host, or changing a problem
    while it is being solved)."""


class ClosedError(StateError):
    """The object was closed (``close()`` or the end of its ``with``
    block); it cannot be used any more."""


class CanceledError(VmplaceError, code=ECANCELED):
    """``VMP_ECANCELED``: the operation was canceled."""


class InternalError(VmplaceError, RuntimeError, code=EINTERNAL):
    """``VMP_EINTERNAL``: a bug in libvmplace (please report it)."""


class LibraryError(ImportError):
    """libvmplace could not be loaded, or it is not the version this package
    was written for.  Raised when ``vmplace`` is imported."""


_BY_CODE: Dict[int, Type[VmplaceError]] = {
    cls.default_code: cls
    for cls in (InvalidArgumentError, OutOfMemoryError, ParseError,
                InputOutputError, NotFoundError, AlreadyExistsError,
                RangeError, NotSupportedError, SolverError, VirtError,
                StateError, CanceledError, InternalError)
    if cls.default_code is not None
}


def error_from_code(code: int, message: str,
                    name: Optional[str] = None) -> VmplaceError:
    """The exception for a negative ``VMP_E*`` code.

    Args:
        code: the code a C call returned.
        message: the detail message.
        name: the code's symbolic name when known (``vmp_err_name``).

    Returns:
        An instance of the matching subclass, or of :class:`VmplaceError`
        itself for a code this package does not know.
    """
    cls = _BY_CODE.get(code, VmplaceError)
    return cls(message, code, name)

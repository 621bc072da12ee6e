"""Ownership of C objects: freed exactly once, never while in use.

Every Python object that owns a C object (a problem, a solution) derives
from :class:`Owned`.  It is freed by ``close()``, at the end of a ``with``
block, or when it is garbage collected, whichever comes first.  Calls take
the pointer through :meth:`Owned._use` (readers: any number at once) or
:meth:`Owned._modify` (one writer, no readers), so that:

- using an object after ``close()`` raises :class:`ClosedError` instead of
  passing a freed pointer to C;
- ``close()`` during a call that uses the object (from a progress callback,
  or from another thread while the GIL is released in C) only marks it
  closed; the last user frees it;
- a modification while the object is being read (say, adding a VM to a
  problem from the progress callback of its own solve) raises
  :class:`StateError` instead of changing memory the solver is reading;
- an object that reads another for as long as it lives (a placer reads its
  problem) holds it with :meth:`Owned._hold`: the held object refuses
  changes until :meth:`Owned._unhold`, and ``close()`` on it leaves the
  freeing to that last :meth:`Owned._unhold`.
"""

from __future__ import annotations

import threading
from ctypes import byref, c_void_p
from typing import Any, Callable, Iterator, List, TypeVar
from contextlib import contextmanager

from ._lib import StrPath, error, take_string, to_path
from .errors import ClosedError, StateError

_T = TypeVar("_T", bound="Owned")


class Owned:
    """Base class of the objects that own a C pointer."""

    _kind = "object"

    def __init__(self, ptr: Any, free: Callable[[Any], None]) -> None:
        self._ptr = ptr
        # The free function is kept on the instance so that finalisation at
        # interpreter shutdown does not depend on module globals that may
        # already be gone.
        self._free = free
        self._lock = threading.Lock()
        self._users = 0
        self._closed = False
        # kinds of the objects that hold this one (for the refusal message)
        self._holders: List[str] = []

    @classmethod
    def _adopt(cls: "type[_T]", ptr: Any, free: Callable[[Any], None]) -> _T:
        """A new instance owning ptr, made without the public constructor
        (which, for objects only the library makes, refuses)."""
        obj = cls.__new__(cls)
        Owned.__init__(obj, ptr, free)
        return obj

    # -- life cycle ----------------------------------------------------

    def close(self) -> None:
        """Frees the C object.  Idempotent; any later use raises
        :class:`~vmplace.errors.ClosedError`.  When a call is using the object
        at that moment (another thread, or a callback of that call), the
        object is freed when that call returns."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._users:
                return
            ptr, self._ptr = self._ptr, None
        self._free(ptr)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def __enter__(self: _T) -> _T:
        self._check_open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        # Tolerant of partly constructed objects and of interpreter shutdown.
        try:
            self.close()
        except Exception:
            pass

    # -- access --------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise ClosedError(f"this {self._kind} is closed")

    def _acquire(self) -> Any:
        with self._lock:
            if self._closed:
                raise ClosedError(f"this {self._kind} is closed")
            self._users += 1
            return self._ptr

    def _release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users or not self._closed or self._ptr is None:
                return
            ptr, self._ptr = self._ptr, None
        self._free(ptr)

    @contextmanager
    def _use(self) -> Iterator[Any]:
        """The pointer, for calls that only read the object."""
        ptr = self._acquire()
        try:
            yield ptr
        finally:
            self._release()

    @contextmanager
    def _modify(self) -> Iterator[Any]:
        """The pointer, for calls that change the object.  Holds the lock,
        so readers wait; refuses to run while a reader is inside C."""
        with self._lock:
            if self._closed:
                raise ClosedError(f"this {self._kind} is closed")
            if self._holders:
                raise StateError(
                    f"this {self._kind} is in use by an open "
                    f"{self._holders[0]} and cannot be changed until the "
                    f"{self._holders[0]} is closed")
            if self._users:
                raise StateError(
                    f"this {self._kind} is in use (being solved, explained or "
                    "read on another thread) and cannot be changed now")
            self._on_modify()
            yield self._ptr

    def _hold(self, holder: str) -> Any:
        """The pointer, for an object that reads this one until it is
        closed itself (``holder`` names its kind, e.g. ``"placer"``).  A use
        that lasts until :meth:`_unhold`: changes are refused meanwhile,
        and ``close()`` leaves the freeing to the last user."""
        with self._lock:
            if self._closed:
                raise ClosedError(f"this {self._kind} is closed")
            self._users += 1
            self._holders.append(holder)
            return self._ptr

    def _unhold(self, holder: str) -> None:
        """Ends a :meth:`_hold`; frees the object if it was closed
        meanwhile and nothing else uses it."""
        with self._lock:
            self._holders.remove(holder)
        self._release()

    def _on_modify(self) -> None:
        """Hook: called (under the lock) before every modification."""

    # -- output shared by the subclasses ----------------------------------

    def _text(self, fn: Callable[[Any, Any], int]) -> str:
        """The string ``fn(ptr, char **out)`` makes of this object (e.g.
        ``vmp_plan_to_json``), copied and freed; raises on a negative code."""
        out = c_void_p()
        with self._use() as ptr:
            rc = fn(ptr, byref(out))
            if rc < 0:
                raise error(rc)
        return take_string(out)

    def _write(self, fn: Callable[[Any, bytes], int], path: StrPath) -> None:
        """Writes this object to path with ``fn(ptr, path)`` (e.g.
        ``vmp_plan_write``); raises on a negative code."""
        data = to_path(path)
        with self._use() as ptr:
            rc = fn(ptr, data)
            if rc < 0:
                raise error(rc)

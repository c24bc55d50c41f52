"""How a batch crosses from a worker process to the main process, and how an exception does.

A batch (any picklable object: Tensors, arrays, tuples, dicts ...) is pickled with protocol
5, its arrays *out of band*: the pickle holds only their dtypes and shapes, and their bytes
travel separately, never copied into the pickle:

* arrays of at least :data:`SHARE_BYTES` (16 MiB) are written once into one block of
  shared memory, an anonymous ``memfd`` whose file descriptor is passed over the worker's
  socket; the main process maps it and its arrays are built on the mapping, with no copy.
  Nothing has a name, so nothing is left behind if either process dies: the memory is
  freed when the last array using it is. (Linux; elsewhere every array takes the socket.)
* smaller arrays go through the socket, received into fresh writable arrays.

Measured CPU time per array, worker + main process (benchmarks/NOTES.md): 8 MB through the
socket 1.1 + 1.7 ms, shared 4.2 + 1.4 ms; 38.5 MB (a batch of 64 images of 3 x 224 x 224
float32) through the socket 6.2 + 38.7 ms, shared 15.6 + 5.9 ms.

One message on the connection is: the header (a tag -- the loader's task number -- and the
layout of the buffers), the pickle, each socket buffer, then the descriptor of the shared
block if there is one. The tag is read even when the object cannot be rebuilt, so the
receiver knows which task failed (:class:`RecvError`).

:class:`ExceptionWrapper` carries an exception raised in a worker, with its traceback as
text, and re-raises it in the main process as torch does ("Caught ValueError in
DataLoader worker process 1. Original Traceback (most recent call last): ...").
"""
from __future__ import annotations

import io
import mmap
import os
import pickle
import sys
import traceback
from multiprocessing import reduction
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:       # imported by the workers' code only: ``import nnlite`` stays light
    from multiprocessing.connection import Connection

__all__ = ["ExceptionWrapper", "RecvError", "pack", "send", "recv", "SHARE_BYTES"]

SHARE_BYTES = 16 << 20
"""Arrays of this many bytes or more cross through shared memory (when the OS has memfd):
below it the socket costs less CPU on both sides, above it the main process saves most."""

_CAN_SHARE = hasattr(os, "memfd_create") and hasattr(reduction, "send_handle")
_ALIGN = 64                      # each array in the shared block starts on a cache line
_POPULATE = getattr(mmap, "MAP_POPULATE", 0)     # map every page at once (Linux)


# ============================================================================
# Batches
# ============================================================================
def _dumps(obj: Any, buffers: list) -> memoryview:
    """Protocol-5 pickle of ``obj``; its out-of-band buffers are appended to ``buffers``."""
    f = io.BytesIO()
    pickle.Pickler(f, 5, buffer_callback=buffers.append).dump(obj)
    return f.getbuffer()


class Packed:
    """An object ready to send: its pickle and its buffers, the large ones already in a
    shared block (see :func:`pack`)."""

    def __init__(self, tag: Any, payload: memoryview, raws: list, layout: list,
                 shared_size: int, fd: int | None) -> None:
        self.tag, self.payload, self.raws, self.layout = tag, payload, raws, layout
        self.shared_size, self.fd = shared_size, fd

    def send(self, conn: "Connection") -> None:
        """Write the message to ``conn`` (once); the shared block's descriptor is closed."""
        try:
            conn.send_bytes(pickle.dumps((self.tag, self.layout, self.shared_size)))
            conn.send_bytes(self.payload)
            for raw, where in zip(self.raws, self.layout):
                if where[0] == "pipe":
                    conn.send_bytes(raw)
            if self.fd is not None:
                reduction.send_handle(conn, self.fd, None)
        finally:
            self.close()

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def pack(obj: Any, tag: Any = None) -> Packed:
    """Pickle ``obj`` with its arrays out of band and copy the large ones into a shared
    block; ``tag`` (small, picklable) travels in the header. Raises whatever pickling
    ``obj`` raises; nothing has been sent yet."""
    buffers: list[pickle.PickleBuffer] = []
    payload = _dumps(obj, buffers)
    raws = [b.raw() for b in buffers]
    layout, shared_size = [], 0     # per buffer: ("pipe", nbytes) or ("shared", offset, nbytes)
    for raw in raws:
        if _CAN_SHARE and raw.nbytes >= SHARE_BYTES:
            shared_size = -(-shared_size // _ALIGN) * _ALIGN
            layout.append(("shared", shared_size, raw.nbytes))
            shared_size += raw.nbytes
        else:
            layout.append(("pipe", raw.nbytes))
    fd = _shared_block(raws, layout, shared_size) if shared_size else None
    return Packed(tag, payload, raws, layout, shared_size, fd)


def send(conn: "Connection", obj: Any, tag: Any = None) -> None:
    """Send ``obj`` (and ``tag``) to the process at the other end of ``conn``
    (:func:`pack`, then ``Packed.send``)."""
    pack(obj, tag).send(conn)


def _shared_block(raws: list[memoryview], layout: list[tuple], size: int) -> int:
    """A memfd of ``size`` bytes holding the buffers placed in it; returns its descriptor.
    Written with ``pwrite`` (half the CPU time of copying through a mapping, whose every
    first touch of a page faults)."""
    fd = os.memfd_create("nnlite-batch", os.MFD_CLOEXEC)
    try:
        os.ftruncate(fd, size)
        for raw, where in zip(raws, layout):
            if where[0] == "shared":
                done, offset = 0, where[1]
                while done < raw.nbytes:
                    done += os.pwrite(fd, raw[done:], offset + done)
    except BaseException:
        os.close(fd)
        raise
    return fd


class RecvError(Exception):
    """A message was received whole but its object could not be rebuilt here; ``tag`` is
    the message's tag and ``__cause__`` the unpickling error."""

    def __init__(self, tag: Any) -> None:
        super().__init__(f"could not unpickle the object of message {tag!r}")
        self.tag = tag


def recv(conn: "Connection") -> tuple[Any, Any]:
    """Receive one message sent by :func:`send`: ``(tag, obj)``. Raises ``EOFError`` (or
    ``OSError``) if the sender is gone, and :class:`RecvError` if the object cannot be
    unpickled here (the whole message has been read: the connection stays usable)."""
    tag, layout, shared_size = pickle.loads(conn.recv_bytes())
    payload = conn.recv_bytes()
    buffers: list[Any] = []
    for where in layout:
        if where[0] == "pipe":
            buf = np.empty(where[1], np.uint8)          # writable, aligned
            if where[1]:
                conn.recv_bytes_into(buf)
            else:
                conn.recv_bytes()
            buffers.append(buf)
        else:
            buffers.append(None)
    if shared_size:
        fd = reduction.recv_handle(conn)
        try:
            block = np.frombuffer(mmap.mmap(fd, shared_size,
                                            flags=mmap.MAP_SHARED | _POPULATE), np.uint8)
        finally:
            os.close(fd)
        buffers = [block[w[1]:w[1] + w[2]] if w[0] == "shared" else b
                   for b, w in zip(buffers, layout)]
    try:
        return tag, pickle.loads(payload, buffers=buffers)
    except Exception as e:
        raise RecvError(tag) from e


# ============================================================================
# Exceptions
# ============================================================================
class KeyErrorMessage(str):
    """A str that is its own repr: ``KeyError(msg)`` then prints the traceback readably."""

    __slots__ = ()

    def __repr__(self) -> str:
        return self


def _picklable(cls: type) -> bool:
    try:
        pickle.loads(pickle.dumps(cls))
    except Exception:
        return False
    return True


class ExceptionWrapper:
    """An exception caught in a worker, to re-raise in the main process (torch's
    ``ExceptionWrapper``).

    Args:
        exc_info (tuple, optional): ``sys.exc_info()`` of the exception. Default: the one
            being handled.
        where (str): the place, as "in DataLoader worker process 1". Default:
            "in background".

    The traceback is kept as text (a traceback object cannot be pickled). An exception
    class that cannot be pickled (defined in a function, say) travels as its name and is
    re-raised as a ``RuntimeError``.
    """

    def __init__(self, exc_info: tuple | None = None, where: str = "in background") -> None:
        if exc_info is None:
            exc_info = sys.exc_info()
        self.type_name = exc_info[0].__name__
        self.exc_type = exc_info[0] if _picklable(exc_info[0]) else None
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self) -> None:
        """Raise the exception here: its type if it can be built from one message, else a
        ``RuntimeError``; the message names the worker and holds the original traceback."""
        msg = f"Caught {self.type_name} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is None:
            raise RuntimeError(msg)
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            del exception     # no frame <-> traceback cycle keeping the loader's iterator

"""Write a file all at once or not at all: a temporary file beside it, then a rename."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from planner.errors import UserDataError

DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def user_file_mode() -> int:
    """The mode a new file gets from the user's umask (mkstemp's temporary files are 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(target: Path, data: bytes) -> Path:
    """Write `data` to `target`; on any failure raise `UserDataError` and leave no partial file.

    A symlink is written through (its target is replaced, the link stays); a pipe or a device
    (`/dev/stdout`, a FIFO) is written to directly, never replaced by a file."""
    target = Path(target)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    if _is_special(target):
        return _write_special(target, data)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise UserDataError(f"cannot write {target}: it is a folder. Give a file name such as {target / 'sheet.pdf'}.")
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except FileNotFoundError as exc:
        raise UserDataError(
            f"cannot write {target}: the folder {folder} does not exist. Create it first or choose another folder."
        ) from exc
    except OSError as exc:
        raise UserDataError(
            f"cannot write to the folder {folder} ({exc.strerror}). Choose a folder you can write to."
        ) from exc
    temp = Path(temp_name)
    try:
        os.fchmod(fd, user_file_mode())
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise _write_error(target, exc) from exc
    return target


def _is_special(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode)


def _write_special(target: Path, data: bytes) -> Path:
    """Write straight into a pipe or device; a FIFO nobody reads is an error, not a hang."""
    try:
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise UserDataError(f"cannot write {target}: no program is reading from that pipe.") from exc
        raise _write_error(target, exc) from exc
    try:
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise _write_error(target, exc) from exc
    finally:
        os.close(fd)
    return target


def _write_error(target: Path, exc: OSError) -> UserDataError:
    if exc.errno in DISK_FULL:
        return UserDataError(f"cannot write {target}: the disk is full. Free some space or choose another drive.")
    if isinstance(exc, PermissionError):
        return UserDataError(
            f"cannot replace {target}: it is read-only or open in another program (a PDF viewer?). "
            "Close it there and export again, or choose another file name."
        )
    return UserDataError(f"cannot write {target} ({exc.strerror or exc}). Choose another folder or file name.")

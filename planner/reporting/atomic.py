"""Write a file all at once or not at all: a temporary file beside it, then a rename."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from planner.errors import UserDataError

DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def write_atomically(target: Path, data: bytes) -> Path:
    """Write `data` to `target`; on any failure raise `UserDataError` and leave no partial file."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise UserDataError(f"cannot write {target}: it is a folder. Give a file name such as {target / 'sheet.pdf'}.")
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except FileNotFoundError as exc:
        raise UserDataError(f"cannot write {target}: the folder {folder} does not exist. Create it first or choose another folder.") from exc
    except OSError as exc:
        raise UserDataError(
            f"cannot write to the folder {folder} ({exc.strerror}). Choose a folder you can write to."
        ) from exc
    temp = Path(temp_name)
    try:
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


def _write_error(target: Path, exc: OSError) -> UserDataError:
    if exc.errno in DISK_FULL:
        return UserDataError(f"cannot write {target}: the disk is full. Free some space or choose another drive.")
    if isinstance(exc, PermissionError):
        return UserDataError(
            f"cannot replace {target}: it is read-only or open in another program (a PDF viewer?). "
            "Close it there and export again, or choose another file name."
        )
    return UserDataError(f"cannot write {target} ({exc.strerror or exc}). Choose another folder or file name.")

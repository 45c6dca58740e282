"""Writing outputs safely: whole lines, atomic files, one run per folder, never over an input.

A full disk (or any other write error) is one :class:`ConfigError` naming the file; a line
that could not be written whole is taken back, so a log never ends mid-JSON, and a temporary
file is removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from mirrorbot.errors import ConfigError

RUN_FILES = ("session.jsonl", "video.mp4", "summary.json", "summary.png")
"""The files a run writes into its ``--out`` folder (``--overwrite`` removes these only)."""
LOCK_NAME = ".mirrorbot.lock"


def write_failed(path: Path, exc: OSError) -> ConfigError:
    """The one-line error for a failed write of ``path``."""
    if exc.errno == errno.ENOSPC:
        return ConfigError(f"disk full writing {path}; free space or use --out elsewhere")
    reason = exc.strerror or str(exc)
    return ConfigError(f"cannot write {path} ({reason}); pass a writable --out elsewhere")


def _open(path: Path) -> BinaryIO:
    """The file to write, unbuffered: what ``write`` is given is on disk when it returns."""
    return path.open("wb", buffering=0)


class LineFile:
    """A text file written one whole line at a time.

    Args:
        path: The file to create (replaced if it exists; its folder must exist).

    Raises:
        ConfigError: The file cannot be created.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size_bytes = 0
        try:
            self._file: BinaryIO | None = _open(path)
        except OSError as exc:
            raise write_failed(path, exc) from None

    def write_line(self, text: str) -> None:
        """Append ``text`` and a newline; on a failed write the file ends at the previous line.

        Raises:
            ConfigError: The disk is full or the file cannot be written.
        """
        if self._file is None:
            raise ConfigError(f"{self.path} is already closed")
        data = memoryview((text + "\n").encode("utf-8"))
        try:
            while data:
                written = self._file.write(data)
                data = data[written or 0:]
        except OSError as exc:
            with contextlib.suppress(OSError):
                self._file.truncate(self.size_bytes)
            self.close()
            raise write_failed(self.path, exc) from None
        self.size_bytes += len(text.encode("utf-8")) + 1

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._file is not None:
            file, self._file = self._file, None
            with contextlib.suppress(OSError):
                file.close()


def write_atomic(path: Path, text: str) -> None:
    """Write ``path`` through a temporary file: a failure leaves no half file and no temp file.

    Raises:
        ConfigError: The disk is full or the folder cannot be written.
    """
    tmp = path.with_name(path.name + ".tmp")
    data = memoryview(text.encode("utf-8"))
    try:
        file = _open(tmp)
        try:
            while data:
                data = data[file.write(data) or 0:]
        finally:
            file.close()
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise write_failed(path, exc) from None


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (the same path, or links to one file)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python before 3.13)
        return False


def refuse_input_as_output(out: Path, inputs: Iterable[Path], option: str = "--out") -> None:
    """Refuse to write ``out`` when it is one of ``inputs`` (it would destroy the input).

    Raises:
        ConfigError: ``out`` is an input.
    """
    for source in inputs:
        if same_file(out, source):
            raise ConfigError(f"{option} {out} is also the input {source}; writing it would "
                              f"destroy the input, so give {option} another name")


@contextlib.contextmanager
def claimed_folder(out: Path, *, overwrite: bool, inputs: Iterable[Path] = ()) -> Iterator[None]:
    """Hold ``out`` for one run: created, locked, cleared of an earlier run's files.

    Args:
        out: The run's ``--out`` folder.
        overwrite: Remove an earlier run's files (else such a folder is refused).
        inputs: The run's input files, which must not be among its outputs.

    A folder it created and left empty (a run stopped during start-up, before its first frame)
    is removed again.

    Raises:
        ConfigError: ``out`` is not a writable folder, another run holds it, it holds an
            earlier run and ``overwrite`` is off, or an input is one of its outputs.
    """
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file; pass a folder for the run's outputs")
    created = not out.exists()
    for name in RUN_FILES:
        refuse_input_as_output(out / name, inputs)
    try:
        out.mkdir(parents=True, exist_ok=True)
        lock = (out / LOCK_NAME).open("a+b")
    except OSError as exc:
        raise ConfigError(f"cannot create output folder {out} ({exc.strerror}); "
                          "pass a writable --out DIR") from None
    _lock(lock, out)
    try:
        earlier = [name for name in (*RUN_FILES, "summary.json.tmp") if (out / name).exists()]
        if earlier and not overwrite:
            raise ConfigError(f"--out {out} holds an earlier run ({', '.join(earlier)}); pass "
                              "--overwrite to replace it, or another --out")
        for name in earlier:
            try:
                (out / name).unlink()
            except OSError as exc:
                raise ConfigError(f"cannot remove the earlier {out / name} ({exc.strerror}); "
                                  "remove it yourself or pass another --out") from None
        yield
    finally:
        with contextlib.suppress(OSError):
            (out / LOCK_NAME).unlink()
        lock.close()  # closing releases the lock
        if created:
            with contextlib.suppress(OSError):
                out.rmdir()  # only if empty: nothing was written


def _lock(lock: BinaryIO, out: Path) -> None:
    """Take ``lock`` without waiting (POSIX; elsewhere runs are not locked)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows has no fcntl
        return
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise ConfigError(f"another mirrorbot run is writing to {out} (it holds "
                          f"{out / LOCK_NAME}); wait for it to end, or pass another --out") \
            from None

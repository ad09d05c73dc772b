"""Writing files so that a failure never destroys the previous one, and reading archives.

Every file the library writes (model files, study records, the command line's
JSON and figures) goes through :func:`atomic_open`: the content is written to a
temporary file in the target's folder, flushed to disk, and only then renamed
over the target (``os.replace``, atomic on POSIX and Windows). A save that
fails or is killed leaves the previous file untouched; a killed one may leave
its temporary file (``.<name>.<random>.tmp``) behind, which is safe to delete.

:func:`read_npz` reads a ``.npz`` archive without pickles and turns every way
in which a file can be damaged (not a zip, truncated, corrupt members, object
arrays, declared sizes larger than the data) into one ``ValueError`` that names
the file.
"""

import contextlib
import json
import math
import os
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

__all__ = ["atomic_open", "atomic_write_text", "atomic_write_json", "save_figure",
           "check_target", "read_npz"]

_WRITE_MODES = ("w", "wt", "wb")


def _umask():
    """The process's umask: from /proc where it can be read, else set and restored once."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()     # what a new file's permissions are masked with (read once)


def check_target(path, what="file"):
    """Raise unless ``path`` can be written as a file: not a folder, its folder exists.

    Parameters
    ----------
    path : str or PathLike
        The file to write.
    what : str, default="file"
        What the file is, for the message.

    Returns
    -------
    Path
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"Cannot write the {what} to '{path}': it is a folder. Give a file "
                         f"name inside it, e.g. '{path / 'name'}'.")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"Cannot write the {what} to '{path}': the folder "
                                f"'{path.parent}' does not exist.")
    return path


@contextlib.contextmanager
def atomic_open(path, mode="w", *, what="file", **kwargs):
    """Open a temporary file that replaces ``path`` only once it is completely written.

    Parameters
    ----------
    path : str or PathLike
        The target file; it keeps its old content until the ``with`` block
        ends without an exception.
    mode : {"w", "wt", "wb"}, default="w"
        Text or binary writing.
    what : str, default="file"
        What the file is, for error messages.
    **kwargs
        Passed to :func:`tempfile.NamedTemporaryFile` (``encoding``, ``newline``).

    Yields
    ------
    file object
        The temporary file. On success it is flushed, fsynced and renamed over
        ``path`` (with the permissions of the previous file, or those a new
        file gets); on any exception, including ``KeyboardInterrupt``, it is
        removed and ``path`` is left as it was.

    Raises
    ------
    ValueError
        If ``path`` is a folder or ``mode`` is not a writing mode.
    FileNotFoundError
        If the folder of ``path`` does not exist.
    """
    if mode not in _WRITE_MODES:
        raise ValueError(f"atomic_open writes whole files; 'mode' must be one of "
                         f"{_WRITE_MODES}, got {mode!r}.")
    path = check_target(path, what)
    if "b" not in mode:
        kwargs.setdefault("encoding", "utf-8")
    handle = tempfile.NamedTemporaryFile(mode, dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp", delete=False, **kwargs)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, _mode_for(path))
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise
    _fsync_folder(path.parent)


def atomic_write_text(path, text, *, what="file"):
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`atomic_open`)."""
    with atomic_open(path, "w", what=what) as handle:
        handle.write(text)


def atomic_write_json(path, value, *, what="JSON file", **dump_kwargs):
    """Write ``value`` as JSON to ``path`` atomically (``json.dumps`` keywords pass on).

    The text is made before the file is touched, so a value that is not JSON
    serialisable leaves no trace.
    """
    atomic_write_text(path, json.dumps(value, **dump_kwargs), what=what)


def save_figure(figure, path, **kwargs):
    """``figure.savefig(path, **kwargs)``, atomically (the format follows the suffix)."""
    path = Path(path)
    kwargs.setdefault("format", path.suffix.lstrip(".") or None)
    with atomic_open(path, "wb", what="figure") as handle:
        figure.savefig(handle, **kwargs)


def _mode_for(path):
    """Permissions of the file that replaces ``path``: its own, or a new file's."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_UMASK


def _fsync_folder(folder):
    """Make the rename durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------- reading
#: What a damaged archive raises inside zipfile and numpy.
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError,
                   struct.error, zlib.error, NotImplementedError, RuntimeError, MemoryError)


def read_npz(path, what="file"):
    """Every array of a ``.npz`` archive, read without pickles and checked for damage.

    Parameters
    ----------
    path : str, PathLike or binary file object
        The archive.
    what : str, default="file"
        What the file should be, for the messages (e.g. "model file written by
        Reservoir.save").

    Returns
    -------
    dict of str to ndarray
        Entry name (without ``.npy``) -> array.

    Raises
    ------
    ValueError
        Naming the file, if it is not a readable ``.npz`` archive: not a zip,
        truncated, a corrupt or duplicated member, an object array, or a member
        that declares more data than it holds.
    FileNotFoundError
        If there is no such file.
    """
    name = _name_of(path)
    if not hasattr(path, "read"):
        path = Path(path)
        if path.is_dir():
            raise ValueError(f"Cannot read '{name}' as a {what}: it is a folder.")
        if not path.exists():
            raise FileNotFoundError(f"No {what} '{name}'.")
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_members(archive, _archive_size(path))
    except _ARCHIVE_ERRORS as err:
        raise ValueError(f"The file '{name}' is not a readable {what}: it is not a complete "
                         f".npz archive ({type(err).__name__}: {err}). Was it truncated "
                         "or overwritten? Restore it or write it again.") from None


def _name_of(path):
    return os.fspath(path) if not hasattr(path, "read") else getattr(path, "name", repr(path))


def _archive_size(path):
    if hasattr(path, "read"):
        return math.inf
    return os.path.getsize(path)


def _read_members(archive, archive_size):
    arrays = {}
    for info in archive.infolist():
        key = info.filename.removesuffix(".npy")
        if key in arrays or key == info.filename:
            raise ValueError(f"member '{info.filename}' is "
                             + ("duplicated" if key in arrays else "not an .npy array"))
        if info.compress_type == zipfile.ZIP_STORED and info.file_size > archive_size:
            raise ValueError(f"member '{info.filename}' declares {info.file_size} bytes, "
                             f"more than the whole file ({archive_size})")
        with archive.open(info) as member:
            _check_header(member, info)
        with archive.open(info) as member:
            arrays[key] = np.lib.format.read_array(member, allow_pickle=False)
    return arrays


def _check_header(member, info):
    """The .npy header of one member: no objects, no more data than the member holds."""
    version = np.lib.format.read_magic(member)
    read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}.get(version)
    if read_header is None:
        raise ValueError(f"member '{info.filename}' has .npy format {version}")
    shape, _, dtype = read_header(member)
    if dtype.hasobject:
        raise ValueError(f"member '{info.filename}' holds Python objects (pickles), "
                         "which are never loaded")
    if math.prod(shape) * dtype.itemsize > info.file_size:
        raise ValueError(f"member '{info.filename}' declares shape {shape} of {dtype}, "
                         f"more than its {info.file_size} bytes")

"""Writing a file the user keeps (a plan, a report, an imported catalog, a schema, a package) in
one step: the old content stays whole until the new one is entirely on disk.

Writing in place truncates first: a full disk or a kill midway left a saved plan empty or cut.
Here the content goes to a temporary file in the same folder (same file system, so the rename
is atomic), is flushed to disk, then renamed over the target.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

# what a plain open() would give a new file: 0666 less the process's umask (read once)
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def replace_file(path: str | Path, content: str | bytes) -> None:
    """Write `content` (text as UTF-8) to `path` atomically; OSError leaves `path` as it was."""
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _mode_of(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(path.parent)


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777  # a file replaced keeps its permissions
    except OSError:
        return 0o666 & ~_UMASK


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system allows it)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

"""A cold parse cache filled on every core before the load reads it back.

What an offers file resolves to depends on that file and catalog.yaml alone: the rest (skus
declared by two files, look-alikes, the feeds' values) is settled when the entries are read back
together. So on a cold load the files the cache lacks are parsed in forked processes, each
writing its own entry; the load then goes on exactly as a warm one. A file with an error gets no
entry and is parsed again by the load itself, which locates its messages.

Only where a fork is safe and pays: on Linux, in a process running no other thread (a thread
holding a lock at the fork would leave it held in the child), with two files or more and enough
bytes to parse.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from reconciler.catalog.cache import ParseCache

MIN_BYTES = 4 << 20  # below this, forking costs more than a second core saves

Parse = Callable[[Path, bytes], "dict[str, Any] | None"]  # a file's entry, None: an error
_job: tuple[list[tuple[Path, bytes, str]], Parse, ParseCache] | None = None  # for the children


def fill_in_parallel(
    paths: list[Path], parse: Parse, cache: ParseCache
) -> dict[Path, tuple[bytes, str]]:
    """Parse the files `cache` has no entry for in parallel, writing their entries. Returns
    each file read on the way with its entry's name, so the load does not read it again."""
    if _workers() < 2 or not cache.enabled or cache.folder is None:
        return {}
    read: dict[Path, tuple[bytes, str]] = {}
    for path in paths:
        try:
            content = path.read_bytes()
        except OSError:
            continue  # the load says so, located
        read[path] = (content, cache.name_of(content))
    todo = [(p, c, n) for p, (c, n) in read.items() if not (cache.folder / n).exists()]
    if len(todo) < 2 or sum(len(content) for _, content, _ in todo) < MIN_BYTES:
        return read
    global _job
    _job = (todo, parse, cache)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(min(_workers(), len(todo)), mp_context=context) as pool:
            list(pool.map(_fill, range(len(todo))))
    except (OSError, RuntimeError):
        pass  # no process to be had: the load parses them itself
    finally:
        _job = None
    return read


def _workers() -> int:
    if sys.platform != "linux" or threading.active_count() > 1:
        return 1
    return len(os.sched_getaffinity(0))


def _fill(index: int) -> None:
    assert _job is not None
    todo, parse, cache = _job
    path, content, name = todo[index]
    try:
        entry = parse(path, content)
    except Exception:  # noqa: BLE001 - whatever it is, the load meets it again and says it
        return
    if entry is not None:
        cache.put(name, entry)

"""Compiled regular expressions read back from disk, as Python reads compiled bytecode from ``.pyc`` files.

Why: Python's ``re`` parses and compiles every pattern again in each process (its cache lives in memory only), and
musicbot's text rules are many long alternations (moves, numbers, coverage styles, follow-up words, intents). A
one-shot ``musicbot ask`` compiled ~250 patterns for a slash command and ~320 for free text — measured on this
2-core machine, ~70 ms and ~200 ms of CPU (≈ 0.5× and 1.4× a bare ``python -c "import numpy, sqlite3"``).

How: :func:`install` wraps ``re._compiler.compile`` (what ``re.compile`` calls when its in-memory cache misses).
A pattern compiled in an earlier run is rebuilt from its stored program with ``_sre.compile`` — the same call, with
the same arguments, that ``re._compiler.compile`` ends with — so the ``re.Pattern`` is equal to the one ``re.compile``
makes (``Pattern.__eq__`` compares the pattern text, flags and program; tested for every stored pattern). A new
pattern is parsed and compiled exactly as ``re._compiler.compile`` does and its program recorded; at exit the
records are written for the next run (:func:`save`, registered by :func:`install`).

Correctness: the file name digests the Python version, ``_sre.MAGIC`` / ``CODESIZE`` (the regex engine's program
format) and this module's source, so another Python or engine is a miss, never a wrong program. Entries are keyed by
the exact pattern text and flags. Format: a JSON header (patterns, flags, groups) and the programs as one array of
unsigned 32-bit integers (no pickle, no marshal). A torn or foreign file is a miss (logged), never an error. At most
:data:`MAX_ENTRIES` patterns are kept (patterns built at run time from catalog text would otherwise pile up).

Folder: :func:`core.disk_memo.cache_root` ``/memo`` (``MUSICBOT_CACHE=0``: off — then :func:`install` does nothing).
Only the console script installs it (``bot/entry.py``); imports nothing but the standard library and
:mod:`core.disk_memo`.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import sys
from array import array
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Patterns kept in the file at most; a run that would go past it records nothing more.
MAX_ENTRIES = 2000
#: Longer patterns are compiled as usual and not recorded.
MAX_PATTERN_CHARS = 100_000

_state: dict[str, Any] = {}


def _key() -> str:
    import _sre

    digest = hashlib.sha1(f"{sys.version}|{_sre.MAGIC}|{_sre.CODESIZE}|{sys.maxunicode}".encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def _file() -> Path | None:
    from core.disk_memo import _path

    return _path("regex", _key(), ".bin")


def _read(path: Path) -> dict[tuple[str, int], tuple[Any, ...]]:
    """``{(pattern, flags): (final flags, groups, groupindex, indexgroup, program)}`` from ``path`` ({} when missing
    or unreadable)."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    try:
        size = int.from_bytes(data[:8], "little")
        header = json.loads(data[8 : 8 + size].decode("utf-8"))
        codes = array("I")
        codes.frombytes(data[8 + size :])
        out: dict[tuple[str, int], tuple[Any, ...]] = {}
        for pattern, flags, final, groups, groupindex, indexgroup, start, length in header:
            if start + length > len(codes):
                raise ValueError("truncated program array")
            out[(pattern, flags)] = (final, groups, groupindex, tuple(indexgroup), (codes, start, length))
        return out
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        log.warning("ignoring unreadable compiled-regex cache %s (%s)", path, exc)
        return {}


def _encode(entries: dict[tuple[str, int], tuple[Any, ...]]) -> bytes:
    header = []
    codes = array("I")
    for (pattern, flags), (final, groups, groupindex, indexgroup, program) in entries.items():
        code = _program(program)
        header.append([pattern, flags, final, groups, groupindex, list(indexgroup), len(codes), len(code)])
        codes.extend(code)
    head = json.dumps(header, ensure_ascii=False).encode("utf-8")
    return len(head).to_bytes(8, "little") + head + codes.tobytes()


def _program(program: Any) -> list[int]:
    """The program as a list of ints (stored ones are ``(array, start, length)``)."""
    if isinstance(program, tuple):
        codes, start, length = program
        return codes[start : start + length].tolist()
    return program


def compile_pattern(p: Any, flags: int = 0) -> Any:
    """``re._compiler.compile`` with the programs of earlier runs reused (see the module docstring): the same
    ``re.Pattern`` for the same ``(pattern, flags)``. Non-string patterns and ``re.DEBUG`` go to the original."""
    import _sre
    from re import _compiler, _parser

    entries = _state.get("entries")
    if entries is None or not isinstance(p, str) or flags & _compiler.SRE_FLAG_DEBUG:
        return _state["original"](p, flags)
    hit = entries.get((p, flags))
    if hit is not None:
        final, groups, groupindex, indexgroup, program = hit
        try:
            return _sre.compile(p, final, _program(program), groups, dict(groupindex), indexgroup)
        except (RuntimeError, TypeError, ValueError, OverflowError) as exc:  # the engine rejects a foreign program
            log.warning("ignoring a stored regex program (%s); compiling it afresh", exc)
            del entries[(p, flags)]
    # as re._compiler.compile (Python 3.11+) does it, keeping the program
    parsed = _parser.parse(p, flags)
    code = _compiler._code(parsed, flags)
    groupindex = parsed.state.groupdict
    indexgroup = [None] * parsed.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    final, groups = flags | parsed.state.flags, parsed.state.groups - 1
    compiled = _sre.compile(p, final, code, groups, groupindex, tuple(indexgroup))
    if len(p) <= MAX_PATTERN_CHARS and len(entries) < MAX_ENTRIES:
        entries[(p, flags)] = (final, groups, dict(groupindex), tuple(indexgroup), list(code))
        _state["dirty"] = True
    return compiled


def install() -> bool:
    """Serve ``re.compile`` from the compiled-regex file (when the cache is on) and write new patterns to it at exit.
    Idempotent. Returns whether it is installed."""
    from re import _compiler

    if "original" in _state:
        return True
    try:
        path = _file()
        if path is None:
            return False
        import _sre  # noqa: F401 - the engine this module rebuilds patterns with
        from re import _parser  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - a cache must never stop a start
        log.debug("compiled-regex cache off (%s)", exc)
        return False
    if array("I").itemsize != 4:  # the programs are stored as 32-bit words
        return False
    _state.update(original=_compiler.compile, path=path, entries={}, dirty=False)
    sample = r"(?P<a>x+)\b(?:y|z{2,})(?i:q)"  # this Python compiles as this module does, or it stays off
    if compile_pattern(sample) != _compiler.compile(sample):
        _state.clear()
        return False
    _state.update(entries=_read(path), dirty=False)
    _compiler.compile = compile_pattern
    atexit.register(save)
    return True


def uninstall() -> None:
    """Put ``re._compiler.compile`` back (tests)."""
    from re import _compiler

    original = _state.pop("original", None)
    if original is not None:
        _compiler.compile = original
    _state.clear()
    atexit.unregister(save)


def save() -> None:
    """Write the patterns recorded in this run (with those read) to the file, atomically; nothing when none is new."""
    path, entries = _state.get("path"), _state.get("entries")
    if not _state.get("dirty") or path is None or entries is None:
        return
    from core.disk_memo import _store

    try:
        _store(path, _encode(entries))
        _state["dirty"] = False
    except (ValueError, TypeError, OverflowError) as exc:
        log.debug("compiled-regex cache not written (%s)", exc)

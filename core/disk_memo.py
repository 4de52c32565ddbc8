"""Content-keyed results on disk: a computation over the same input by the same code is read back instead of redone.

Used at start-up for the embeddings of the catalog's label texts and the vocabulary's phrases
(:class:`core.text.embedder.BundledWordLlama`): the file name is a SHA-1 of the input and of a fingerprint of the code
that computes the result (its source files, the model files, Python and numpy versions), so a changed input or
changed code is a miss, never a stale result. (Memoizing the label-text index as JSON was measured and dropped: reading
it back cost as much as building it.) Format: numpy ``.npy`` read with ``allow_pickle=False`` — no
pickle. Writes are atomic (temporary file + rename); the :data:`KEEP` most recently used files of a kind are kept.
Any problem reading or writing is a miss, computed as without the memo.

Folder: :func:`cache_root` ``/memo`` (``MUSICBOT_CACHE_DIR``, else the user cache folder; ``MUSICBOT_CACHE=0``: off).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

#: Files kept per kind of result (least recently used removed first).
KEEP = 8


def cache_root() -> Path | None:
    """The musicbot cache folder: ``MUSICBOT_CACHE_DIR`` when set, else ``<user cache dir>/musicbot/startup``;
    None when ``MUSICBOT_CACHE`` is ``0``/``off``/``false``/``no``."""
    if os.environ.get("MUSICBOT_CACHE", "").strip().lower() in ("0", "off", "false", "no"):
        return None
    root = os.environ.get("MUSICBOT_CACHE_DIR", "").strip()
    if root:
        return Path(root).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("musicbot")) / "startup"


def fingerprint(files: Iterable[Path], extra: str = "") -> str:
    """A short digest of source files' bytes, the Python and numpy versions and ``extra``."""
    digest = hashlib.sha1(f"{sys.version}|{np.__version__}|{extra}".encode())
    for path in files:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def _path(kind: str, key: str, suffix: str) -> Path | None:
    root = cache_root()
    return None if root is None else root / "memo" / f"{kind}-{key}{suffix}"


def _touch(path: Path) -> None:
    try:
        os.utime(path)  # recently used: kept by the clean-up
    except OSError:  # a read-only folder still serves its files
        pass


def _store(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        kind = path.name.split("-", 1)[0]
        files = sorted(path.parent.glob(f"{kind}-*"), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in files[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("memo not written: %s (%s)", path, exc)


def memo_array(kind: str, key: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
    """``compute()`` (a numpy array), or the array stored for ``(kind, key)`` (``.npy``, no pickle); ``key`` must
    already digest the input and the code (see :func:`fingerprint`, :func:`text_key`)."""
    import io

    path = _path(kind, key, ".npy")
    if path is not None and path.is_file():
        try:
            value = np.load(path, allow_pickle=False)
            _touch(path)
            return value
        except (OSError, ValueError) as exc:
            log.debug("memo unreadable: %s (%s)", path, exc)
    value = compute()
    if path is not None:
        buf = io.BytesIO()
        np.save(buf, np.asarray(value), allow_pickle=False)
        _store(path, buf.getvalue())
    return value


def text_key(texts: list[str], code: str) -> str:
    """SHA-1 key of a list of texts (order matters) and a code fingerprint."""
    digest = hashlib.sha1(code.encode())
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()[:24]

"""The compiled-regex cache (core.regex_cache): patterns read back from the cache folder are the patterns ``re``
compiles (``re.Pattern`` equality compares pattern text, flags and program), for hand-picked patterns and for every
pattern a real ``musicbot ask`` recorded; a torn file is a miss; the cache off means ``re`` untouched."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from re import _compiler

import pytest

from core import regex_cache

PATTERNS = [
    (r"\b(?:less (?:up ?beat|happy)|sadder|más triste)\b", 0),
    (r"(?P<year>(?:19|20)\d\d)s?\b(?:\s+(?P<tail>music|songs))?", 0),
    (r"^\s*#(\d+)\s*$", re.MULTILINE),
    (r"[a-zà-ÿ]+(?i:rock)", re.IGNORECASE),
    (r"(?<!\w)(?:hip\s+hop|r&b)(?!\w)", 0),
    (r"(a)|(b)(?(2)c|d)", re.VERBOSE),
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("MUSICBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MUSICBOT_CACHE", raising=False)
    regex_cache.uninstall()
    yield tmp_path / "cache"
    regex_cache.uninstall()


def _plain(pattern: str, flags: int) -> re.Pattern[str]:
    regex_cache.uninstall()
    return _compiler.compile(pattern, flags)


def test_patterns_read_back_equal_the_ones_re_compiles(cache: Path) -> None:
    want = [_plain(p, f) for p, f in PATTERNS]
    assert regex_cache.install()
    first = [re._compiler.compile(p, f) for p, f in PATTERNS]  # compiled and recorded
    regex_cache.save()
    (stored,) = (cache / "memo").glob("regex-*.bin")
    regex_cache.uninstall()
    assert regex_cache.install()
    assert set(PATTERNS) <= set(regex_cache._state["entries"])  # read from the file: served without parsing
    again = [re._compiler.compile(p, f) for p, f in PATTERNS]
    assert first == want and again == want
    for got, ref in zip(again, want):
        assert (got.pattern, got.flags, got.groups, dict(got.groupindex)) == (
            ref.pattern, ref.flags, ref.groups, dict(ref.groupindex))
    assert again[1].match("1985s songs").group("tail") == "songs"
    assert stored.is_file()


def test_a_torn_file_is_a_miss_and_is_rewritten(cache: Path) -> None:
    assert regex_cache.install()
    re._compiler.compile(*PATTERNS[0])
    regex_cache.save()
    (stored,) = (cache / "memo").glob("regex-*.bin")
    stored.write_bytes(stored.read_bytes()[:-40])  # programs cut short
    regex_cache.uninstall()
    assert regex_cache.install()
    assert regex_cache._state["entries"] == {}
    assert re._compiler.compile(*PATTERNS[0]) == _plain(*PATTERNS[0])


def test_cache_off_leaves_re_alone(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSICBOT_CACHE", "0")
    original = re._compiler.compile
    assert not regex_cache.install()
    assert re._compiler.compile is original


def test_every_pattern_a_real_ask_recorded_is_the_one_re_compiles(db_copy: Path, cache: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("MODEL", "DATABASE_URL")}
    script = "import sys; sys.argv = ['musicbot'] + sys.argv[1:]; from bot.entry import main; main()"
    for text in ("/recommend chill study music", "something for a rainy drive, a bit sadder"):
        proc = subprocess.run([sys.executable, "-c", script, "ask", text, "--db", str(db_copy), "--json"],
                              env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
    (stored,) = (cache / "memo").glob("regex-*.bin")
    entries = regex_cache._read(stored)
    assert len(entries) > 100  # the text rules' patterns, not only the standard library's
    regex_cache.uninstall()
    for (pattern, flags), (final, groups, groupindex, indexgroup, program) in entries.items():
        ref = _compiler.compile(pattern, flags)
        import _sre

        got = _sre.compile(pattern, final, regex_cache._program(program), groups, dict(groupindex), indexgroup)
        assert got == ref, pattern[:80]


def test_a_program_the_engine_rejects_is_compiled_afresh(cache: Path) -> None:
    assert regex_cache.install()
    pattern, flags = PATTERNS[1]
    regex_cache._state["entries"][(pattern, flags)] = (32, 2, {"year": 1, "tail": 2}, (None, "year", "tail"), [1, 2, 3])
    assert re._compiler.compile(pattern, flags) == _plain(pattern, flags)

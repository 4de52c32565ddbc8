"""Unit tests of the Telegram adapter's pure parts: HTML splitting, button store, argument parsing, logs."""

from __future__ import annotations

import logging
import re
import sys

import pytest
from tg_htmlcheck import check_html
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.telegram.app import RedactFilter, build_app, run_telegram, webhook_secret
from adapters.telegram.keyboards import (
    CallbackStore,
    PageState,
    as_int,
    callback_data,
    callback_parts,
    list_keyboard,
    parse_callback,
    playlist_keyboard,
    playlist_picker,
    track_picker,
)
from adapters.telegram.playlists import export_filename
from adapters.telegram.parsing import parse_addsong, parse_editsong, parse_pairs
from adapters.telegram.render import (
    _cut_line,
    clean,
    esc,
    render_error,
    safe_link,
    split_html,
    tg_len,
    track_block,
)
from bot.settings import Settings
from core.errors import InvalidInput, SongNotFound
from core.models import Track

FEATURES = dict(
    danceability=0.5, energy=0.6, key=5, loudness=-7.5, mode=1, speechiness=0.05, acousticness=0.2,
    instrumentalness=0.0, liveness=0.1, valence=0.5, tempo=118.0,
)
hostile_text = st.lists(
    st.sampled_from(list("ab <>&\"';é") + ["🎵", "👩‍👩‍👧", "م", "\u202e", "\n", "&amp;", "<b>", " ", "word "]),
    max_size=200,
).map("".join)


def _track(title: str, artist: str, n: int = 0) -> Track:
    return Track(track_id=f"T{n:021d}", title=title, artists=[artist], **FEATURES)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------------------------------------- splitting
@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(st.tuples(hostile_text, hostile_text, hostile_text), min_size=1, max_size=12),
    limit=st.integers(min_value=150, max_value=1500),
)
def test_split_html_property(items: list[tuple[str, str, str]], limit: int) -> None:
    """Any track list, any limit: every piece fits, is valid HTML with our tags only, and no text is lost."""
    blocks = ["<b>header &amp; " + esc(items[0][0]) + "</b>\n"]
    blocks += [track_block(n, _track(t, a, n), r) for n, (t, a, r) in enumerate(items, 1)]
    pieces = split_html(blocks, limit)
    assert pieces
    for piece in pieces:
        assert tg_len(piece) <= limit
    whole = "".join(check_html(p) for p in pieces)
    expected = "".join(check_html(b) for b in blocks)
    assert _squash(whole) == _squash(expected)


def test_split_keeps_blocks_whole_and_cuts_only_on_line_boundaries() -> None:
    blocks = [f"{i}. <i>{'x' * 50}</i>\n    reason {i}" for i in range(200)]
    pieces = split_html(blocks, 4096)
    assert len(pieces) > 1 and all(tg_len(p) <= 4096 for p in pieces)
    assert "\n".join(pieces) == "\n".join(blocks)
    for p in pieces:
        assert re.match(r"^\d+\. ", p) and p.endswith(re.search(r"reason \d+$", p).group())


def test_cut_line_reopens_tags_and_never_cuts_entities() -> None:
    line = '<b><a href="https://open.spotify.com/track/x">' + "&lt;&amp; word " * 40 + "</a></b> tail"
    pieces = _cut_line(line, 80)
    assert len(pieces) > 5
    for p in pieces:
        assert tg_len(p) <= 80
        check_html(p.replace('href="https://open.spotify.com/track/x"', 'href="https://open.spotify.com/t"'))
        assert not re.search(r"&[a-z]*$", re.sub(r"<[^>]*>", "", p))  # no entity cut in half


def test_utf16_length_counts_astral_emoji_twice() -> None:
    assert tg_len("🎵") == 2 and tg_len("é") == 1
    pieces = split_html(["🎵" * 3000], 4096)
    assert [tg_len(p) for p in pieces] == [4096, 1904]


def test_clean_drops_bidi_overrides_and_line_breaks() -> None:
    assert clean("a\u202eb\u2066c\nd\r\ne\tf\x00") == "abc d e f"
    assert clean("a\nb", one_line=False) == "a\nb"
    assert esc("<b>&\n") == "&lt;b&gt;&amp; "


# ---------------------------------------------------------------------------------------------- buttons
def test_callback_store_ttl_and_lru() -> None:
    now = [0.0]
    store: CallbackStore[str] = CallbackStore(ttl_s=10, max_items=3, clock=lambda: now[0])
    a, b, c = store.put("a"), store.put("b"), store.put("c")
    assert len(a) == 8 and store.get(a) == "a"  # a is now the most recently used
    store.put("d")  # evicts b, the least recently used
    assert store.get(b) is None and store.get(a) == "a" and store.get(c) == "c"
    now[0] = 10.0
    assert store.get(a) is None and len(store) == 2
    assert store.get("unknown!") is None


def test_callback_data_limits_and_keyboard() -> None:
    with pytest.raises(ValueError):
        callback_data("m", "k" * 64, 1)
    assert parse_callback("m|abc|4") == ("m", "abc", "4") and parse_callback(None) == ("", "", "")
    state = PageState(kind="text", query="q", track_ids=[f"id{i}" for i in range(10)], start=11)
    markup = list_keyboard("Ab3_k9Qa", state)
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert labels[0] == "More like #11" and labels[-1] == "Next page ▶" and len(labels) == 15
    assert [len(r) for r in markup.inline_keyboard] == [3, 3, 3, 1, 3, 2]
    assert [b.text for b in markup.inline_keyboard[-1]] == ["📊 Chart", "Next page ▶"]
    assert [b.text for b in markup.inline_keyboard[4]] == ["➕ Add to playlist", "👍 Like…", "👎 Dislike…"]
    assert all(len(b.callback_data.encode()) <= 64 for row in markup.inline_keyboard for b in row)


def test_pickers_stay_small_and_within_64_bytes() -> None:
    state = PageState(kind="text", query="q", track_ids=[f"id{i}" for i in range(10)], start=11)
    for mode, icon in (("a", "➕"), ("l", "👍"), ("d", "👎")):
        rows = track_picker("Ab3_k9Qa", state, mode).inline_keyboard
        assert [len(r) for r in rows] == [5, 5, 1]
        assert rows[0][0].text == f"{icon} #11" and rows[0][0].callback_data == f"{mode}|Ab3_k9Qa|0"
        assert rows[-1][0].text == "« Back" and rows[-1][0].callback_data == "b|Ab3_k9Qa"
    many = [(10**9 + i, "Ü" * 100 + f" {i}", 500) for i in range(30)]
    rows = playlist_picker("Ab3_k9Qa", 9, many).inline_keyboard
    buttons = [b for row in rows for b in row]
    assert len(buttons) == 21 and all(len(r) <= 2 for r in rows)  # 20 playlists + Back
    assert buttons[0].callback_data == f"t|Ab3_k9Qa|9|{10**9}"
    assert all(len(b.text) <= 40 and len(b.callback_data.encode()) <= 64 for b in buttons)
    nav = playlist_keyboard(12, 2, 3, 25).inline_keyboard
    assert [[b.callback_data for b in r] for r in nav] == [["v|12|1", "v|12|2", "v|12|3"], ["r|12", "e|12"]]
    assert playlist_keyboard(12, 1, 1, 0).inline_keyboard == ()
    assert callback_parts("t|k|3|99", 4) == ["t", "k", "3", "99"] and callback_parts("b|k", 4) == ["b", "k", "", ""]
    assert as_int("12") == 12 and as_int("-1") is None and as_int("1" * 20) is None and as_int("") is None


def test_export_filename_and_safe_links() -> None:
    assert export_filename("Road Trip!") == "road-trip.txt"
    assert export_filename("Été 🎵 ‹2024›") == "ete-2024.txt"
    assert export_filename("🎵🎵") == "playlist.txt"
    assert safe_link("https://cdnt-preview.dzcdn.net/a.mp3?hdnea=exp=1~acl=/x&b=1") is not None
    assert safe_link("javascript:alert(1)") is None and safe_link('https://x.example/"onclick') is None
    assert safe_link(None) is None and safe_link("https://x.example/a b") is None
    line = track_block(1, _track("T", "A"), "why", "https://cdn.example/p.mp3?a=1&b=2")
    assert '<a href="https://cdn.example/p.mp3?a=1&amp;b=2">▶ preview</a>' in line
    assert track_block(1, _track("T", "A"), "", "javascript:alert(1)") == track_block(1, _track("T", "A"))


# ---------------------------------------------------------------------------------------------- admin args
def test_parse_addsong() -> None:
    args = "https://open.spotify.com/track/0123456789abcdefABCDEF?si=x | Title | A, B | " + " ".join(
        f"{k}={v}" for k, v in FEATURES.items()
    ) + " album=Greatest Hits Vol 2 genre=pop, rock bpm=121"
    data = parse_addsong(args)
    assert data["track_id"] == "0123456789abcdefABCDEF" and data["artists"] == "A, B"
    assert data["album"] == "Greatest Hits Vol 2" and data["genres"] == ["pop", "rock"] and data["tempo"] == "121"
    with pytest.raises(InvalidInput) as exc:
        parse_addsong("id | title")
    assert exc.value.field == "track_id" and "Usage" in str(exc.value)
    with pytest.raises(InvalidInput) as exc:
        parse_addsong("0123456789abcdefABCDEF | t | a | energy=0.5")
    assert "danceability 0–1" in str(exc.value) and "tempo 0–250" in str(exc.value) and "energy" not in exc.value.allowed
    with pytest.raises(InvalidInput) as exc:
        parse_pairs("colour=blue")
    assert exc.value.field == "colour"
    with pytest.raises(InvalidInput):
        parse_pairs("garbage energy=0.5")


def test_parse_editsong() -> None:
    assert parse_editsong("Blinding Lights - The Weeknd | energy=0.8 tempo=120") == (
        "Blinding Lights - The Weeknd", {"energy": "0.8", "tempo": "120"},
    )
    assert parse_editsong("Blinding Lights energy=0.8") == ("Blinding Lights", {"energy": "0.8"})
    for bad in ("", "| energy=1", "Blinding Lights"):
        with pytest.raises(InvalidInput):
            parse_editsong(bad)


def test_render_error_names_field_and_escapes() -> None:
    text = render_error(InvalidInput("Bad value <x>.", "energy", "0–1"))
    assert "&lt;x&gt;" in text and "<b>energy</b>: allowed 0–1" in text
    text = render_error(SongNotFound("<b>x</b>", ["A & B - C", "<i>"]))
    assert "&lt;b&gt;x&lt;/b&gt;" in text and "A &amp; B - C" in text and "&lt;i&gt;" in text


# ---------------------------------------------------------------------------------------------- wiring
def test_missing_token_and_plain_http_webhook_are_refused() -> None:
    with pytest.raises(InvalidInput, match="TELEGRAM_BOT_TOKEN"):
        build_app(object(), Settings(_env_file=None, telegram_bot_token=None))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="https"):
        run_telegram(Settings(_env_file=None, telegram_bot_token="1:abcdefgh"), db=":memory:", webhook_url="http://x/y")


def test_webhook_secret_is_stable_and_valid() -> None:
    s = Settings(_env_file=None, telegram_bot_token="123:secret-token-value")
    assert webhook_secret(s) == webhook_secret(s) and re.fullmatch(r"[A-Za-z0-9_-]{1,256}", webhook_secret(s))
    assert "secret-token-value" not in webhook_secret(s)
    assert webhook_secret(Settings(_env_file=None, telegram_bot_token="1:x", telegram_webhook_secret="mine")) == "mine"


def test_redact_filter_covers_message_and_traceback() -> None:
    token = "123456:SECRET-token-xyz"
    flt = RedactFilter([token])
    try:
        raise RuntimeError(f"failed https://api.telegram.org/bot{token}/getMe")
    except RuntimeError:
        record = logging.LogRecord("telegram.ext.Updater", logging.ERROR, __file__, 1, "boom %s", (token,), sys.exc_info())
    assert flt.filter(record)
    text = logging.Formatter().format(record)
    assert token not in text and "***" in text and "RuntimeError" in text and "Traceback" in text

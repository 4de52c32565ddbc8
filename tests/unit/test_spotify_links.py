"""The one Spotify reference parser (core/spotify_links.py): property tests over the link forms people paste.

The track-link generator combines independent axes (scheme, host letter case, host, ``intl-xx`` segment, embed path,
trailing slash, query string, fragment, chat-app wrapper); :data:`TRACK_FORMS` is the number of distinct structural
forms it can produce (ids and the random letter case of the host aside). URIs and bare ids have their own axes.
"""

from __future__ import annotations

import math
import string

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from core.spotify_links import (
    find_links,
    is_followable,
    link_message,
    parse_link,
    parse_track_id,
    strip_links,
)

BASE62 = string.digits + string.ascii_letters
ids = st.text(alphabet=BASE62, min_size=22, max_size=22)
bad_len = st.integers(min_value=1, max_value=60).filter(lambda n: n != 22)

SCHEMES = ["https://", "http://", "HTTPS://", "Http://", ""]
HOSTS = ["open.spotify.com", "OPEN.SPOTIFY.COM", "Open.Spotify.com", "play.spotify.com"]
INTL = ["", "intl-de/", "intl-pt-br/", "INTL-FR/", "intl-ja/"]
PATHS = ["track/", "embed/track/"]
SLASH = ["", "/"]
QUERIES = [
    "", "?si=abc123DEF", "?si=4f1c2b3a&utm_source=copy-link", "?utm_source=whatsapp&utm_medium=social&utm_campaign=x",
    "?context=spotify%3Aplaylist%3A37i9dQZF1DXcBWIGoYBM5M&si=1", "?nd=1&dlsi=abc", "?si=a&token=SECRET",
]
FRAGMENTS = ["", "#t=30"]
WRAPPERS = [("", ""), ("<", ">"), ("(", ")"), ('"', '"'), ("'", "'"), ("", "."), ("", ","), ("", "!"), ("", "?"),
            ("«", "»"), ("“", "”"), ("<", "|listen>"), ("[song](", ")"), ("*", "*"), ("`", "`")]
#: distinct structural track-link forms the URL generator covers
TRACK_FORMS = math.prod(map(len, (SCHEMES, HOSTS, INTL, PATHS, SLASH, QUERIES, FRAGMENTS, WRAPPERS)))

URI_PREFIXES = ["spotify:track:", "SPOTIFY:TRACK:", "Spotify:Track:"]
URI_SUFFIXES = ["", ":play", "?si=abc", "?context=spotify:album:1", ":", "#x"]
#: distinct URI and bare-id forms (bare ids only take the wrappers)
URI_FORMS = len(URI_PREFIXES) * len(URI_SUFFIXES) * len(WRAPPERS) + len(WRAPPERS)


@st.composite
def track_links(draw: st.DrawFn) -> tuple[str, str]:
    tid = draw(ids)
    url = (draw(st.sampled_from(SCHEMES)) + draw(st.sampled_from(HOSTS)) + "/" + draw(st.sampled_from(INTL))
           + draw(st.sampled_from(PATHS)) + tid + draw(st.sampled_from(SLASH)) + draw(st.sampled_from(QUERIES))
           + draw(st.sampled_from(FRAGMENTS)))
    left, right = draw(st.sampled_from(WRAPPERS))
    return left + url + right, tid


@st.composite
def track_uris(draw: st.DrawFn) -> tuple[str, str]:
    tid = draw(ids)
    left, right = draw(st.sampled_from(WRAPPERS))
    if draw(st.booleans()):
        return left + tid + right, tid
    return left + draw(st.sampled_from(URI_PREFIXES)) + tid + draw(st.sampled_from(URI_SUFFIXES)) + right, tid


def test_form_counts() -> None:
    assert TRACK_FORMS == 5 * 4 * 5 * 2 * 2 * 7 * 2 * 15
    assert TRACK_FORMS + URI_FORMS == 84_285


@settings(max_examples=400)
@given(track_links())
def test_every_track_link_form_gives_its_id(case: tuple[str, str]) -> None:
    text, tid = case
    link = parse_link(text)
    assert link is not None and link.kind == "track" and link.id == tid, text
    assert parse_track_id(text) == tid


@settings(max_examples=300)
@given(track_uris())
def test_every_uri_and_bare_id_form_gives_its_id(case: tuple[str, str]) -> None:
    text, tid = case
    assert parse_track_id(text) == tid, text


@settings(max_examples=200)
@given(track_links(), st.sampled_from(["songs like ", "check this ", "", "hey! "]), st.sampled_from(["", " please", " 🔥"]))
def test_links_found_in_running_text_and_removed(case: tuple[str, str], before: str, after: str) -> None:
    text, tid = case
    message = before + text + after
    links = find_links(message)
    assert [lk.id for lk in links if lk.kind == "track"] == [tid], message
    rest = strip_links(message)
    assert tid not in rest and "spotify" not in rest.lower() and "token" not in rest.lower()


@settings(max_examples=200)
@given(st.sampled_from(["https://open.spotify.com/track/", "spotify:track:", "open.spotify.com/intl-de/track/"]),
       bad_len, st.sampled_from(["", "?si=x", "/"]))
def test_wrong_length_id_is_invalid_never_a_title(prefix: str, n: int, suffix: str) -> None:
    bad = ("aB3" * 30)[:n]
    link = parse_link(prefix + bad + suffix)
    assert link is not None and link.kind == "invalid_id"
    assert parse_track_id(prefix + bad + suffix) is None


@given(st.integers(min_value=16, max_value=40).filter(lambda n: n != 22))
def test_bare_id_shaped_token_of_wrong_length_is_invalid(n: int) -> None:
    assert parse_link(("x9Q" * 20)[:n]).kind == "invalid_id"  # type: ignore[union-attr]


def test_titles_are_not_links() -> None:
    for title in ["Blinding Lights", "Mr. Brightside", "P.Y.T. (Pretty Young Thing)", "Thunderstruck", "1999",
                  "Supercalifragilistic", "e.g. chill", "AC/DC - Thunderstruck", "Song 2"]:
        assert parse_link(title) is None, title
        assert find_links(f"songs like {title}") == [], title


OTHER_KINDS = ["album", "playlist", "artist", "episode", "show"]


@settings(max_examples=150)
@given(st.sampled_from(OTHER_KINDS), ids, st.sampled_from(["", "intl-de/", "embed/"]), st.sampled_from(QUERIES),
       st.booleans())
def test_other_link_types_are_named(kind: str, oid: str, intl: str, query: str, uri: bool) -> None:
    text = f"spotify:{kind}:{oid}" if uri else f"https://open.spotify.com/{intl}{kind}/{oid}{query}"
    link = parse_link(text)
    assert link is not None and link.kind == kind and link.id == oid
    assert parse_track_id(text) is None
    assert f"{kind} link" in link.message()


def test_user_and_legacy_user_playlist_links() -> None:
    assert parse_link("https://open.spotify.com/user/someone?si=1").kind == "user"  # type: ignore[union-attr]
    assert "user profile link" in link_message("user")
    pid = "37i9dQZF1DXcBWIGoYBM5M"
    assert parse_link(f"spotify:user:someone:playlist:{pid}").kind == "playlist"  # type: ignore[union-attr]
    assert parse_link(f"https://open.spotify.com/user/someone/playlist/{pid}").id == pid  # type: ignore[union-attr]


SHORT = ["https://spotify.link/AbC123xyz", "spotify.link/AbC123xyz", "https://spotify.app.link/Zx9?_p=c81",
         "HTTPS://SPOTIFY.LINK/AbC123xyz/", "http://link.tospotify.com/Xy12", "<https://spotify.link/q1W2e3>"]


def test_short_links_are_recognised_and_their_code_is_never_an_id() -> None:
    for text in SHORT:
        link = parse_link(text)
        assert link is not None and link.kind == "short", text
        assert link.id == "" and link.url.startswith("https://") and parse_track_id(text) is None
    # a 22-character code is still not an id
    link = parse_link("https://spotify.link/4uLU6hMCjMI75M1A2tKUQQ")
    assert link is not None and link.kind == "short" and link.id == ""


TID = "4uLU6hMCjMI75M1A2tKUQQ"
LOOKALIKES = [
    f"https://open.spotify.com.evil.io/track/{TID}",
    f"https://open.spotify.com@evil.io/track/{TID}",
    f"https://spotify.com@evil.io/track/{TID}",
    f"https://user:pw@open.spotify.com/track/{TID}",
    f"https://xn--spotfy-1wa.com/track/{TID}",
    f"https://open.xn--sptify-3ya.com/track/{TID}",
    f"https://open.spоtify.com/track/{TID}",  # Cyrillic "о"
    f"https://open-spotify.com/track/{TID}",
    f"https://openspotify.com/track/{TID}",
    f"https://open.spotify.co/track/{TID}",
    f"https://open.spotify.com:8443/track/{TID}",
    f"https://open.spotify.com\\@evil.io/track/{TID}",
    f"javascript://open.spotify.com/track/{TID}",
    f"ftp://open.spotify.com/track/{TID}",
    f"https://evil.io/?u=https://open.spotify.com/track/{TID}",
    f"https://spotify.link.evil.io/{TID}",
]
NON_TRACK = [
    "https://www.spotify.com/us/account/overview/",
    "https://www.spotify.com/redeem/?code=ABCD-EFGH-SECRET",
    "https://www.spotify.com/de/family/join/invite/aBcDeF123token/",
    "https://www.spotify.com/us/family/join/address/aBcDeF123token/?token=s3cr3t",
    "https://accounts.spotify.com/en/reset-password?token=s3cr3t",
    "https://open.spotify.com/",
    "https://open.spotify.com/genre/0JQ5DAqbMKFz6FAsUtgAab",
    "https://open.spotify.com/search/blinding%20lights",
]


def test_lookalikes_and_non_track_pages_are_ignored() -> None:
    for text in LOOKALIKES + NON_TRACK:
        link = parse_link(text)
        assert link is not None and link.kind == "ignored", text
        assert parse_track_id(text) is None
        assert "evil" not in link.message() and "token" not in link.message().lower()
        found = find_links(f"songs like {text} please")
        assert found and all(lk.kind != "track" for lk in found), text
        rest = strip_links(f"songs like {text} please")
        assert "evil" not in rest and "spotify" not in rest.lower(), rest


def test_followable_hops_only_https_spotify() -> None:
    assert is_followable("https://spotify.link/abc")
    assert is_followable("https://spotify.app.link/abc?_p=1")
    assert is_followable("https://open.spotify.com/track/" + TID)
    assert is_followable("https://www.spotify.com/x")
    for bad in ["http://open.spotify.com/track/x", "https://open.spotify.com.evil.io/x", "https://evil.io/spotify.com",
                "https://spotify.com@evil.io/", "https://127.0.0.1/", "https://xn--spotify-x.com/", "file:///etc/passwd"]:
        assert not is_followable(bad), bad


def test_several_links_in_one_message_keep_their_order() -> None:
    a, b = "0VjIjW4GlUZAMYd2vXMi3b", "7qiZfU4dY1lWllzX7mPBI3"
    text = f"https://open.spotify.com/track/{a}?si=1, spotify:track:{b} and https://open.spotify.com/album/{a}"
    assert [(lk.kind, lk.id) for lk in find_links(text)] == [("track", a), ("track", b), ("album", a)]
    assert strip_links(text) == "and"


@given(st.text(max_size=300))
def test_find_links_never_raises(text: str) -> None:
    for link in find_links(text):
        assert 0 <= link.start < link.end <= len(text)
    strip_links(text)
    parse_track_id(text)


def test_every_structural_form_exhaustively() -> None:
    """Each of the TRACK_FORMS + URI_FORMS forms once (fixed id), so "covered" means parsed, not just sampled."""
    import itertools

    tid = "0VjIjW4GlUZAMYd2vXMi3b"
    seen = 0
    for scheme, host, intl, path, slash, query, frag, (left, right) in itertools.product(
        SCHEMES, HOSTS, INTL, PATHS, SLASH, QUERIES, FRAGMENTS, WRAPPERS
    ):
        text = f"{left}{scheme}{host}/{intl}{path}{tid}{slash}{query}{frag}{right}"
        assert parse_track_id(text) == tid, text
        seen += 1
    for (left, right), prefix, suffix in itertools.product(WRAPPERS, URI_PREFIXES, URI_SUFFIXES):
        assert parse_track_id(f"{left}{prefix}{tid}{suffix}{right}") == tid
        seen += 1
    for left, right in WRAPPERS:
        assert parse_track_id(f"{left}{tid}{right}") == tid
        seen += 1
    assert seen == TRACK_FORMS + URI_FORMS


@pytest.mark.parametrize("zw", ["\u200b", "\u2060", "\ufeff", "\u200d"])
def test_a_zero_width_character_pasted_around_a_link_is_stripped(zw: str) -> None:
    from core.spotify_links import find_links

    tid = "7ouMYWpwJ422jRcDASZB7P"
    for text in (f"https://open.spotify.com/track/{tid}{zw}", f"{zw}https://open.spotify.com/track/{tid}{zw} more"):
        links = find_links(text)
        assert [(lk.kind, lk.id) for lk in links] == [("track", tid)], text


def test_other_link_types_are_named_with_the_right_article() -> None:
    from core.spotify_links import link_message

    assert link_message("user").startswith("That's a user profile link")
    assert link_message("album").startswith("That's an album link")
    assert link_message("episode").startswith("That's an episode link")

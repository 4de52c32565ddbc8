"""Rendering stays within every Discord limit for any track list (hypothesis), and hostile titles stay inert."""

from __future__ import annotations

import re

import discord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord.render import (
    EMBED_TOTAL_LIMIT,
    chat_message,
    embed_problems,
    md,
    preview_text,
    recommendation_embed,
    track_embed,
)
from adapters.discord.views import chat_view, preview_view, results_view, song_view
from core.models import ChatReply, NeedsClarification, Recommendation, RecommendedTrack, Track

HOSTILE = [
    "@everyone",
    "@here hello",
    "<@123456789012345678> <@&123456789012345678> <#123456789012345678>",
    "**bold** __under__ ~~strike~~ ||spoiler|| `code` ```block```",
    "[click me](https://evil.example/phish)",
    "> quote\n# Heading\n- list",
    "🎵🔥👩‍👩‍👧‍👦 " * 20,
    "T" * 300,
    "\u202eevil reversed\u202c",
    "back\\slash\\",
    "line\nbreak\r\nand\ttab",
    "",
]

features = dict(
    danceability=0.5,
    energy=0.5,
    key=1,
    loudness=-6.0,
    mode=1,
    speechiness=0.05,
    acousticness=0.1,
    instrumentalness=0.0,
    liveness=0.1,
    valence=0.5,
    tempo=120.0,
)

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)
hostile_text = st.one_of(text, st.sampled_from(HOSTILE), st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE), text))
track_ids = st.one_of(st.from_regex(r"[0-9A-Za-z]{22}", fullmatch=True), st.text(min_size=1, max_size=120))


@st.composite
def tracks(draw) -> Track:
    return Track(
        track_id=draw(track_ids),
        title=draw(hostile_text),
        artists=draw(st.lists(hostile_text, min_size=0, max_size=6)),
        album=draw(hostile_text),
        release_date=draw(st.one_of(st.just(""), st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True), text)),
        year=draw(st.one_of(st.none(), st.integers(1900, 2100))),
        popularity=draw(st.integers(0, 100)),
        duration_ms=draw(st.integers(0, 10**8)),
        genres=draw(st.lists(hostile_text, max_size=5)),
        subgenres=draw(st.lists(hostile_text, max_size=5)),
        **features,
    )


@st.composite
def recommendations(draw) -> Recommendation:
    items = draw(
        st.lists(
            st.builds(RecommendedTrack, track=tracks(), score=st.floats(0, 1), reason=hostile_text),
            max_size=50,
        )
    )
    return Recommendation(
        kind=draw(st.sampled_from(["text", "similar", "search"])),
        query=draw(st.text(max_size=2000)),
        tracks=items,
        summary=draw(hostile_text),
    )


def view_problems(view: discord.ui.View | None) -> list[str]:
    if view is None:
        return []
    problems = []
    rows = view.to_components()
    if len(rows) > 5:
        problems.append(f"{len(rows)} rows")
    ids = []
    for row in rows:
        comps = row["components"]
        if len(comps) > 5:
            problems.append("row with > 5 components")
        for c in comps:
            if "custom_id" in c:
                ids.append(c["custom_id"])
                if len(c["custom_id"]) > 100:
                    problems.append("custom_id > 100")
            if len(c.get("label", "")) > 80:
                problems.append("label > 80")
            if "url" in c and len(c["url"]) > 512:
                problems.append("url > 512")
            for o in c.get("options", []):
                if len(o["label"]) > 100 or len(o.get("description") or "") > 100 or len(o["value"]) > 100:
                    problems.append("select option > 100")
                if not o["label"]:
                    problems.append("empty option label")
            if len(c.get("options", [])) > 25:
                problems.append("> 25 options")
    if len(ids) != len(set(ids)):
        problems.append("duplicate custom_id")
    return problems


def unescaped_mention(s: str | None) -> bool:
    """True when a mention or @everyone/@here would render live (not backslash-escaped)."""
    return bool(s) and re.search(r"(?<!\\)@(everyone|here)|(?<!\\)<(?:\\)?@", s or "") is not None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rec=recommendations(), page=st.integers(1, 500), note=hostile_text)
def test_any_track_list_renders_within_every_limit(rec, page, note):
    embed = recommendation_embed(rec, page=page, note=note)
    assert embed_problems([embed]) == []
    assert len(embed) <= EMBED_TOTAL_LIMIT
    assert embed.title and embed.description
    shown = min(len(rec.tracks), 10)
    assert re.findall(r"^\*\*(\d+)\. ", embed.description, re.MULTILINE) == [str(n) for n in range(1, shown + 1)]
    assert not unescaped_mention(embed.title) and not unescaped_mention(embed.description)
    assert view_problems(results_view(rec, next_key="AbCdEf123456", playlists=True)) == []
    reply = ChatReply(text=note, recommendation=rec, fallback_used=bool(page % 2))
    rendered = chat_message(reply)
    assert embed_problems(rendered.embeds, rendered.content) == []
    assert view_problems(chat_view(reply, playlists=True)) == []


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(track=tracks(), note=hostile_text, audio=st.one_of(st.none(), st.text(max_size=600)))
def test_any_track_card_renders_within_every_limit(track, note, audio):
    embed = track_embed(track, note=note)
    assert embed_problems([embed]) == []
    assert not unescaped_mention(embed.title)
    assert all(not unescaped_mention(f.value) for f in embed.fields)
    assert view_problems(song_view(track, playlists=True)) == []
    content = preview_text(track, audio)
    assert len(content) <= 2000 and not unescaped_mention(content.split("\n")[0])
    assert view_problems(preview_view(track, audio)) == []
    rendered = chat_message(ChatReply(text=note, track=track))
    assert embed_problems(rendered.embeds, rendered.content) == []


@settings(max_examples=100, deadline=None)
@given(question=hostile_text, suggestions=st.lists(hostile_text, max_size=30), reply_text=st.text(max_size=5000))
def test_chat_text_replies_fit(question, suggestions, reply_text):
    clar = ChatReply(text=question, clarification=NeedsClarification(question=question, suggestions=suggestions))
    rendered = chat_message(clar)
    assert rendered.content and len(rendered.content) <= 2000
    plain = chat_message(ChatReply(text=reply_text))
    assert plain.content and len(plain.content) <= 2000


@given(s=hostile_text, limit=st.integers(0, 300))
def test_escaped_clips_never_exceed_the_limit_or_end_in_a_lone_backslash(s, limit):
    out = md(s, limit)
    assert len(out) <= limit
    assert "\n" not in out
    trailing = len(out) - len(out.rstrip("\\"))
    assert trailing % 2 == 0  # backslashes come in escape pairs


def make_track(i: int, title: str, artist: str) -> Track:
    return Track(track_id=f"{i:022d}", title=title, artists=[artist], album=title, genres=["pop"], **features)


def test_hostile_titles_render_literally():
    items = [
        RecommendedTrack(track=make_track(i, t, t or "x"), score=1.0, reason=t) for i, t in enumerate(HOSTILE[:10])
    ]
    rec = Recommendation(kind="text", query="x", tracks=items, summary="@everyone party **now**")
    embed = recommendation_embed(rec)
    assert embed_problems([embed]) == []
    d = embed.description
    assert "\\@everyone" in d and "\\@here" in d
    assert "\\<\\@123456789012345678\\>" in d
    assert "\\*\\*bold\\*\\*" in d and "\\|\\|spoiler\\|\\|" in d
    assert "\\[click me\\]\\(https://evil.example/phish\\)" in d  # a masked link stays text
    assert "\u202e" not in d  # bidi override dropped
    assert "T" * 300 not in d and "…" in d  # 300-char title clipped
    assert "🎵🔥" in d  # emoji kept
    assert embed.title == "\\@everyone party \\*\\*now\\*\\*"
    # ten numbered entries, each with its link
    assert re.findall(r"^\*\*(\d+)\. ", d, re.M) == [str(n) for n in range(1, 11)]
    assert d.count("https://open.spotify.com/track/") == 10


def test_page_footer_and_overflow_note():
    items = [RecommendedTrack(track=make_track(i, f"Song {i}", "A"), score=1.0, reason="r") for i in range(12)]
    embed = recommendation_embed(Recommendation(kind="text", tracks=items, summary="s"), page=3)
    assert embed.footer.text.startswith("Page 3 · showing 10 of 12")


# ---------------------------------------------------------------------------------------------------- issue 6
from datetime import UTC, datetime  # noqa: E402

from adapters.discord.render import (  # noqa: E402
    MESSAGE_LIMIT,
    export_filename,
    export_reply,
    playlist_embed,
    playlists_embed,
    safe_url,
)
from adapters.discord.views import picker_view, playlist_page_view  # noqa: E402
from core.playlists import Playlist, PlaylistEntry, PlaylistPage  # noqa: E402

member_keys = st.one_of(
    st.builds(lambda n: f"discord:{n}", st.integers(0, 10**19)),
    st.builds(lambda t: f"telegram:{t}", hostile_text),
    hostile_text,
)
stamps = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@st.composite
def playlists(draw) -> Playlist:
    return Playlist(
        playlist_id=draw(st.integers(1, 10**12 - 1)),
        group_id="discord:900",
        name=draw(hostile_text),
        created_by=draw(member_keys),
        created_at=draw(stamps),
        updated_at=draw(stamps),
        track_count=draw(st.integers(0, 500)),
    )


@st.composite
def playlist_pages(draw) -> PlaylistPage:
    entries = [
        PlaylistEntry(
            index=i + 1,
            track_id=draw(track_ids),
            track=draw(st.one_of(st.none(), tracks())),
            added_by=draw(member_keys),
            added_at=draw(stamps),
        )
        for i in range(draw(st.integers(0, 10)))
    ]
    pages = draw(st.integers(1, 50))
    return PlaylistPage(
        playlist=draw(playlists()),
        entries=entries,
        page=draw(st.integers(1, pages)),
        per_page=10,
        total=draw(st.integers(len(entries), 500)),
        pages=pages,
    )


def only_user_mentions(s: str | None) -> bool:
    """No @everyone/@here, role or channel mention renders live; ``<@digits>`` (a user, never pinged in an embed)
    may."""
    rest = re.sub(r"<@\d{1,20}>", "", s or "")
    return not unescaped_mention(rest)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(page=playlist_pages())
def test_any_playlist_page_renders_within_every_limit(page):
    embed = playlist_embed(page)
    assert embed_problems([embed]) == []
    assert not unescaped_mention(embed.title) and only_user_mentions(embed.description)
    shown = re.findall(r"^\*\*(\d+)\.", embed.description, re.M)
    assert shown == [str(e.index) for e in page.entries]
    assert view_problems(playlist_page_view(page.playlist.playlist_id, page.page, page.pages, page.total)) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(items=st.lists(playlists(), max_size=100))
def test_any_playlist_list_and_picker_fit(items):
    embed = playlists_embed(items)
    assert embed_problems([embed]) == [] and only_user_mentions(embed.description)
    view = picker_view("0VjIjW4GlUZAMYd2vXMi3b", items)
    assert view_problems(view) == []
    (menu,) = [c.item for c in view.children]
    assert 1 <= len(menu.options) <= 25 and menu.options[-1].value == "new"
    assert all(o.value.isdigit() for o in menu.options[:-1])


@settings(max_examples=60, deadline=None)
@given(name=hostile_text, ids=st.lists(st.from_regex(r"[0-9A-Za-z]{22}", fullmatch=True), max_size=500))
def test_export_fits_in_a_message_or_goes_to_a_file(name, ids):
    links = [f"https://open.spotify.com/track/{i}" for i in ids]
    content, file_text = export_reply(name, links)
    assert 0 < len(content) <= MESSAGE_LIMIT and not unescaped_mention(content)
    if file_text is None:
        assert all(link in content for link in links)
    else:
        assert file_text.splitlines() == links and len("\n".join(links)) > MESSAGE_LIMIT - 400
    filename = export_filename(name)
    assert re.fullmatch(r"[a-z0-9-]{1,60}\.txt", filename)


preview_urls = st.one_of(
    st.none(),
    st.builds(
        lambda s: "https://cdnt-preview.dzcdn.net/" + s,
        st.from_regex(r"[A-Za-z0-9/=~*_.?&,-]{0,480}", fullmatch=True),
    ),
    hostile_text,
    st.builds(lambda s: "https://x.test/" + s, text),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rec=recommendations(), previews=st.lists(preview_urls, max_size=10), note=hostile_text)
def test_preview_links_never_break_an_embed(rec, previews, note):
    mapping = {it.track.track_id: url for it, url in zip(rec.tracks, previews, strict=False)}
    embed = recommendation_embed(rec, previews=mapping, note=note)
    assert embed_problems([embed]) == []
    for url in re.findall(r"\[▶ 30 s\]\(([^)]*)\)", embed.description):
        assert safe_url(url) == url
    assert view_problems(results_view(rec, next_key="AbCdEf123456", playlists=True, feedback=True)) == []


def test_long_signed_preview_links_fill_the_page_best_effort():
    items = [
        RecommendedTrack(track=make_track(i, f"Song {i} " + "x" * 60, "Artist"), score=1.0, reason="because " * 20)
        for i in range(10)
    ]
    rec = Recommendation(kind="text", tracks=items, summary="s")
    long = {it.track.track_id: "https://cdnt-preview.dzcdn.net/" + "a" * 260 for it in items}
    embed = recommendation_embed(rec, previews=long)
    assert embed_problems([embed]) == []
    assert 1 <= embed.description.count("[▶ 30 s](") < 10  # as many as fit; the rest are simply left out
    assert "[▶ 30 s](" in embed.description.split("\n\n")[0]  # in list order
    short = {it.track.track_id: f"https://p.scdn.co/mp3-preview/{i}" for i, it in enumerate(items)}
    assert recommendation_embed(rec, previews=short).description.count("[▶ 30 s](") == 10

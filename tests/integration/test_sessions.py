"""Sessions on the shipped catalog (issue 10, item 10): across the pages of one conversation no song comes back under
another track id, one artist does not recur page after page, and the list on screen — whichever path made it — is
what "#3", "more like #3" and "not that artist" mean.

Real engine on a real SQLite copy of the shipped catalog; the console through the real CLI (typer's CliRunner).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from core.conversation import ConversationState
from core.engine import Engine
from core.models import Caller
from core.session import PAGE_ARTIST_CAP, WINDOW_ARTIST_CAP, WINDOW_PAGES, on_screen_artist, same_song_ids

USER = Caller(user_id="u1", platform="test")
#: Broad requests, through every entry: free text (the agent), slash commands, and the engine API with a
#: conversation id (what the Telegram and Discord adapters call). Several of them brought a remaster or another
#: version of an earlier song back within 5 pages before sessions existed (10 repeats over 8 such requests).
CHAT_REQUESTS = ["chill music", "happy pop", "rock", "/recommend party hits", "/similar Blinding Lights"]


def song_keys(engine: Engine, ids: list[str]) -> list[str]:
    t = engine.loaded.table
    return [t.norm_keys[t.pos[i]] for i in ids]


def check_pages(engine: Engine, pages: list[list[str]]) -> None:
    """No normalized song twice over all pages; at most 2 per artist per page and 3 per 3 consecutive pages."""
    t = engine.loaded.table
    flat = [i for p in pages for i in p]
    keys = song_keys(engine, flat)
    assert len(keys) == len(set(keys)), [k for k, c in Counter(keys).items() if c > 1]
    for n, page in enumerate(pages):
        per_page = Counter(a for i in page for a in t.artists[t.pos[i]])
        assert max(per_page.values()) <= PAGE_ARTIST_CAP, (n, per_page.most_common(2))
        window = Counter(a for p in pages[max(0, n - WINDOW_PAGES + 1) : n + 1] for i in p for a in t.artists[t.pos[i]])
        assert max(window.values()) <= WINDOW_ARTIST_CAP, (n, window.most_common(2))


@pytest.mark.parametrize("request_text", CHAT_REQUESTS)
async def test_five_pages_through_chat_never_repeat_a_song_and_cap_artists(engine: Engine, request_text: str) -> None:
    cid = "test:pages"
    pages = []
    reply = await engine.app.chat.chat(cid, USER, request_text)
    for follow_up in ("more", "/more", "next page", "more"):
        assert reply.recommendation is not None and len(reply.recommendation.tracks) == 10, reply.text
        pages.append([t.track.track_id for t in reply.recommendation.tracks])
        reply = await engine.app.chat.chat(cid, USER, follow_up)
    pages.append([t.track.track_id for t in reply.recommendation.tracks])  # type: ignore[union-attr]
    assert len(pages) == 5 and all(len(p) == 10 for p in pages)
    check_pages(engine, pages)


async def test_five_pages_through_the_adapter_api_never_repeat_a_song(engine: Engine) -> None:
    """What the Telegram / Discord "Next page" buttons do: the adapter's own shown list plus the conversation id."""
    cid = "telegram:777"
    pages: list[list[str]] = []
    shown: list[str] = []
    for n in range(5):
        rec = await engine.app.personal.recommend_similar_for(
            USER, ["Blinding Lights"], exclude_ids=shown, conversation_id=cid, first=1 + 10 * n
        )
        pages.append([t.track.track_id for t in rec.tracks])
        shown += pages[-1]
    assert all(len(p) == 10 for p in pages)
    check_pages(engine, pages)
    state = await (await engine.app.sessions.conversation_store()).load_state(cid)
    assert state.last_page == pages[-1] and state.page_first == 41 and state.recent_pages == pages[-3:]
    assert await engine.app.sessions.list_ref(cid, "#43") == pages[-1][2]
    with pytest.raises(Exception, match="41–50"):
        await engine.app.sessions.list_ref(cid, "#3")


async def test_another_version_of_a_shown_song_never_comes_back(engine: Engine) -> None:
    """Find a radio whose first page holds one version of a song and whose next page, with only track ids
    excluded (the old rule), holds another version; through a conversation that second version never comes."""
    t = engine.loaded.table
    by_key: dict[str, list[int]] = {}
    for p in t.alive_positions().tolist():
        by_key.setdefault(t.norm_keys[p], []).append(p)
    case = None
    for ps in (ps for ps in by_key.values() if len(ps) >= 2):
        seed = engine.loaded.recommender.similar([ps[0]], limit=1)[0].pos  # a neighbour of the song, not a version of it
        page1 = [i.track.track_id for i in (await engine.app.discovery.recommend_similar([t.ids[seed]])).tracks]
        old_page2 = [i.track.track_id for i in (await engine.app.discovery.recommend_similar([t.ids[seed]], exclude_ids=page1)).tracks]
        key = t.norm_keys[ps[0]]
        if key in song_keys(engine, page1) and key in song_keys(engine, old_page2):
            case = (t.ids[seed], key)
            break
    assert case is not None, "the shipped catalog has songs under several ids whose versions sit side by side"
    seed_id, key = case
    assert len([i for i in same_song_ids(t, [t.ids[by_key[key][0]]]) if t.norm_keys[t.pos[i]] == key]) >= 2
    cid = "test:versions"
    first = await engine.app.personal.recommend_similar_for(None, [seed_id], conversation_id=cid)
    assert key in song_keys(engine, [i.track.track_id for i in first.tracks])
    more = await engine.app.chat.chat(cid, USER, "more")
    assert more.recommendation is not None and more.recommendation.tracks
    assert key not in song_keys(engine, [i.track.track_id for i in more.recommendation.tracks])


async def test_artist_named_in_the_request_is_not_capped_across_pages(engine: Engine) -> None:
    """ "More Daft Punk"-style requests: the artist asked for may recur (the per-page cap of the request stays)."""
    from core.session import artist_budget

    t = engine.loaded.table
    aid = t.artist_index["the weeknd"]
    weeknd = sorted(t.artist_tracks[aid])[:4]
    pages = [[t.ids[weeknd[0]], t.ids[weeknd[1]]], [t.ids[weeknd[2]]]]
    assert artist_budget(t, pages) == {aid: 0}
    assert artist_budget(t, pages, asked=["The Weeknd"]) == {}
    assert artist_budget(t, pages[:1]) == {aid: 1}


async def test_that_artist_is_the_list_on_screen(engine: Engine) -> None:
    """The old bug: "not that artist" took the artist of a track pointed at in an older list."""
    cid = "test:that"
    first = await engine.app.chat.chat(cid, USER, "/recommend upbeat dance music")
    old = first.recommendation.tracks[3].track  # type: ignore[union-attr]
    await engine.app.chat.chat(cid, USER, "why #4")  # points at #4 of the first list
    second = await engine.app.chat.chat(cid, USER, "/recommend sad acoustic songs")  # a new list on screen
    on_screen = second.recommendation.tracks[0].track  # type: ignore[union-attr]
    state = await (await engine.app.sessions.conversation_store()).load_state(cid)
    assert state.focus is None  # the old pointer went away with its list
    assert on_screen_artist(engine.loaded.table, state) == on_screen.artists[0]
    refined = await engine.app.chat.chat(cid, USER, "not that artist")
    excluded = refined.recommendation.filters.exclude_artists  # type: ignore[union-attr]
    assert on_screen.artists[0] in excluded
    if old.artists[0] != on_screen.artists[0]:
        assert old.artists[0] not in excluded

    again = await engine.app.chat.chat(cid, USER, "no more of them")  # same meaning, on the list now on screen
    now = refined.recommendation.tracks[0].track.artists[0]  # type: ignore[union-attr]
    assert now in again.recommendation.filters.exclude_artists  # type: ignore[union-attr]


def test_show_page_forgets_a_focus_not_on_the_new_list() -> None:
    state = ConversationState(focus="x", last_page=["x", "y"])
    state.show_page(["y", "z"], ["", ""])
    assert state.focus is None and state.recent_pages == [["y", "z"]]
    state.focus = "z"
    state.show_page(["z", "w"], ["", ""])
    assert state.focus == "z"
    for n in range(5):
        state.show_page([f"p{n}"], [""])
    state.show_page(["s"], [""], remember=False)  # a search: on screen, but not a recommendation page
    assert state.last_page == ["s"] and state.recent_pages == [["p2"], ["p3"], ["p4"]]


# ---------------------------------------------------------------------------------------------- console
LINK = re.compile(r"open\.spotify\.com/track/([0-9A-Za-z]{22})")


def test_console_more_like_3_and_pages_without_repeats(db_copy: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for key in ("MODEL", "GOOGLE_API_KEY", "OPENAI_API_KEY", "DATABASE_URL"):
        monkeypatch.delenv(key, raising=False)
    lines = ["/recommend chill study music", "more like #3", "more", "/more", "next page", "/quit"]
    result = CliRunner().invoke(app, ["chat", "--db", str(db_copy)], input="\n".join(lines) + "\n", env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    blocks = result.output.split("you>")[1:6]
    pages = [list(dict.fromkeys(LINK.findall(b))) for b in blocks]
    assert len(pages) == 5 and all(len(p) == 10 for p in pages), [len(p) for p in pages]
    import asyncio

    async def check() -> None:
        engine = await Engine.open(db_copy)
        try:
            third = engine.loaded.table.track(engine.loaded.table.pos[pages[0][2]])
            assert f"Tracks like {third.title}" in blocks[1]
            check_pages(engine, pages[1:])  # the radio of #3 and its next pages
            keys = song_keys(engine, [i for p in pages for i in p])
            assert len(keys) == len(set(keys))
        finally:
            await engine.close()

    asyncio.run(check())


async def test_a_second_worker_sees_the_list_on_screen(db_copy: Path) -> None:
    """Two engines (two worker processes' worth of state) on one database: a list shown through one is what
    "more like #3", "#2" and "more" mean on the other."""
    one, two = await Engine.open(db_copy), await Engine.open(db_copy)
    try:
        cid = "telegram:4242"
        rec = await one.app.personal.recommend_text_for(USER, "chill study music", conversation_id=cid)
        page = [i.track.track_id for i in rec.tracks]  # type: ignore[union-attr]
        assert await two.app.sessions.list_ref(cid, "#2") == page[1]
        reply = await two.app.chat.chat(cid, USER, "more like #3")
        assert reply.recommendation is not None and reply.recommendation.kind == "similar"
        assert page[2] in reply.recommendation.query and not {i.track.track_id for i in reply.recommendation.tracks} & set(page)
        more = await one.app.chat.chat(cid, USER, "/more")  # back on the first worker: continues the second one's list
        shown = set(page) | {i.track.track_id for i in reply.recommendation.tracks}
        assert more.recommendation is not None and more.recommendation.kind == "similar"
        assert not {i.track.track_id for i in more.recommendation.tracks} & shown
    finally:
        await one.close()
        await two.close()

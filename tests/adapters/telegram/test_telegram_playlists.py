"""Issue 6 on Telegram, end to end over real HTTP on 127.0.0.1: shared playlists, likes/dislikes, previews.

The real PTB Application polls the fake Bot API server (``telegram_fake_api.py``); previews are looked up on the fake
Spotify/Deezer/iTunes servers (``tests/fakes/music_apis.py``) through the real ``PreviewService`` and its SQLite cache.
"""

from __future__ import annotations

import asyncio
import html
import re
import time
from typing import Any

from tg_harness import ADMIN_ID, GROUP_ID, USER_ID, Harness
from tg_htmlcheck import check_html, utf16

from adapters.telegram.handlers import EXPIRED
from core.models import Caller

OTHER_ID = 777  # a plain member of the group
GROUP_ADMIN_ID = 888  # a Telegram administrator of the group (not a bot admin)
TRACK_LINK = re.compile(r"https://open\.spotify\.com/track/([0-9A-Za-z]{22})")
DZ = "https://cdnt-preview.dzcdn.net/api/1/1/{}.mp3?hdnea=exp=4102444800~acl=/api/1/1/*~hmac=ab&x=1"
IT = "https://audio-ssl.itunes.apple.com/itunes-assets/{}.m4a"


# ---------------------------------------------------------------------------------------------- helpers
def keyboard(call: Any) -> dict[str, str]:
    """button text -> callback_data of a sendMessage / editMessageText / editMessageReplyMarkup call."""
    markup = call.params.get("reply_markup") or {}
    return {b["text"]: b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row}


def rows(call: Any) -> list[list[str]]:
    markup = call.params.get("reply_markup") or {}
    return [[b["text"] for b in row] for row in markup.get("inline_keyboard", [])]


def ids_in(call: Any) -> list[str]:
    return TRACK_LINK.findall(call.params["text"])


def plain(call: Any) -> str:
    return html.unescape(check_html(call.params["text"]))


def unexpected_errors(h: Harness) -> list:
    return [c for c in h.api.errors() if not (c.method == "setMyCommands" and c.error.endswith("chat not found"))]


def group(bot: Harness) -> None:
    bot.api.add_chat(GROUP_ID, "supergroup")
    bot.api.chat_roles[(GROUP_ID, GROUP_ADMIN_ID)] = "administrator"


async def say(bot: Harness, text: str, user_id: int = USER_ID, chat_id: int | None = GROUP_ID) -> Any:
    """Send a message (in the group by default) and return the bot's first reply in that chat."""
    (reply,) = await bot.ask(text, user_id=user_id, chat_id=user_id if chat_id is None else chat_id)
    return reply


async def press(bot: Harness, call: Any, data: str, user_id: int = USER_ID) -> tuple[int, Any]:
    """Press a button on the message ``call`` produced; returns (mark before the press, the answerCallbackQuery)."""
    since = bot.api.mark()
    qid = await bot.api.push_callback(bot.api.message(call), data, user_id=user_id)
    (answer,) = await bot.api.wait_for("answerCallbackQuery", since=since, callback_query_id=qid)
    return since, answer


def pl_group() -> str:
    return f"telegram:{GROUP_ID}"


def caller(user_id: int) -> Caller:
    return Caller(user_id=str(user_id), platform="telegram")


# ---------------------------------------------------------------------------------------------- playlists
async def test_playlist_create_add_show_round_trip(bot: Harness) -> None:
    group(bot)
    created = await say(bot, "/pl_create Road Trip")
    assert "Created playlist “Road Trip”" in plain(created)
    assert "already exists" in plain(await say(bot, "/pl_create road TRIP"))

    listing = await say(bot, "/recommend party music")
    shown = ids_in(listing)
    added = await say(bot, "/pl_add Road Trip | #1; #2")
    assert plain(added) == '✅ Added 2 tracks to "Road Trip" (2/500).'
    t3 = await bot.engine.app.tracks.get_track(shown[2])
    added = await say(bot, f"/pl_add road trip {t3.title} - {t3.artists[0]}")  # no "|": the name is recognised
    assert "Added" in plain(added) and "(3/500)" in plain(added)
    dup = await say(bot, "/pl_add Road Trip | #1")
    assert "already in" in plain(dup) and plain(dup).startswith("ℹ️")

    # playlists belong to the chat: telegram:<chat_id>
    (pl,) = await bot.engine.app.playlists.list(pl_group())
    assert pl.name == "Road Trip" and pl.track_count == 3 and pl.created_by == f"telegram:{USER_ID}"
    assert await bot.engine.app.playlists.list(f"telegram:{USER_ID}") == []
    assert "No playlists in this chat yet" in plain(await say(bot, "/playlists", chat_id=None))

    # 12 more (by id) -> two pages of 10
    more = [bot.engine.loaded.table.ids[p] for p in range(40, 52)]
    assert "Added 12 tracks" in plain(await say(bot, "/pl_add Road Trip | " + "; ".join(more)))
    show = await say(bot, "/pl_show road trip")
    text = plain(show)
    assert text.startswith("📋 Road Trip — 15 tracks · page 1/2")
    assert re.findall(r"^(\d+)\. ", text, re.M) == [str(i) for i in range(1, 11)]
    assert ids_in(show)[:3] == shown[:3]
    assert rows(show) == [["1/2", "Next ▶"], ["🎧 Recommend from it", "📤 Export"]]

    since, answer = await press(bot, show, keyboard(show)["Next ▶"])
    (edit,) = await bot.api.wait_for("editMessageText", since=since)
    assert answer.index < edit.index  # answered at once
    assert edit.params["message_id"] == show.result["message_id"]
    assert re.findall(r"^(\d+)\. ", plain(edit), re.M) == [str(i) for i in range(11, 16)]
    assert ids_in(edit) == more[7:]
    assert rows(edit)[0] == ["◀ Prev", "2/2"]

    page2 = await say(bot, "/pl_show Road Trip 2")
    assert "page 2/2" in plain(page2)
    listing = await say(bot, "/playlists")
    assert "• “Road Trip” — 15 tracks" in plain(listing) and keyboard(listing) == {"📋 Road Trip (15)": f"v|{pl.playlist_id}|1"}

    missing = await say(bot, "/pl_show Road Trp")
    assert "No playlist “Road Trp”" in plain(missing) and "Road Trip" in plain(missing).split("Did you mean")[1]
    usage = await say(bot, "/pl_add Road Trip")
    assert "Usage: /pl_add" in plain(usage)
    bad = await say(bot, "/pl_add Road Trip | #99")
    assert "#99 is not one of them" in plain(bad)

    # remove by the number /pl_show gave, by the one who added it
    removed = await say(bot, "/pl_remove Road Trip | #1")
    assert "Removed" in plain(removed)
    assert (await bot.engine.app.playlists.get(pl_group(), "Road Trip")).track_count == 14
    assert unexpected_errors(bot) == []


async def test_playlist_subcommands_rename_and_recommend(bot: Harness) -> None:
    group(bot)
    assert "Created" in plain(await say(bot, "/playlist create Chill Set"))
    refs = [bot.engine.loaded.table.ids[p] for p in range(5)]
    assert "Added 5 tracks" in plain(await say(bot, "/playlist add Chill Set | " + "; ".join(refs)))
    assert "• “Chill Set” — 5 tracks" in plain(await say(bot, "/playlist"))
    renamed = await say(bot, "/pl_rename Chill Set | Evening Set")
    assert "Renamed “Chill Set” to “Evening Set”" in plain(renamed)
    assert "already exists" in plain(await say(bot, "/pl_create evening set"))

    rec = await say(bot, "/pl_recommend Evening Set")
    first = ids_in(rec)
    assert plain(rec).startswith("🎧 For “Evening Set”") and len(first) == 10
    assert not set(first) & set(refs)
    assert "Next page ▶" in keyboard(rec) and "➕ Add to playlist" in keyboard(rec)
    since, _ = await press(bot, rec, keyboard(rec)["Next page ▶"])
    (edit,) = await bot.api.wait_for("editMessageText", since=since)
    second = ids_in(edit)
    assert second and not set(second) & (set(first) | set(refs))
    assert re.findall(r"^(\d+)\. ", plain(edit), re.M)[0] == "11"

    # the same from the 🎧 button under /pl_show
    show = await say(bot, "/pl_show Evening Set")
    since, _ = await press(bot, show, keyboard(show)["🎧 Recommend from it"])
    (again,) = await bot.api.wait_for("sendMessage", since=since, chat_id=GROUP_ID)
    assert plain(again).startswith("🎧 For “Evening Set”") and len(ids_in(again)) == 10
    # one conversation never shows a song twice: the button continues past both pages already shown
    assert not set(ids_in(again)) & (set(first) | set(second) | set(refs))
    assert unexpected_errors(bot) == []


async def test_export_links_message_and_document_when_long(bot: Harness) -> None:
    group(bot)
    await say(bot, "/pl_create Short")
    short = [bot.engine.loaded.table.ids[p] for p in (3, 1, 4, 15, 9)]
    await say(bot, "/pl_add Short | " + "; ".join(short))
    export = await say(bot, "/pl_export Short")
    lines = plain(export).split("\n")
    assert lines[0] == "📤 Short — 5 tracks"
    assert lines[1:] == [f"https://open.spotify.com/track/{i}" for i in short]  # all links, in order, one message
    uris = await say(bot, "/pl_export Short | uris")
    assert plain(uris).split("\n")[1:] == [f"spotify:track:{i}" for i in short]

    # from the 📤 button under /pl_show
    show = await say(bot, "/pl_show Short")
    since, _ = await press(bot, show, keyboard(show)["📤 Export"])
    (again,) = await bot.api.wait_for("sendMessage", since=since, chat_id=GROUP_ID)
    assert again.params["text"] == export.params["text"]

    # 90 tracks: 90 links do not fit in 4,096 characters -> one .txt document with every link
    await say(bot, "/pl_create Long Drive: Ünïcode & <Friends>")
    long_ids = [bot.engine.loaded.table.ids[p] for p in range(100, 190)]
    added = await say(bot, "/pl_add Long Drive: Ünïcode & <Friends> | " + "; ".join(long_ids))
    assert "Added 90 tracks" in plain(added)
    since = bot.api.mark()
    await bot.api.push_message("/pl_export long drive: ünïcode & <friends>", user_id=OTHER_ID, chat_id=GROUP_ID)
    (doc,) = await bot.api.wait_for("sendDocument", since=since, chat_id=GROUP_ID)
    file = doc.params["document"]
    assert file["filename"] == "long-drive-unicode-friends.txt"
    assert file["content"].decode().splitlines() == [f"https://open.spotify.com/track/{i}" for i in long_ids]
    caption = check_html(doc.params["caption"])
    assert caption.startswith("📤 Long Drive: Ünïcode & <Friends> — 90 tracks") and utf16(caption) <= 1024
    assert bot.api.find("sendMessage", since=since, chat_id=GROUP_ID) == []

    await say(bot, "/pl_create Empty")
    empty = await say(bot, "/pl_export Empty")
    assert "It's empty" in plain(empty)
    assert unexpected_errors(bot) == []


async def test_add_to_playlist_button(bot: Harness) -> None:
    group(bot)
    listing = await say(bot, "/recommend chill music")
    shown = ids_in(listing)
    buttons = keyboard(listing)
    assert rows(listing)[4] == ["➕ Add to playlist", "👍 Like…", "👎 Dislike…"]
    assert max(len(r) for r in rows(listing)) <= 8

    # no playlist yet: friendly alert, nothing changes
    since, answer = await press(bot, listing, buttons["➕ Add to playlist"])
    (picker,) = await bot.api.wait_for("editMessageReplyMarkup", since=since)
    assert answer.index < picker.index
    assert rows(picker) == [[f"➕ #{i}" for i in range(1, 6)], [f"➕ #{i}" for i in range(6, 11)], ["« Back"]]
    _, answer = await press(bot, listing, keyboard(picker)["➕ #3"])
    assert "No playlists in this chat yet" in answer.params["text"] and answer.params["show_alert"] is True

    await say(bot, "/pl_create Mix")
    await say(bot, "/pl_create Zebra")
    await bot.engine.app.playlists.add(caller(USER_ID), pl_group(), "Zebra", [shown[0]])  # most recently updated: first
    since, answer = await press(bot, listing, keyboard(picker)["➕ #3"], user_id=OTHER_ID)
    (choose,) = await bot.api.wait_for("editMessageReplyMarkup", since=since)
    assert answer.index < choose.index and answer.params["text"] == "Add to which playlist?"
    assert rows(choose) == [["Zebra (1)", "Mix (0)"], ["« Back"]]
    mix = (await bot.engine.app.playlists.get(pl_group(), "Mix")).playlist_id
    assert keyboard(choose)["Mix (0)"] == f"t|{buttons['➕ Add to playlist'].split('|')[1]}|2|{mix}"

    since, answer = await press(bot, listing, keyboard(choose)["Mix (0)"], user_id=OTHER_ID)
    (done,) = await bot.api.wait_for("sendMessage", since=since, chat_id=GROUP_ID)
    (restored,) = await bot.api.wait_for("editMessageReplyMarkup", since=since)
    assert answer.index < done.index
    track = await bot.engine.app.tracks.get_track(shown[2])
    assert plain(done).startswith("✅ Added") and track.title in plain(done) and '"Mix" (1/500)' in plain(done)
    assert keyboard(restored) == buttons  # the list's own keyboard is back
    page = await bot.engine.app.playlists.show(pl_group(), "Mix")
    assert [e.track_id for e in page.entries] == [shown[2]] and page.entries[0].added_by == f"telegram:{OTHER_ID}"

    # the same press again: a no-op with a message
    since, _ = await press(bot, listing, keyboard(choose)["Mix (0)"])
    (dup,) = await bot.api.wait_for("sendMessage", since=since, chat_id=GROUP_ID)
    assert "already in" in plain(dup)
    assert (await bot.engine.app.playlists.get(pl_group(), "Mix")).track_count == 1

    # Back from a picker; expired keys are friendly
    since, _ = await press(bot, listing, buttons["👍 Like…"])
    await bot.api.wait_for("editMessageReplyMarkup", since=since)
    since, _ = await press(bot, listing, f"b|{buttons['👍 Like…'].split('|')[1]}")
    (back,) = await bot.api.wait_for("editMessageReplyMarkup", since=since)
    assert keyboard(back) == buttons
    for data in ("k|nokey123|a", f"t|nokey123|2|{mix}", "l|nokey123|0", "v|notanint|1"):
        _, answer = await press(bot, listing, data)
        assert answer.params["text"] == EXPIRED and answer.params["show_alert"] is True

    # a button for a playlist deleted meanwhile
    await bot.engine.app.playlists.delete(caller(USER_ID), pl_group(), "Mix")
    since, _ = await press(bot, listing, keyboard(choose)["Mix (0)"])
    (gone,) = await bot.api.wait_for("sendMessage", since=since, chat_id=GROUP_ID)
    assert "No playlist" in plain(gone)
    assert unexpected_errors(bot) == []


# ---------------------------------------------------------------------------------------------- feedback
async def test_dislikes_never_come_back_and_likes_are_recorded(bot: Harness) -> None:
    first = await say(bot, "/recommend party music", chat_id=None)
    top = ids_in(first)
    buttons = keyboard(first)

    since, answer = await press(bot, first, buttons["👎 Dislike…"])
    (picker,) = await bot.api.wait_for("editMessageReplyMarkup", since=since)
    assert rows(picker)[0] == [f"👎 #{i}" for i in range(1, 6)]
    since, answer = await press(bot, first, keyboard(picker)["👎 #1"])
    assert "won't suggest" in answer.params["text"] and len(answer.params["text"]) <= 200
    await asyncio.sleep(0.1)
    assert bot.api.find("sendMessage", since=since) == []  # feedback is a toast, not a chat message
    for _ in range(50):
        if top[0] in await bot.engine.app.personal.disliked_ids(caller(USER_ID)):
            break
        await asyncio.sleep(0.02)
    assert await bot.engine.app.personal.disliked_ids(caller(USER_ID)) == {top[0]}

    second_title = (await bot.engine.app.tracks.get_track(top[1])).title
    reply = await say(bot, f"/dislike {top[1]}", chat_id=None)
    assert plain(reply).startswith("👎 Disliked") and second_title in plain(reply)

    fresh = await say(bot, "/recommend party music", chat_id=None)
    assert not set(ids_in(fresh)) & set(top)  # the same conversation never shows a song twice ...
    await say(bot, "/reset", chat_id=None)  # ... so forget it, to see what the dislikes alone change
    again = await say(bot, "/recommend party music", chat_id=None)
    assert top[0] not in ids_in(again) and top[1] not in ids_in(again)
    assert set(top[2:]) & set(ids_in(again))  # the rest of the list is still there
    since, _ = await press(bot, again, keyboard(again)["Next page ▶"])
    (page2,) = await bot.api.wait_for("editMessageText", since=since)
    assert not {top[0], top[1]} & set(ids_in(page2))
    since, _ = await press(bot, again, keyboard(again)["More like #1"])
    (similar,) = await bot.api.wait_for("sendMessage", since=since, chat_id=USER_ID)
    assert not {top[0], top[1]} & set(ids_in(similar))
    similar = await say(bot, f"/similar {top[0]}", chat_id=None)
    assert not {top[0], top[1]} & set(ids_in(similar))

    other = await say(bot, "/recommend party music", user_id=OTHER_ID, chat_id=None)
    assert ids_in(other)[:2] == top[:2]  # someone else's dislikes don't touch this user's lists

    # likes: by command (#n of the last list) and by button; both recorded for the presser
    liked = await say(bot, "/like #2", user_id=OTHER_ID, chat_id=None)
    assert plain(liked).startswith("👍 Liked")
    since, _ = await press(bot, other, keyboard(other)["👍 Like…"], user_id=OTHER_ID)
    (picker,) = await bot.api.wait_for("editMessageReplyMarkup", since=since)
    _, answer = await press(bot, other, keyboard(picker)["👍 #4"], user_id=OTHER_ID)
    assert answer.params["text"].startswith("👍 Liked")
    for _ in range(50):
        if len(await bot.engine.app.feedback.liked_ids(caller(OTHER_ID))) == 2:
            break
        await asyncio.sleep(0.02)
    assert set(await bot.engine.app.feedback.liked_ids(caller(OTHER_ID))) == {top[1], ids_in(other)[3]}
    assert "already like" in plain(await say(bot, f"/like {top[1]}", user_id=OTHER_ID, chat_id=None))
    assert "Which song?" in plain(await say(bot, "/like", chat_id=None))
    assert "couldn't find" in plain(await say(bot, "/dislike qqqzzzxxx no such song", chat_id=None))

    # /song has direct 👍 / 👎 buttons
    song = await say(bot, f"/song {top[5]}", chat_id=None)
    _, answer = await press(bot, song, keyboard(song)["👎"])
    assert "won't suggest" in answer.params["text"]
    for _ in range(50):
        if top[5] in await bot.engine.app.personal.disliked_ids(caller(USER_ID)):
            break
        await asyncio.sleep(0.02)
    assert top[5] in await bot.engine.app.personal.disliked_ids(caller(USER_ID))
    final = await say(bot, "/recommend party music", chat_id=None)
    assert not {top[0], top[1], top[5]} & set(ids_in(final))
    assert unexpected_errors(bot) == []


async def test_likes_shape_later_recommendations(bot: Harness) -> None:
    first = await say(bot, "/recommend chill music", chat_id=None)
    ids = ids_in(first)
    for n in (6, 7, 8):
        await say(bot, f"/like #{n}", chat_id=None)
    again = await say(bot, "/recommend chill music", chat_id=None)
    assert ids_in(again) != ids  # the taste profile reorders this user's list ...
    other = await say(bot, "/recommend chill music", user_id=OTHER_ID, chat_id=None)
    assert ids_in(other) == ids  # ... and only theirs


# ---------------------------------------------------------------------------------------------- permissions
async def test_delete_rename_remove_need_creator_or_admin(bot: Harness) -> None:
    group(bot)
    await say(bot, "/pl_create Mine")
    refs = [bot.engine.loaded.table.ids[p] for p in range(3)]
    await say(bot, "/pl_add Mine | " + "; ".join(refs))

    since = bot.api.mark()
    refused = await say(bot, "/pl_delete Mine", user_id=OTHER_ID)
    assert plain(refused) == "🚫 Only the playlist's creator or a group admin can delete “Mine”."
    assert "reply_markup" not in refused.params
    assert bot.api.find("getChatMember", since=since, user_id=OTHER_ID)  # asked Telegram whether they are an admin
    assert "only admins can rename" in plain(await say(bot, "/pl_rename Mine | Theirs", user_id=OTHER_ID))
    assert "only admins can remove" in plain(await say(bot, "/pl_remove Mine | #1", user_id=OTHER_ID))
    # ... and the button of a confirmation someone else got does not help
    prompt = await say(bot, "/pl_delete Mine")
    assert "Delete the playlist “Mine” (3 tracks)?" in plain(prompt)
    since, _ = await press(bot, prompt, keyboard(prompt)["🗑 Delete"], user_id=OTHER_ID)
    (no,) = await bot.api.wait_for("sendMessage", since=since, chat_id=GROUP_ID)
    assert plain(no).startswith("🚫")
    pl = await bot.engine.app.playlists.get(pl_group(), "Mine")
    assert pl.name == "Mine" and pl.track_count == 3

    # cancel keeps it
    since, answer = await press(bot, prompt, keyboard(prompt)["Cancel"])
    (edit,) = await bot.api.wait_for("editMessageText", since=since)
    assert answer.params["text"] == "Cancelled." and "nothing was deleted" in plain(edit)
    assert (await bot.engine.app.playlists.get(pl_group(), "Mine")).track_count == 3

    # a Telegram group administrator may; asked once, then cached
    prompt = await say(bot, "/pl_delete Mine", user_id=GROUP_ADMIN_ID)
    since, answer = await press(bot, prompt, keyboard(prompt)["🗑 Delete"], user_id=GROUP_ADMIN_ID)
    (edit,) = await bot.api.wait_for("editMessageText", since=since)
    assert answer.index < edit.index
    assert plain(edit) == "🗑 Deleted “Mine” (3 tracks)."
    assert await bot.engine.app.playlists.list(pl_group()) == []
    assert len(bot.api.find("getChatMember", user_id=GROUP_ADMIN_ID)) == 1

    # the creator, and a bot admin (TELEGRAM_ADMIN_IDS), may too — without asking Telegram
    await say(bot, "/pl_create Again")
    await say(bot, "/pl_rename Again | Renamed")
    since = bot.api.mark()
    prompt = await say(bot, "/pl_delete Renamed", user_id=ADMIN_ID)
    assert "Delete the playlist" in plain(prompt) and not bot.api.find("getChatMember", since=since)
    since, _ = await press(bot, prompt, keyboard(prompt)["🗑 Delete"], user_id=ADMIN_ID)
    await bot.api.wait_for("editMessageText", since=since)
    assert await bot.engine.app.playlists.list(pl_group()) == []

    # in a private chat the user owns the chat's playlists
    await say(bot, "/pl_create Solo", chat_id=None)
    prompt = await say(bot, "/pl_delete Solo", chat_id=None)
    since, _ = await press(bot, prompt, keyboard(prompt)["🗑 Delete"])
    await bot.api.wait_for("editMessageText", since=since)
    assert await bot.engine.app.playlists.list(f"telegram:{USER_ID}") == []
    assert unexpected_errors(bot) == []


# ---------------------------------------------------------------------------------------------- previews
async def test_preview_command_success_and_failure_paths(bot: Harness) -> None:
    table = bot.engine.loaded.table
    a, b, c, d = (table.track(p) for p in (10, 11, 12, 13))
    bot.music.deezer.add(a.title, a.artists[0], DZ.format("a"))
    bot.music.itunes.add(b.title, b.artists[0], IT.format("b"))
    bot.music.deezer.add(d.title, d.artists[0], DZ.format("fail"))  # Telegram cannot fetch this one

    since = bot.api.mark()
    await bot.api.push_message(f"/preview {a.track_id}")
    (audio,) = await bot.api.wait_for("sendAudio", since=since)
    assert audio.params["audio"] == DZ.format("a")
    assert "30-second preview via Deezer" in check_html(audio.params["caption"])

    since = bot.api.mark()
    await bot.api.push_message(f"/preview {b.title} - {b.artists[0]}")  # not on Deezer: iTunes has it
    (audio,) = await bot.api.wait_for("sendAudio", since=since)
    assert audio.params["audio"] == IT.format("b") and "via iTunes" in audio.params["caption"]

    none = await say(bot, f"/preview {c.track_id}", chat_id=None)  # nowhere: friendly, with the Spotify links
    text = plain(none)
    assert "No 30-second preview is available" in text and "Open in Spotify" in text
    assert f'href="https://open.spotify.com/track/{c.track_id}"' in none.params["text"]
    assert none.params["link_preview_options"]["url"] == c.spotify_url

    fallback = await say(bot, f"/preview {d.track_id}", chat_id=None)  # sendAudio failed: the link instead
    assert "30-second preview (via Deezer)" in plain(fallback)
    assert html.escape(DZ.format("fail"), quote=True) in fallback.params["text"]

    # every provider down (500 / malformed): still a friendly reply, nothing cached as "no preview"
    e = table.track(14)
    bot.music.deezer.behaviour.mode = "500"
    bot.music.itunes.behaviour.mode = "malformed"
    down = await say(bot, f"/preview {e.track_id}", chat_id=None)
    assert "No 30-second preview" in plain(down)
    bot.music.deezer.behaviour.mode = bot.music.itunes.behaviour.mode = "ok"
    bot.music.deezer.add(e.title, e.artists[0], DZ.format("e"))
    since = bot.api.mark()
    await bot.api.push_message(f"/preview {e.track_id}")
    (audio,) = await bot.api.wait_for("sendAudio", since=since)
    assert audio.params["audio"] == DZ.format("e")

    # cached: no new request to the fakes
    before = bot.music.total_requests
    since = bot.api.mark()
    await bot.api.push_message(f"/preview {a.track_id}")
    await bot.api.wait_for("sendAudio", since=since)
    assert bot.music.total_requests == before

    assert "couldn't find" in plain(await say(bot, "/preview qqqzzzxxx nothing like it", chat_id=None))
    listing = await say(bot, "/search " + a.title, chat_id=None)
    n = ids_in(listing).index(a.track_id) + 1
    since = bot.api.mark()
    await bot.api.push_message(f"/preview #{n}")
    (audio,) = await bot.api.wait_for("sendAudio", since=since)
    assert audio.params["audio"] == DZ.format("a")
    assert [c.error for c in unexpected_errors(bot)] == ["Bad Request: failed to get HTTP URL content"]  # d's audio


async def test_preview_links_in_list_replies(bot: Harness) -> None:
    expected = await bot.engine.app.personal.recommend_text_for(caller(USER_ID), "happy party")
    t1, t2 = expected.tracks[0].track, expected.tracks[1].track
    bot.music.deezer.add(t1.title, t1.artists[0], DZ.format("one"))
    bot.music.itunes.add(t2.title, t2.artists[0], IT.format("two"))
    reply = await say(bot, "/recommend happy party", chat_id=None)
    assert ids_in(reply) == [t.track.track_id for t in expected.tracks]
    lines = plain(reply).split("\n")
    first = next(line for line in lines if line.startswith("1. "))
    assert first.endswith("· ▶ preview")
    assert reply.params["text"].count("▶ preview</a>") == 2
    assert html.escape(DZ.format("one"), quote=True) in reply.params["text"] and IT.format("two") in reply.params["text"]

    song = await say(bot, f"/song {t1.track_id}", chat_id=None)
    assert "▶ preview" in plain(song)


async def test_preview_links_never_delay_or_fail_a_reply(start_bot) -> None:
    bot = await start_bot(build_kwargs={"preview_budget_s": 0.3}, preview_config={"timeout_s": 5.0})
    bot.music.deezer.behaviour.mode = "timeout"
    bot.music.deezer.behaviour.delay_s = 3.0
    started = time.monotonic()
    reply = await say(bot, "/recommend sad rock", chat_id=None)
    elapsed = time.monotonic() - started
    assert elapsed < 1.5, elapsed
    assert len(ids_in(reply)) == 10 and "▶ preview" not in plain(reply)

    # the engine's preview_urls blowing up is not the reply's problem either
    async def broken(*args: Any, **kwargs: Any) -> dict[str, str | None]:
        raise RuntimeError("preview service exploded")

    bot.engine.app.personal.preview_urls = broken  # type: ignore[method-assign]
    reply = await say(bot, "/recommend happy", chat_id=None)
    assert len(ids_in(reply)) == 10
    del bot.engine.app.personal.preview_urls
    assert unexpected_errors(bot) == []


async def test_help_and_menu_list_the_new_commands(bot: Harness) -> None:
    (default,) = [c for c in bot.api.find("setMyCommands") if (c.params.get("scope") or {}).get("type", "default") == "default"]
    names = {c["command"] for c in default.params["commands"]}
    assert {"like", "dislike", "playlists", "pl_create", "pl_add", "pl_show", "pl_remove", "pl_rename", "pl_delete",
            "pl_recommend", "pl_export", "preview"} <= names
    help_text = plain(await say(bot, "/help", chat_id=None))
    assert "/pl_add" in help_text and "/dislike" in help_text

"""A whole conversation in Spanish, Portuguese, French and German through the application layer (``app.chat.chat``)
and the console and Telegram renderings: no fixed English line may show up.

The English lines looked for are built from the English tables (:data:`core.reply_words.REPLY_WORDS`,
:data:`core.reason_words.REASON_WORDS`, the command registry's summaries): every piece of a template between its
fields that has two words or more and is not also in the language's own table. Catalog text (titles, artists,
albums, labels, playlist names) is set aside first. The same conversation in English must
show some of those pieces, so the check can fail.
"""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from adapters.console.render import print_reply
from adapters.telegram.keyboards import PageState, list_keyboard
from adapters.telegram.render import render_chat_reply
from core.commands import REGISTRY
from core.models import Caller, ChatReply, Role
from core.reason_words import REASON_WORDS
from core.references import MAX_TEXT
from core.reply_words import REPLY_WORDS

#: One conversation per language: a request, "more", /more, a follow-up, "why #2", #N, /like, slash commands with and
#: without results, a substituted song, an unknown song, an empty request, a count over the cap, a missing #N,
#: /help, an unknown command, a non-track link, a too-long message, /reset.
CONVERSATIONS: dict[str, list[str]] = {
    "es": ["canciones tristes para llorar", "más", "/more", "más lento", "por qué el #2", "#3", "/like #1",
           "/similar Blinding Lights - Coldplay", "/search daft punk", "/search zzqqxx", "/similar zzqqxx nada",
           "/recommend", "quiero 80 canciones alegres para bailar", "#99", "/help", "/next",
           "https://open.spotify.com/album/4yP0hdKOZPNshxUOjY0cZj", "x" * (MAX_TEXT + 10), "/reset"],
    "pt": ["músicas tristes para chorar", "mais", "/more", "mais lento", "por que o #2", "#3", "/like #1",
           "/similar Blinding Lights - Coldplay", "/search daft punk", "/search zzqqxx", "/similar zzqqxx nada",
           "/recommend", "quero 80 músicas alegres para dançar", "#99", "/help", "/next",
           "https://open.spotify.com/album/4yP0hdKOZPNshxUOjY0cZj", "x" * (MAX_TEXT + 10), "/reset"],
    "fr": ["des chansons tristes pour pleurer", "encore", "/more", "plus lent", "pourquoi le #2", "#3", "/like #1",
           "/similar Blinding Lights - Coldplay", "/search daft punk", "/search zzqqxx", "/similar zzqqxx rien",
           "/recommend", "je veux 80 chansons joyeuses pour danser", "#99", "/help", "/next",
           "https://open.spotify.com/album/4yP0hdKOZPNshxUOjY0cZj", "x" * (MAX_TEXT + 10), "/reset"],
    "de": ["traurige Lieder zum Weinen", "mehr", "/more", "langsamer", "warum die #2", "#3", "/like #1",
           "/similar Blinding Lights - Coldplay", "/search daft punk", "/search zzqqxx", "/similar zzqqxx nichts",
           "/recommend", "ich will 80 fröhliche Lieder zum Tanzen", "#99", "/help", "/next",
           "https://open.spotify.com/album/4yP0hdKOZPNshxUOjY0cZj", "x" * (MAX_TEXT + 10), "/reset"],
}
ENGLISH = ["sad songs to cry to", "more", "/more", "/like #1", "/search daft punk", "/search zzqqxx", "/similar zzqqxx nothing",
           "/recommend", "give me 80 happy songs to dance to", "#99", "/next"]


#: Pieces of the English lines that every language writes the same: the example song of the usage hints.
SAME_EVERYWHERE = {"Blinding Lights", "Blinding Lights - The Weeknd"}


def _pieces(template: str) -> list[str]:
    """The fixed parts of a template between its ``{fields}``, trimmed of punctuation."""
    return [p.strip(" .,;:—-()“”\"'#?!") for p in re.split(r"\{\w+\}", template)]


def english_fragments(lang: str) -> set[str]:
    """English pieces (2+ words, 8+ characters) of the tables, plus a counted word ("10 tracks") — each as a regex.
    A one-word line the language writes the same way ("Page 2" in French, "Genre") is not looked for."""
    english = [*REPLY_WORDS["en"].items(), *REASON_WORDS["en"].items(), *((s.name, s.summary) for s in REGISTRY)]
    out = set()
    for key, template in english:
        for piece in _pieces(template):
            if len(piece.split()) >= 2 and len(piece) >= 8 and piece not in SAME_EVERYWHERE:
                out.add(re.escape(piece))
        counted = re.fullmatch(r"\{\w+\} ([A-Za-z]{4,})|([A-Za-z]{4,}) \{\w+\}", template)
        same = REPLY_WORDS[lang].get(key) == template or REASON_WORDS[lang].get(key) == template
        if counted and not same:
            word = counted.group(1) or counted.group(2)
            out.add(rf"\b\d+ {word}\b" if counted.group(1) else rf"\b{word} \d+\b")
    return out


def _catalog_text(reply: ChatReply) -> list[str]:
    """What the catalog says (titles, artists, albums, labels, playlist names): not the product's wording."""
    tracks = [it.track for it in reply.recommendation.tracks] if reply.recommendation else []
    if reply.track is not None:
        tracks.append(reply.track)
    out: list[str] = []
    for t in tracks:
        out += [t.title, t.artist, t.album, *t.artists, *t.genres, *t.subgenres, *t.playlists]
    return sorted({x for x in out if x}, key=len, reverse=True)


def shown(reply: ChatReply) -> str:
    """Every line a user sees for ``reply``: the console rendering (wide table and two-line list), Telegram's HTML
    and its buttons; the catalog's text set aside."""
    parts = [reply.text]
    for width in (200, 100):
        out = io.StringIO()
        print_reply(Console(file=out, width=width, force_terminal=False, color_system=None), reply)
        parts.append(out.getvalue())
    parts += render_chat_reply(reply)
    rec = reply.recommendation
    if rec is not None and rec.tracks:
        keyboard = list_keyboard("k", PageState.from_recommendation(rec))
        parts += [b.text for row in keyboard.inline_keyboard for b in row] if keyboard else []
    text = re.sub(r"\s+", " ", "\n".join(parts))
    for name in _catalog_text(reply):
        text = text.replace(re.sub(r"\s+", " ", name), " ")
    return text


async def _talk(engine, conversation: str, messages: list[str]) -> list[tuple[str, str, ChatReply]]:
    caller = Caller(user_id="listener", platform="console", role=Role.USER)
    out = []
    for said in messages:
        reply = await engine.app.chat.chat(conversation, caller, said)
        out.append((said, shown(reply), reply))
    return out


@pytest.mark.parametrize("lang", sorted(CONVERSATIONS))
async def test_no_english_line_in_a_conversation(engine, lang: str) -> None:
    fragments = english_fragments(lang)
    assert len(fragments) > 40  # the tables gave something to look for
    turns = await _talk(engine, f"console:lang-{lang}", CONVERSATIONS[lang])
    found = {said[:40]: sorted(f for f in fragments if re.search(f, text)) for said, text, _ in turns}
    assert not {k: v for k, v in found.items() if v}, found
    replies = {said[:12]: reply for said, _, reply in turns}
    # the conversation stayed in its language and every kind of line was reached
    assert all(reply.lang == lang for reply in replies.values()), {k: r.lang for k, r in replies.items()}
    assert replies["/search daft"].recommendation.tracks
    capped = next(r for s, _, r in turns if "80" in s)
    assert capped.recommendation is not None and capped.recommendation.capped is not None
    assert "#99" in replies["#99"].text and str(MAX_TEXT + 10)[0] in replies["x" * 12].text


async def test_the_same_conversation_in_english_shows_the_english_lines(engine) -> None:
    """The check above can fail: in English the same kinds of turns show the pieces it looks for, byte for byte."""
    fragments = english_fragments("es")
    turns = await _talk(engine, "console:lang-en", ENGLISH)
    seen = {f for _, text, _ in turns for f in fragments if re.search(f, text)}
    for line in ("You asked for 80; I send at most 50 at a time", "There is no #99 in the last list",
                 "Your request is empty", "Unknown command /next", "10 tracks", "Nothing in this catalog matches",
                 "— I'll suggest more like it."):
        assert any(line in text for _, text, _ in turns), line
    assert len(seen) >= 8, sorted(seen)

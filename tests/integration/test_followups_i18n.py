"""Multi-turn conversations in Spanish, Portuguese, French and German on a real small SQLite catalog (issue 10,
"Languages" + "Sessions"): each follow-up moves the list the way it says (tempo / energy means go down after "moins
rapide" / "nicht so laut", never up), "#N" / "not that artist" / the next page act on the list on screen, and the
reply's first line is in the follow-up's language. Also the anchored case: after "like X but more upbeat", "slower"
is applied around the anchor and the header changes.

The engine answers through the built-in model (engine.app.chat.chat), as the console chat, Telegram and Discord do.
"""

from __future__ import annotations

from collections import Counter

import pytest

from core.engine import Engine
from core.models import ChatReply
from tests.security.agent_fixtures import *  # noqa: F403  (fixtures)
from tests.security.agent_fixtures import USER
from tests.replies import feature_mean

pytestmark = pytest.mark.usefixtures("no_model_requests")


def ids(reply: ChatReply) -> list[str]:
    assert reply.recommendation is not None, reply.text
    return [i.track.track_id for i in reply.recommendation.tracks]


#: language -> (first request, slower, calmer, more like #2, not that artist, next page, first-line leads)
CONVERSATIONS = {
    "es": ("música alegre para una fiesta", "menos rápida", "menos intensa", "más como el #2", "sin ese artista",
           "siguiente", ("Vale, más lento", "Vale, más tranquilo", "Canciones como", "Vale", "Más canciones")),
    "pt": ("músicas animadas para festa", "menos rápido", "mais calmo", "mais como o #2", "sem esse artista",
           "próxima", ("Certo, mais lento", "Certo, mais calmo", "Músicas como", "Certo", "Mais músicas")),
    "fr": ("musique joyeuse pour danser", "moins rapide", "moins fort", "plus comme le #2", "pas cet artiste",
           "encore", ("D'accord, plus lent", "D'accord, plus calme", "Des morceaux comme", "D'accord",
                      "Encore des morceaux")),
    "de": ("fröhliche Musik zum Tanzen", "weniger schnell", "nicht so laut", "mehr wie #2", "nicht dieser Künstler",
           "weiter", ("Okay, langsamer", "Okay, ruhiger", "Titel wie", "Okay", "Mehr Titel")),
}


def said(text: str, lead: str) -> bool:
    """``text``'s first line starts with ``lead``'s first word ("Vale") and says the move ("más lento") once: the
    move leads ("Vale, más lento — …") or is worded in the localized summary ("Vale — tempo más lento; …")."""
    word, _, move = lead.partition(", ")
    first = text.split("\n")[0]
    return first.startswith(word) and (not move or first.count(move) == 1)


@pytest.mark.parametrize("lang", list(CONVERSATIONS))
async def test_a_conversation_in_each_language(agent_engine: Engine, lang: str) -> None:
    first, slower, calmer, like_2, not_artist, next_page, leads = CONVERSATIONS[lang]
    cid = f"test:followups:{lang}"
    pages: list[list[str]] = []

    start = await agent_engine.app.chat.chat(cid, USER, first)
    pages.append(ids(start))
    assert len(pages[-1]) == 10

    slow = await agent_engine.app.chat.chat(cid, USER, slower)  # negated "fast": must be slower, never faster
    assert said(slow.text, leads[0]), slow.text
    assert feature_mean(slow, "tempo") < feature_mean(start, "tempo") - 5, (feature_mean(start, "tempo"), feature_mean(slow, "tempo"))
    assert max(float(i.track.tempo) for i in slow.recommendation.tracks) < max(  # type: ignore[union-attr]
        float(i.track.tempo) for i in start.recommendation.tracks)  # type: ignore[union-attr]
    pages.append(ids(slow))

    calm = await agent_engine.app.chat.chat(cid, USER, calmer)
    assert said(calm.text, leads[1]), calm.text
    assert feature_mean(calm, "energy") < feature_mean(slow, "energy"), (feature_mean(slow, "energy"), feature_mean(calm, "energy"))
    assert feature_mean(calm, "tempo") <= feature_mean(start, "tempo")  # the earlier move is kept
    pages.append(ids(calm))

    second = pages[-1][1]
    like = await agent_engine.app.chat.chat(cid, USER, like_2)
    rec = like.recommendation
    assert rec is not None and rec.kind == "similar" and len(rec.tracks) >= 5, like.text
    t = agent_engine.loaded.table
    title = t.titles[t.pos[second]]
    assert like.text.startswith(leads[2]) and title in like.text, (like.text, title)
    pages.append(ids(like))

    artist = t.artists[t.pos[second]][0]  # "that artist": the reference's, whose list is on screen
    without = await agent_engine.app.chat.chat(cid, USER, not_artist)
    assert without.text.startswith(leads[3]) and artist in without.text, without.text
    assert all(artist not in i.track.artists for i in without.recommendation.tracks)  # type: ignore[union-attr]
    pages.append(ids(without))

    more = await agent_engine.app.chat.chat(cid, USER, next_page)
    assert more.text.startswith(leads[4]), more.text
    assert all(artist not in i.track.artists for i in more.recommendation.tracks)  # type: ignore[union-attr]
    pages.append(ids(more))

    every = [i for page in pages for i in page]
    assert len(every) == len(set(every)), Counter(every).most_common(3)  # no track comes back


async def _anchor_artist(engine: Engine) -> str:
    """An artist of the small catalog with enough tracks to anchor on (the most tracks, a stable choice)."""
    t = engine.loaded.table
    counts = sorted(((len(v), aid) for aid, v in t.artist_tracks.items()), reverse=True)
    for _, aid in counts:
        name = next(n for p in t.artist_tracks[aid] for n, a in zip(t.artists[p], t.artist_ids[p]) if a == aid)
        if name.isascii() and name[:1].isupper() and len(name.split()) <= 2:
            return name
    raise AssertionError("no artist to anchor on")


@pytest.mark.parametrize(
    ("first", "slower", "sadder", "header", "lead"),
    [
        ("like {} but more upbeat", "slower", "less upbeat", "Like {} (slower)", "Like {} (more upbeat; slower)"),
        ("como {} pero más alegre", "menos rápido", "menos alegre", "Como {} (más lento)",
         "Vale — Como {} (más alegre; más lento)"),
        ("comme {} mais plus joyeux", "moins rapide", "moins joyeux", "Comme {} (plus lent)",
         "D'accord — Comme {} (plus joyeux; plus lent)"),
    ],
)
async def test_follow_ups_of_an_anchored_request_move_around_the_anchor(
        agent_engine: Engine, first: str, slower: str, sadder: str, header: str, lead: str) -> None:
    artist = await _anchor_artist(agent_engine)
    cid = "test:anchored:" + first.split()[0]
    start = await agent_engine.app.chat.chat(cid, USER, first.format(artist))
    assert start.recommendation is not None and start.recommendation.anchor is not None, start.text
    slow = await agent_engine.app.chat.chat(cid, USER, slower)
    assert slow.recommendation is not None and slow.recommendation.anchor is not None  # still around the anchor
    assert slow.recommendation.anchor.name == start.recommendation.anchor.name
    # the header changed: the move is said once, in the language (the earlier move's wording may be a synonym)
    head, _, moves = lead.format(artist).partition(" (")
    # the header is on the first line (a sentence may lead it: a scene the move had to leave, core.anchor_words)
    first_line = slow.text.split("\n")[0]
    assert (head.split(" — ")[-1] + " (") in first_line
    assert first_line.startswith(head.split(" — ")[0] if " — " in head else "")  # "Vale — …": the follow-up's lead
    assert moves.split("; ")[-1].rstrip(")") in first_line, slow.text
    assert slow.text.split("\n")[0].count(moves.split("; ")[-1].rstrip(")")) == 1, slow.text
    assert feature_mean(slow, "tempo") < feature_mean(start, "tempo"), (feature_mean(start, "tempo"), feature_mean(slow, "tempo"))
    sad = await agent_engine.app.chat.chat(cid, USER, sadder)
    assert header.format(artist) in sad.text, sad.text  # "less upbeat" took "more upbeat" back: one step, no conflict
    assert "pull" not in sad.text and not sad.recommendation.conflicts  # type: ignore[union-attr]
    assert feature_mean(sad, "valence") < feature_mean(slow, "valence"), (feature_mean(slow, "valence"), feature_mean(sad, "valence"))
    assert feature_mean(sad, "tempo") < feature_mean(start, "tempo")
    sadder_still = await agent_engine.app.chat.chat(cid, USER, sadder)  # a second step goes below the anchor's own mood
    # said as "less …" in the header ("moins joyeux" may be worded "moins entraînant", the same move)
    assert f"({sadder.split()[0]} " in sadder_still.text.split("\n")[0], sadder_still.text
    assert feature_mean(sadder_still, "valence") < feature_mean(sad, "valence")

"""Whole conversations in Spanish, Portuguese, French and German on a small real SQLite catalog (issue 10,
"Languages"): the request, a "less upbeat"-style follow-up, "more like #2" and "more" — in the conversation's
language and as the short English words people also type — get every first line and every reason in that language,
each reason true to the track's values; English conversations stay English; the conversation's language is kept
in the database and survives a restart.

Each reason fact must be one of the language's worded shapes (:data:`core.reason_words.REASON_WORDS`, turned into
patterns here) or language-neutral (a year, "112 BPM", "-5.2 dB"); a feature fact must say exactly what
:func:`core.explain.feature_fact` says for the track's own value.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from core.agent.followup_replies import ADJUSTED, NEXT_PAGE, TRACKS_LIKE
from core.engine import Engine
from core.explain import FEATURE_WORDS, SEPARATOR, feature_fact, reason_text
from core.models import ChatReply, RecommendedTrack
from core.reason_words import REASON_WORDS
from core.text.language import NOTE_TEMPLATES
from tests.security.agent_fixtures import *  # noqa: F403  (fixtures)
from tests.security.agent_fixtures import USER

pytestmark = pytest.mark.usefixtures("no_model_requests")

#: language -> (request, less-X follow-up, more like #2, more) in that language.
NATIVE = {
    "es": ("canciones alegres para una fiesta", "menos alegres", "más como el #2", "más"),
    "pt": ("músicas animadas para festa", "menos animadas", "mais como o #2", "mais"),
    "fr": ("musique joyeuse pour danser", "moins joyeuse", "plus comme le #2", "encore"),
    "de": ("fröhliche Musik zum Tanzen", "weniger fröhlich", "mehr wie #2", "weiter"),
}
#: The same follow-ups as short English words: a short follow-up keeps the conversation's language.
ENGLISH_FOLLOWUPS = ("less upbeat", "more like #2", "more")

_FEATURE_KEYS = sorted({w for spec in FEATURE_WORDS.values() for w in (spec[1], spec[3], spec[4]) if w})
_NUMBER = r"-?\d+(?:\.\d+)?"


def _patterns(lang: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """``(feature fact, any fact)`` patterns of ``lang``'s wording table."""
    w = REASON_WORDS[lang]
    words = "|".join(re.escape(w[k]) for k in _FEATURE_KEYS)
    fact = (rf"(?:(?:{words}) \d\.\d\d|\d+ BPM|-?\d+\.\d dB|{re.escape(w['vocal'])}|{re.escape(w['minor key'])}|"
            rf"{re.escape(w['major key'])})")
    kinds = "|".join(re.escape(w[k]) for k in ("genre", "subgenre"))

    def shape(template: str) -> str:
        out = re.escape(template)
        for field, rx in (("fact", fact), ("word", words), ("v", r"\d\.\d\d"), ("target", r"[^()]+"),
                          ("x", r".+"), ("kind", f"(?:{kinds})"), ("y", r"\d{4}"), ("s", r"\d{4}"), ("f", r"\d{4}")):
            out = out.replace(re.escape("{" + field + "}"), rx)
        return out

    skip = {"value", "alternative of", *(_FEATURE_KEYS), "vocal", "minor key", "major key", "minor", "major",
            "genre", "subgenre", "playlist", "seed"}
    shapes = [shape(t) for k, t in w.items() if k not in skip]
    one = rf"(?:{fact}|\d{{4}}|{'|'.join(shapes)})"
    alt = shape(w["alternative of"]).replace(".+", one)
    return re.compile(fact), re.compile(rf"(?:{one}|{alt}|{re.escape(w['alternative'])})")


def check_reasons(item: RecommendedTrack, lang: str, line: str) -> None:
    """Every fact of ``line`` is worded in ``lang`` and a feature fact is true of ``item``'s track."""
    fact_rx, any_rx = _patterns(lang)
    assert line, item.track.title
    t = item.track
    for fact in line.split(SEPARATOR):
        assert any_rx.fullmatch(fact), (lang, fact, line)
        head = fact.split(" (")[0].split(": ")[-1]
        if not fact_rx.fullmatch(head):
            continue
        if head.endswith(" BPM"):
            assert round(float(t.tempo)) == int(head.split()[0]), (head, t.tempo)
            continue
        if head.endswith(" dB"):
            assert f"{t.loudness:.1f}" == head.split()[0], (head, t.loudness)
            continue
        said = {feature_fact(f, float(getattr(t, f)), lang) for f in (*FEATURE_WORDS, "mode")
                if getattr(t, f, None) is not None}
        assert head in said, (head, sorted(said), t.title)  # the word and the value are the track's own


def first_line_in(reply: ChatReply, lang: str) -> bool:
    """The reply's first line opens the way a reply in ``lang`` does (what :mod:`core.text.wording` and
    :mod:`core.agent.followup_replies` write)."""
    first = reply.text.splitlines()[0]
    leads = [NOTE_TEMPLATES["language"][lang], ADJUSTED[lang].split(",")[0], TRACKS_LIKE[lang].split(" {")[0],
             NEXT_PAGE[lang]]
    return any(first.startswith(lead) for lead in leads)


async def _turn(engine: Engine, cid: str, text: str, lang: str) -> ChatReply:
    reply = await engine.app.chat.chat(cid, USER, text)
    rec = reply.recommendation
    assert rec is not None and len(rec.tracks) >= 5, (text, reply.text)
    assert rec.lang == lang, (text, rec.lang, reply.text)
    if lang != "en":
        assert first_line_in(reply, lang), (lang, text, reply.text)
    else:
        assert not any(first_line_in(reply, other) for other in NATIVE), reply.text
    for item in rec.tracks:
        check_reasons(item, lang, item.reason)  # what the chat stores and shows (ChatReply, "why #3")
        check_reasons(item, lang, reason_text(item, rec.lang))  # what the adapters render
    return reply


@pytest.mark.parametrize("lang", list(NATIVE))
async def test_a_conversation_is_worded_in_its_language(agent_engine: Engine, lang: str) -> None:
    cid = f"test:reasons:{lang}"
    for text in NATIVE[lang]:
        await _turn(agent_engine, cid, text, lang)
    state = await (await agent_engine.app.sessions.conversation_store()).load_state(cid)
    assert state.lang == lang


@pytest.mark.parametrize("lang", list(NATIVE))
async def test_short_english_follow_ups_keep_the_conversation_language(agent_engine: Engine, lang: str) -> None:
    cid = f"test:reasons-en-words:{lang}"
    await _turn(agent_engine, cid, NATIVE[lang][0], lang)
    for text in ENGLISH_FOLLOWUPS:
        await _turn(agent_engine, cid, text, lang)


async def test_english_stays_english(agent_engine: Engine) -> None:
    cid = "test:reasons:en"
    for text in ("happy songs for a party", "less upbeat", "more like #2", "more", "más",
                 "something tranquilo for the night please", "songs like Bésame Mucho but slower"):
        reply = await agent_engine.app.chat.chat(cid, USER, text)
        rec = reply.recommendation
        if rec is None or not rec.tracks:  # a title the small catalog lacks: said in English
            assert not any(first_line_in(reply, other) for other in NATIVE), reply.text
            continue
        assert rec.lang == "en", (text, reply.text)
        for item in rec.tracks:
            check_reasons(item, "en", reason_text(item, rec.lang))


async def test_a_long_message_in_another_language_switches_and_is_remembered(agent_engine: Engine) -> None:
    cid = "test:reasons:switch"
    await _turn(agent_engine, cid, "happy songs for a party", "en")
    await _turn(agent_engine, cid, "ahora quiero canciones tristes para llorar esta noche", "es")
    await _turn(agent_engine, cid, "more", "es")
    await _turn(agent_engine, cid, "now play me some energetic rock for the gym please", "en")
    await _turn(agent_engine, cid, "más", "en")  # one Spanish word from an English conversation: English


async def test_the_language_survives_a_restart(agent_template_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "restart.db"
    shutil.copy(agent_template_db, db)
    cid = "test:reasons:restart"
    engine = await Engine.open(db)
    try:
        await _turn(engine, cid, NATIVE["fr"][0], "fr")
    finally:
        await engine.close()
    again = await Engine.open(db)  # a new process: nothing kept in memory
    try:
        reply = await _turn(again, cid, "more", "fr")
        assert reply.text.startswith(NEXT_PAGE["fr"]), reply.text
        reply = await _turn(again, cid, "more like #2", "fr")
    finally:
        await again.close()


async def test_a_slash_similar_and_a_gap_are_worded_in_the_conversation_language(agent_engine: Engine) -> None:
    cid = "test:reasons:slash"
    await _turn(agent_engine, cid, NATIVE["de"][0], "de")
    await _turn(agent_engine, cid, "/similar Blinding Lights", "de")
    reply = await agent_engine.app.chat.chat("test:reasons:gap", USER, "salsa para bailar")
    rec = reply.recommendation
    assert rec is not None and rec.coverage and rec.lang == "es", reply.text
    for item in rec.tracks:
        check_reasons(item, "es", item.reason)
    assert any(i.reason.startswith(REASON_WORDS["es"]["alternative"]) for i in rec.tracks)


@pytest.mark.parametrize(("lang", "why"), [("es", "¿por qué el #2?"), ("pt", "por que o #2?"), ("fr", "pourquoi le #2 ?"),
                                           ("de", "warum #2?")])
async def test_why_a_track_is_said_in_the_conversation_language(agent_engine: Engine, lang: str, why: str) -> None:
    cid = f"test:reasons:why:{lang}"
    first = await _turn(agent_engine, cid, NATIVE[lang][0], lang)
    second = first.recommendation.tracks[1]  # type: ignore[union-attr]
    reply = await agent_engine.app.chat.chat(cid, USER, why)
    head, _, because = reply.text.partition(REASON_WORDS[lang]["why"].split("{x}")[0])
    assert because.rstrip(".") == second.reason, reply.text  # the reason the list showed, in the same words
    sound = head.split(": ", 1)[-1].split("; ")[0]  # "energía 0.46 · ánimo sombrío 0.20 · … · con voz"
    check_reasons(second, lang, sound)
    assert "Picked because" not in reply.text and "energy" not in reply.text

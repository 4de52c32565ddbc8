"""A blind grader's replies, read as a listener would (issue 10): the first line and the reasons are true to the list.

Shipped catalog (a private copy per test). Each test states what it checks; none of them pins a track.
"""

from __future__ import annotations

import re

import pytest

from core.engine import Engine
from core.models import Reason, Recommendation
from core.reason_format import format_reason
from core.table import FEATURE_INDEX


# ------------------------------------------------------------------ reasons show a stated bound as the bound
@pytest.mark.parametrize(("text", "feature", "shown"), [
    ("songs above 125 BPM", "tempo", "≥ 125 BPM"),
    ("songs under 100 bpm", "tempo", "≤ 100 BPM"),
    ("between 100 and 120 bpm", "tempo", "100–120 BPM"),
    ("energy above 70%", "energy", "≥ 0.7"),
    ("energy at least 8/10 from the 80s", "energy", "≥ 0.8"),
    ("quieter than -10 dB", "loudness", "≤ -10.0 dB"),
    ("danceability 60-80%", "danceability", "0.6–0.8"),
])
async def test_a_bound_is_shown_as_the_bound_never_a_made_up_target(engine: Engine, text: str, feature: str,
                                                                   shown: str) -> None:
    rec = await engine.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation) and rec.tracks
    asked = [r for i in rec.tracks for r in i.reasons if r.kind == "asked_feature" and r.feature == feature]
    assert asked, [i.reason for i in rec.tracks]
    assert all(r.target is None and (r.low is not None or r.high is not None) for r in asked)
    worded = [i.reason for i in rec.tracks if any(r in asked for r in i.reasons)]
    assert all(f"(asked {shown})" in line for line in worded), worded
    t = engine.loaded.table
    for i in rec.tracks:  # and the tracks said to be inside the bound are
        for r in i.reasons:
            if r in asked:
                value = float(t.features[t.pos[i.track.track_id], FEATURE_INDEX[feature]])
                assert (r.low is None or value >= r.low - 1e-6) and (r.high is None or value <= r.high + 1e-6)


@pytest.mark.parametrize(("lang", "said"), [("en", "(asked ≥ 125 BPM)"), ("es", "(pediste ≥ 125 BPM)"),
                                            ("pt", "(você pediu ≥ 125 BPM)"), ("fr", "(demandé : ≥ 125 BPM)"),
                                            ("de", "(gewünscht ≥ 125 BPM)")])
def test_a_bound_reason_in_every_language(lang: str, said: str) -> None:
    reason = Reason(kind="asked_feature", feature="tempo", value=131.0, low=125.0)
    assert format_reason(reason, lang) == f"131 BPM {said}"
    assert not re.search(r"\b1[23]\d BPM\)", format_reason(Reason(kind="asked_feature", feature="tempo", value=131.0,
                                                                    high=140.0), lang).replace("140 BPM)", ""))


# ------------------------------------------------------------------ one song once, in a list and across pages
async def test_one_song_under_two_first_artists_is_not_offered_twice(engine: Engine, user) -> None:
    t = engine.loaded.table
    shown: list[str] = []
    for said in ("songs like Best Part by H.E.R.", "more", "more"):
        reply = await engine.app.chat.chat("console:best-part", user, said)
        assert reply.recommendation is not None and reply.recommendation.tracks, reply.text
        shown += [i.track.track_id for i in reply.recommendation.tracks]
    keys = [t.norm_keys[t.pos[i]] for i in shown]
    assert len(keys) == len(set(keys))
    best = [i for i in shown if t.titles[t.pos[i]].startswith("Best Part (")]
    assert not best, best  # the seed is "Best Part" (Daniel Caesar's credit): H.E.R.'s credit is the same song


# ------------------------------------------------------------------ a gap is said once per request
@pytest.mark.parametrize(("first", "follow_ups", "again"), [
    ("some jazz", ["less upbeat", "more"], "jazz again please"),
    ("algo de jazz", ["menos animado", "más"], "otra vez jazz"),
    ("du jazz", ["moins joyeux"], "encore du jazz"),
])
async def test_a_coverage_line_is_said_once_per_request(engine: Engine, user, first: str, follow_ups: list[str],
                                                        again: str) -> None:
    cid = "console:gap-once-" + first.replace(" ", "-")
    opened = await engine.app.chat.chat(cid, user, first)
    assert opened.recommendation is not None and opened.recommendation.coverage
    gap = opened.text.splitlines()[0]
    assert "jazz" in gap
    for said in follow_ups:
        reply = await engine.app.chat.chat(cid, user, said)
        assert reply.recommendation is not None and reply.recommendation.tracks, reply.text
        assert gap not in reply.text and not reply.recommendation.coverage, (said, reply.text)
    asked = await engine.app.chat.chat(cid, user, again)  # asking for the missing style again: said again
    assert asked.recommendation is not None and asked.recommendation.coverage, asked.text


# ------------------------------------------------------------------ a language asked: how many are in it
#: Words of the shipped catalog's labels that name a language (checked independently of the product's choice).
LABEL_WORDS = {"pt": ("brasil",), "de": ("deutsch",)}


@pytest.mark.parametrize(("text", "code"), [
    ("música brasileira para relaxar", "pt"), ("brazilian music to relax", "pt"),
    ("musique brésilienne calme", "pt"), ("música brasileña tranquila", "pt"),
    ("deutsche Musik zum Entspannen", "de"),
])
async def test_a_language_request_says_how_many_tracks_are_in_it(engine: Engine, text: str, code: str) -> None:
    from core.coverage import coverage_text
    from core.reason_words import words_for
    from core.text.language_lines import some_in_language
    from core.text.title_language import by_titles, table_languages

    rec = await engine.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10
    t = engine.loaded.table
    inside = set(table_languages(t).positions(code).tolist())
    for lid, (_kind, name) in enumerate(t.label_names):
        if any(w in name.lower() for w in LABEL_WORDS[code]):
            inside |= t.label_tracks.get(lid, set())
    flags = [t.pos[i.track.track_id] in inside for i in rec.tracks]
    n = sum(flags)
    if n == len(flags):
        return  # all in the language: nothing to own up to
    first = coverage_text(rec.coverage)
    assert some_in_language(code, rec.lang, n) in first or (n and by_titles(code, rec.lang, n) in first), first
    assert flags == sorted(flags, reverse=True)  # the tracks in the language first, then the alternatives
    alternative = words_for(rec.lang)["alternative"]
    assert all(i.reason.startswith(alternative) for i, f in zip(rec.tracks, flags) if not f)


# ------------------------------------------------------------------ a missing style: the alternative is named as it is
@pytest.mark.parametrize(("text", "style"), [("reggae", "reggae"), ("some reggae vibes", "reggae"), ("ska", "ska")])
async def test_a_missing_style_names_what_the_list_holds(engine: Engine, text: str, style: str) -> None:
    from collections import Counter

    from core.coverage import coverage_text

    rec = await engine.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation) and rec.tracks
    first = coverage_text(rec.coverage)
    assert first.startswith(f"This catalog has no music tagged {style}"), first
    assert style not in {g for i in rec.tracks for g in i.track.genres}  # nothing is passed off as the style
    shown = Counter(i.track.shown_genre for i in rec.tracks if i.track.shown_genre)
    top = [g for g, _ in shown.most_common(2)]
    named = re.search(r"mostly (.+?)\.?$", first)
    if sum(n for _, n in shown.most_common(2)) * 2 >= len(rec.tracks) and "from the playlist" not in first:
        assert named is not None, first  # what most of the list is, said
    if named is not None and "from the playlist" not in named.group(1):
        said = named.group(1).split(" / ")
        assert set(said) <= set(top) and sum(shown[g] for g in said) * 2 >= len(rec.tracks), (first, shown)


# ------------------------------------------------------------------ a negated style is neither announced nor listed
@pytest.mark.parametrize(("text", "negated"), [
    ("gospel but no soul", "soul"), ("jazz without neo soul", "soul"), ("pop but no punk", "punk"),
    ("no punk", "punk"), ("salsa but no reggaeton", "reggaeton"), ("soul but no gospel", "gospel"),
])
async def test_a_negated_style_is_not_announced_nor_listed(engine: Engine, text: str, negated: str) -> None:
    from core.coverage import coverage_text

    rec = await engine.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation) and rec.tracks
    first = coverage_text(rec.coverage)
    assert not re.search(rf"closest: [^;)]*\b{negated}\b", first), first
    assert not re.search(rf"mostly [^.]*\b{negated}\b", first), first
    t = engine.loaded.table
    for i in rec.tracks:  # no track's own genre labels (nor a playlist named after the style) are the negated style
        names = [label.lower() for kind, label in (t.label_names[lid] for lid in t.labels[t.pos[i.track.track_id]])
                 if kind != "playlist" or negated in label.lower()]
        assert not any(re.search(rf"\b{negated}\b", n) for n in names), (i.track.title, names)


async def test_a_follow_ups_tempo_window_is_shown_as_its_bound(engine: Engine, user) -> None:
    await engine.app.chat.chat("console:bound-faster", user, "sad songs valence under 0.3")
    reply = await engine.app.chat.chat("console:bound-faster", user, "faster")
    rec = reply.recommendation
    assert rec is not None and rec.tracks and rec.filters.tempo_min is not None
    tempo = [r for i in rec.tracks for r in i.reasons if r.kind == "asked_feature" and r.feature == "tempo"]
    assert tempo, [i.reason for i in rec.tracks]
    assert all(r.target is None and r.low == rec.filters.tempo_min for r in tempo)
    assert all(f"≥ {rec.filters.tempo_min:.0f} BPM" in i.reason for i in rec.tracks if "BPM" in i.reason)

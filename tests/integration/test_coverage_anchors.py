"""Coverage honesty and anchored requests on real catalogs: the shipped one, a small imported catalog WITH labels
and the same catalog WITHOUT labels (what the catalog lacks is computed from the catalog loaded, never a fixed list),
search for an artist that does not exist, "like X" with modifiers, and the note on the first line of every adapter."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from core.coverage import coverage_text
from core.engine import Engine
from core.models import Caller, Recommendation
from core.table import FEATURE_INDEX
from tests.catalogs import open_imported

MAP = ["Song=title", "Artist=artists", "Genre=genre", "Sub=subgenre", "Id=track_id"]


def write_catalog(path: Path, labelled: bool) -> None:
    """60 tracks: 30 country (calm, acoustic), 27 rock (loud), 3 jazz; ids are 22 characters."""
    rng = np.random.default_rng(7)
    header = ["Id", "Song", "Artist", "Genre", "Sub", "danceability", "energy", "key", "loudness", "mode",
              "speechiness", "acousticness", "instrumentalness", "liveness", "valence", "tempo"]
    rows = []
    for i in range(60):
        genre, sub = ("country", "nashville country") if i < 30 else (("jazz", "bebop") if i >= 57 else ("rock", "hard rock"))
        energy = 0.3 if genre == "country" else 0.9
        acoustic = 0.8 if genre == "country" else 0.05
        rows.append([f"T{i:021d}", f"Song {i}", f"Artist {i % 12}", genre if labelled else "", sub if labelled else "",
                     round(float(rng.uniform(0.4, 0.7)), 3), energy, 5, -7.0, 1, 0.05, acoustic, 0.0, 0.1,
                     round(float(rng.uniform(0.2, 0.8)), 3), round(float(rng.uniform(80, 150)), 1)])
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


async def small_engine(tmp_path: Path, admin: Caller, labelled: bool) -> Engine:
    src = tmp_path / f"cat_{labelled}.csv"
    write_catalog(src, labelled)
    return await open_imported(tmp_path / f"small_{labelled}.db", src, admin, map_pairs=MAP)


async def test_style_coverage_comes_from_the_loaded_catalog(tmp_path: Path, admin: Caller) -> None:
    eng = await small_engine(tmp_path, admin, labelled=True)
    try:
        country = await eng.app.discovery.recommend_text("some country music please")
        assert isinstance(country, Recommendation) and country.coverage == []  # this catalog HAS country
        reggae = await eng.app.discovery.recommend_text("some reggae please")
        assert [(n.kind, n.requested) for n in reggae.coverage] == [("missing", "reggae")]
        jazz = await eng.app.discovery.recommend_text("jazz for a rainy night")
        assert jazz.coverage[0].kind == "sparse" and jazz.coverage[0].found_count == 3
    finally:
        await eng.close()
    bare = await small_engine(tmp_path, admin, labelled=False)
    try:
        rec = await bare.app.discovery.recommend_text("some country music please")
        assert rec.coverage[0].kind == "unlabelled" and rec.coverage[0].requested == "country"
        assert rec.tracks and coverage_text(rec.coverage).startswith("This catalog has no genre labels")
    finally:
        await bare.close()


async def test_shipped_catalog_states_missing_styles_first(engine: Engine, user: Caller) -> None:
    rec = await engine.app.discovery.recommend_text("Country music please, Luke Combs, Morgan Wallen, real Nashville stuff.")
    assert rec.coverage and rec.coverage[0].kind == "missing" and rec.coverage[0].requested == "country"
    assert rec.coverage[0].alternative  # the alternative is described from the tracks themselves
    assert all(t.reason.startswith("closest alternative") for t in rec.tracks)
    # "Luke Combs" is not the catalog's "Luke": said, and no track of the other artist slipped in
    assert ("missing_artist", "Luke Combs") in [(n.kind, n.requested) for n in rec.coverage]
    assert not any(t.track.artists == ["Luke"] for t in rec.tracks) and "Luke → artist" not in rec.summary
    for present in ("I'm in the mood for neo soul.", "Upbeat party songs, but no rap please.",
                    "House party tonight, I need songs that get everyone dancing."):
        ok = await engine.app.discovery.recommend_text(present)
        assert ok.coverage == [], present
    reply = await engine.app.chat.chat("test:cov", user, "Bossa nova for a quiet evening, João Gilberto style.")
    assert reply.recommendation is not None and reply.recommendation.coverage
    assert reply.text.splitlines()[0] == coverage_text(reply.recommendation.coverage)
    assert reply.text.startswith("This catalog has no music tagged bossa nova")


async def test_an_era_the_catalog_lacks_is_said_and_the_nearest_years_are_offered(engine: Engine) -> None:
    rec = await engine.app.discovery.recommend_text("1940s big band swing like Glenn Miller and Benny Goodman.")
    kinds = {n.kind: n for n in rec.coverage}
    assert {"missing", "era", "missing_artist"} <= set(kinds)
    assert kinds["missing_artist"].requested == "Glenn Miller"
    assert rec.tracks and all(t.track.year and t.track.year < 1975 for t in rec.tracks)


async def test_search_says_nothing_matched_instead_of_padding(engine: Engine) -> None:
    rec = await engine.app.discovery.search("Luke Combs")
    assert rec.tracks == [] and rec.coverage[0].kind == "no_match" and rec.coverage[0].requested == "Luke Combs"
    assert coverage_text(rec.coverage).startswith("Nothing in this catalog matches “Luke Combs” — no title, artist")
    song = await engine.app.discovery.search("master of puppets")  # a song title is not called an artist
    assert song.tracks == [] and "artist named" not in coverage_text(song.coverage)
    typo = await engine.app.discovery.search("dafft punkk", limit=3)
    assert typo.tracks and "Daft Punk" in typo.tracks[0].track.artist
    # a near name is said as such, never presented as what was typed
    assert [(n.kind, n.alternative) for n in typo.coverage] == [("closest_match", "Daft Punk")]


def _mean(rec: Recommendation, name: str) -> float:
    return float(np.mean([getattr(t.track, name) for t in rec.tracks]))


async def test_like_artist_runs_similarity_from_the_anchor_with_at_most_two_of_its_tracks(engine: Engine) -> None:
    t = engine.loaded.table
    queen = [p for p in t.artist_tracks[t.artist_index["queen"]]]
    queen_energy = float(np.mean(t.features[queen, FEATURE_INDEX["energy"]]))
    rec = await engine.app.discovery.recommend_text("Like Queen but heavier")
    assert rec.anchor is not None and rec.anchor.name == "Queen" and rec.anchor.seed_ids
    assert len(rec.tracks) == 10
    assert sum("Queen" in x.track.artists for x in rec.tracks) <= 2
    assert _mean(rec, "energy") > queen_energy  # heavier than Queen, not heavy in general
    assert all("rock" in x.track.genres for x in rec.tracks[:8])  # the anchor's scene, not EDM

    newer = await engine.app.discovery.recommend_text("Like 2Pac but newer, 2010s or later")
    assert newer.anchor is not None and newer.anchor.name == "2Pac"
    assert all(x.track.year and x.track.year >= 2010 for x in newer.tracks)
    assert sum("2Pac" in x.track.artists for x in newer.tracks) <= 2


async def test_modifiers_shift_around_the_anchor_in_other_languages(engine: Engine) -> None:
    t = engine.loaded.table
    shakira = list(t.artist_tracks[t.artist_index["shakira"]])
    base_tempo = float(np.mean(t.features[shakira, FEATURE_INDEX["tempo"]]))
    rec = await engine.app.discovery.recommend_text("Algo parecido a Shakira pero más lento")
    assert rec.anchor is not None and rec.anchor.name == "Shakira"
    assert all(x.track.tempo < base_tempo for x in rec.tracks)
    assert sum("Shakira" in x.track.artists for x in rec.tracks) <= 2


async def test_no_anchor_without_a_name_and_a_missing_name_is_said(engine: Engine) -> None:
    plain = await engine.app.discovery.recommend_text("I'd like something calm and acoustic")
    assert plain.anchor is None and plain.coverage == []
    vibe = await engine.app.discovery.recommend_text("something like rainy day music")
    assert vibe.anchor is None and not any(n.kind == "missing_artist" for n in vibe.coverage)
    unknown = await engine.app.discovery.recommend_text("something like Zorblax Quintet but slower")
    assert unknown.anchor is None and unknown.coverage[0].kind == "missing_artist"
    assert unknown.coverage[0].requested == "Zorblax Quintet"


async def test_follow_ups_keep_the_anchor(engine: Engine, user: Caller) -> None:
    first = await engine.app.chat.chat("test:anchor", user, "something like Drake")
    assert first.recommendation is not None and first.recommendation.anchor is not None
    years = sorted(x.track.year or 0 for x in first.recommendation.tracks)
    later = await engine.app.chat.chat("test:anchor", user, "newer")
    rec = later.recommendation
    assert rec is not None and rec.anchor is not None and rec.anchor.name == "Drake"
    assert all((x.track.year or 0) > years[len(years) // 2] for x in rec.tracks)
    assert sum("Drake" in x.track.artists for x in rec.tracks) <= 2


async def test_every_adapter_shows_the_note_first(engine: Engine) -> None:
    from adapters.console.render import track_list
    from adapters.discord.render import recommendation_embed
    from adapters.telegram.render import recommendation_blocks, render_recommendation

    rec = await engine.app.discovery.recommend_text("Argentine tango: Piazzolla, bandoneón, the works.")
    gap = coverage_text(rec.coverage)
    assert gap.startswith("This catalog has no music tagged tango")
    assert gap in track_list(rec).splitlines()[0]
    assert recommendation_blocks(rec)[0] == f"<b>{gap}</b>"
    assert render_recommendation(rec)[0].startswith(f"<b>{gap}")
    embed = recommendation_embed(rec)
    assert embed.title is not None and embed.title.startswith("This catalog has no music tagged tango")
    empty = (await engine.app.discovery.search("Zorblax Quintet"))
    assert render_recommendation(empty)[0].startswith("Nothing in this catalog matches “Zorblax Quintet”")


async def test_attributes_without_data_are_said_unless_the_catalog_labels_them(engine: Engine) -> None:
    hindi = await engine.app.discovery.recommend_text("songs in Hindi")
    assert [(n.kind, n.requested) for n in hindi.coverage] == [("no_data", "the language of the lyrics")]
    spanish = await engine.app.discovery.recommend_text("songs in Spanish")  # the catalog has "… Pop En Español" playlists
    assert spanish.coverage == []
    gender = await engine.app.discovery.recommend_text("upbeat songs with female vocals")
    assert gender.coverage and gender.coverage[0].requested == "the singer's gender"


async def test_chat_replies_put_the_gap_first_once_in_every_adapter(engine: Engine, user: Caller) -> None:
    from adapters.discord.render import chat_message
    from adapters.telegram.render import render_chat_reply

    reply = await engine.app.chat.chat("test:adapters", user, "some bossa nova please")
    rec = reply.recommendation
    assert rec is not None and rec.coverage and rec.summary
    gap = coverage_text(rec.coverage)
    html = "\n".join(render_chat_reply(reply))
    assert html.startswith(f"<b>{gap}") and html.count(rec.summary) == 1
    rendered = chat_message(reply)
    assert rendered.content is None and rendered.embeds[0].title.startswith("This catalog has no music tagged bossa")
    assert rec.summary in (rendered.embeds[0].description or "")


async def test_a_request_that_only_names_a_missing_style_says_so_instead_of_playing_dumb(
        tmp_path: Path, admin: Caller) -> None:
    from core.models import NeedsClarification

    eng = await small_engine(tmp_path, admin, labelled=True)
    try:
        gap = await eng.app.discovery.recommend_text("gregorian chant")
        assert isinstance(gap, NeedsClarification)
        assert gap.question.startswith("This catalog has no music tagged gregorian chant.")
        assert "Its genres are " in gap.question and "country" in gap.question and "rock" in gap.question
        asked = await eng.app.chat.chat("gap", admin, "gregorian chant")  # the same line in the chat
        assert asked.text.startswith("This catalog has no music tagged gregorian chant"), asked.text
        dumb = await eng.app.discovery.recommend_text("qwzx blorf")  # no style named: the usual question
        assert isinstance(dumb, NeedsClarification) and dumb.question.startswith("I couldn't tell")
    finally:
        await eng.close()


async def test_like_a_one_word_song_title_anchors_on_the_song_not_a_missing_artist(engine: Engine) -> None:
    from core.anchors import find_anchor
    from core.catalog_rows import normalize_text

    t = engine.loaded.table
    p = next(p for p in range(t.n) if t.alive[p] and normalize_text(t.titles[p]) == "despacito")
    anchor = find_anchor("canciones como Despacito pero más lentas", t, engine.app.tracks.refs)
    assert anchor is not None and anchor.kind == "track" and not anchor.unresolved
    assert normalize_text(t.titles[anchor.seeds[0]]) == "despacito" and anchor.seeds[0] in t.key_tracks[t.norm_keys[p]]
    rec = await engine.app.discovery.recommend_text("songs like Despacito but slower")
    assert isinstance(rec, Recommendation) and rec.anchor is not None and rec.anchor.kind == "track"
    assert not any(n.kind == "missing_artist" for n in rec.coverage)
    # a capitalised word that only begins longer titles is no song: "like Zorblax" stays an unknown name
    import re

    titles = {normalize_text(re.split(r"\s+-\s+|\s*\(", t.titles[q])[0]) for q in range(t.n)}  # base titles
    artists = set(t.artist_index)
    word = next(w for w in sorted({normalize_text(t.titles[q]).split()[0] for q in range(t.n)
                                   if normalize_text(t.titles[q]).split()})
                if len(w) >= 6 and w.isalpha() and w not in titles and w not in artists)
    other = find_anchor(f"like {word.capitalize()} but slower", t, engine.app.tracks.refs)
    assert other is None or other.kind == "artist" or other.unresolved, (word, other)


async def test_an_anchored_move_is_shown_in_each_reason_next_to_the_anchor(engine: Engine) -> None:
    t = engine.loaded.table
    aid = max(t.artist_tracks, key=lambda a: len(t.artist_tracks[a]))  # the catalog's most recorded artist
    name = next(n for p in t.artist_tracks[aid] for n, a in zip(t.artists[p], t.artist_ids[p]) if a == aid)
    rec = await engine.app.discovery.recommend_text(f"like {name} but slower")
    assert isinstance(rec, Recommendation) and rec.anchor is not None and rec.tracks
    anchor_bpm = rec.target["tempo"]
    for item in rec.tracks:
        first = item.reasons[0]
        assert first.kind == "anchor_feature" and first.feature == "tempo" and first.label == rec.anchor.name
        assert first.value == float(item.track.tempo) and first.target == anchor_bpm
        assert item.reason.startswith(f"{item.track.tempo:.0f} BPM ({rec.anchor.name} {anchor_bpm:.0f} BPM)"), item.reason
        assert sum(r.feature == "tempo" for r in item.reasons) == 1  # the plain tempo fact is not said twice

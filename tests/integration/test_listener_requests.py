"""Free-text requests a blind listener scored low, on a real engine over the shipped catalog, checked the way that
listener checks a list: the first line names a style the catalog lacks, a style word and a mood are no contradiction,
style words find the tracks that name the style, an excluded style never shows, a decade holds its years, no song
appears twice (nor the seed of a radio), an explicit BPM is the one the reply names, and an era alone is the
era's music across genres."""

from __future__ import annotations

import statistics
from collections import Counter

import pytest

from core.catalog import act_key, dedupe_key, normalize_text
from core.engine import Engine
from core.genres import EXCLUDED_LABEL_WEIGHT
from core.models import Caller, NeedsClarification, Recommendation


async def _chat(engine: Engine, user: Caller, text: str) -> tuple[str, Recommendation]:
    reply = await engine.app.chat.chat(f"test:{abs(hash(text))}", user, text)
    assert reply.recommendation is not None and reply.recommendation.tracks, reply.text
    return reply.text, reply.recommendation


def _mean(rec: Recommendation, feature: str) -> float:
    return statistics.mean(float(getattr(i.track, feature)) for i in rec.tracks)


def _song_keys(rec: Recommendation) -> list[str]:
    return [dedupe_key(i.track.title, i.track.artists) for i in rec.tracks]


def test_a_backing_band_credit_is_the_lead_artists_act() -> None:
    assert act_key("Tom Petty and the Heartbreakers") == act_key("Tom Petty") == "tom petty"
    assert act_key("Bob Marley & The Wailers") == "bob marley"
    assert act_key("Simon & Garfunkel") == normalize_text("Simon & Garfunkel")  # a duo is no backing band
    assert act_key("The Edgar Winter Group") == "the edgar winter group"
    assert dedupe_key("Runnin' Down A Dream", ["Tom Petty and the Heartbreakers"]) == dedupe_key(
        "Runnin' Down A Dream", ["Tom Petty"])


async def test_country_road_trip_names_the_missing_style_first(engine: Engine, user: Caller) -> None:
    text, rec = await _chat(engine, user, "country road trip songs")
    assert text.startswith("This catalog has no music tagged country"), text.splitlines()[0]
    assert all(i.reason.startswith("closest alternative") for i in rec.tracks)  # never presented as country


@pytest.mark.parametrize("request_text", ["relaxing electronic music for falling asleep",
                                          "entspannte elektronische Musik zum Einschlafen"])
async def test_a_style_and_a_mood_are_no_contradiction(engine: Engine, user: Caller, request_text: str) -> None:
    text, rec = await _chat(engine, user, request_text)
    first = text.splitlines()[0]
    assert rec.conflicts == [] and "opposite" not in first and "widersprechen" not in first, first
    # quiet electronic music: low energy, hardly acoustic
    assert _mean(rec, "energy") < 0.45 and _mean(rec, "acousticness") < 0.3
    assert not [i.track.title for i in rec.tracks if i.track.energy > 0.5]  # no club track ("Lose Control")


async def test_bossa_nova_leads_with_the_tracks_that_name_it(engine: Engine, user: Caller) -> None:
    text, rec = await _chat(engine, user, "bossa nova")
    assert text.startswith("This catalog has no music tagged bossa nova")
    named = [("bossa" in normalize_text(f"{i.track.title} {i.track.album or ''}")) for i in rec.tracks]
    assert all(named[:3]) and rec.tracks[0].track.title != "Photograph", [i.track.title for i in rec.tracks]
    assert all(i.reason.startswith("closest alternative") for i in rec.tracks)  # look-alikes, said as such


async def test_sad_indie_folk_is_sad_and_acoustic_not_party_indie(engine: Engine, user: Caller) -> None:
    _, rec = await _chat(engine, user, "sad indie folk for a breakup")
    _, plain = await _chat(engine, user, "indie songs")
    assert _mean(rec, "valence") < 0.35
    assert _mean(rec, "energy") < 0.6 and _mean(rec, "acousticness") > _mean(plain, "acousticness")
    assert not [i.track.title for i in rec.tracks if i.track.energy > 0.85]  # no "Kids", no "Tongue Tied"


async def test_no_reggaeton_means_none_tagged_or_shown_as_reggaeton(engine: Engine, user: Caller) -> None:
    _, rec = await _chat(engine, user, "latin party music but no reggaeton")
    shown = [(i.track.title, i.track.shown_genre) for i in rec.tracks
             if i.track.shown_genre == "reggaeton" or "reggaeton" in i.track.subgenres + i.track.genres]
    assert shown == []


async def test_funk_and_disco_read_as_two_styles_within_the_decade(engine: Engine, user: Caller) -> None:
    text, rec = await _chat(engine, user, "feel-good 70s funk and disco for cooking")
    assert "funk and →" not in text and "funk →" in text and "disco →" in text
    assert all(1970 <= (i.track.original_year or i.track.year or 0) <= 1979 for i in rec.tracks)


async def test_a_decade_shows_years_within_it(engine: Engine, user: Caller) -> None:
    _, rec = await _chat(engine, user, "feel-good 70s funk and disco for cooking")
    assert all(1970 <= (i.track.year or 0) <= 1979 for i in rec.tracks), [(i.track.title, i.track.year)
                                                                          for i in rec.tracks]


async def test_an_explicit_bpm_is_the_tempo_said_and_no_song_twice(engine: Engine, user: Caller) -> None:
    text, rec = await _chat(engine, user, "tempo around 120 BPM house music")
    cues = text.splitlines()[0]
    assert "120 BPM" in cues and "150 BPM" not in cues and "up tempo" not in cues, cues
    assert all(110 <= i.track.tempo <= 130 for i in rec.tracks)
    text, rec = await _chat(engine, user, "instrumental tracks, tempo 170 BPM, drum and bass")
    assert "150 BPM" not in text and all(164 <= i.track.tempo <= 176 for i in rec.tracks)
    assert all(i.track.instrumentalness >= 0.5 for i in rec.tracks)  # "instrumental" stated outright: no vocal rock
    keys = _song_keys(rec)
    assert len(keys) == len(set(keys)), [(i.track.title, i.track.artist) for i in rec.tracks]


async def test_similar_never_returns_the_seed_under_another_artist_spelling(engine: Engine) -> None:
    rec = await engine.app.discovery.recommend_similar(["Runnin' Down A Dream"])
    titles = [normalize_text(i.track.title) for i in rec.tracks]
    assert rec.tracks and not any(t.startswith("runnin down a dream") for t in titles), titles
    keys = _song_keys(rec)
    assert len(keys) == len(set(keys))


def _rap_family(rec: Recommendation) -> list[tuple[str, str]]:
    rap = {"hip hop", "rap", "trap", "gangster rap", "southern hip hop"}
    return [(i.track.title, i.track.shown_genre) for i in rec.tracks
            if i.track.shown_genre in rap or "rap" in i.track.genres]


async def test_no_hip_hop_next_to_an_anchor_leaves_out_the_whole_rap_family(engine: Engine, user: Caller) -> None:
    # "like <a lo-fi track> but no hip hop" gave trap and gangster rap: the genre rap's other subgenres, shown so
    text, rec = await _chat(engine, user, "like Marvy by Nokiaa but no hip hop")
    assert _rap_family(rec) == []
    assert "(not hip hop)" in text.splitlines()[0], text.splitlines()[0]  # the refusal is in the title


async def test_no_hip_hop_as_a_follow_up_to_an_anchor_is_the_same_refusal(engine: Engine, user: Caller) -> None:
    conversation = "test:anchor-then-no-hip-hop"
    first = await engine.app.chat.chat(conversation, user, "similar to Marvy by Nokiaa")
    assert first.recommendation is not None and _rap_family(first.recommendation)  # a lo-fi hip hop radio
    reply = await engine.app.chat.chat(conversation, user, "no hip hop")
    assert reply.recommendation is not None and reply.recommendation.tracks
    assert _rap_family(reply.recommendation) == [], reply.text
    assert "not hip hop" in reply.text.splitlines()[0]


async def test_no_dance_pop_refuses_the_subgenre_not_all_pop(engine: Engine, user: Caller) -> None:
    query = engine.app.discovery.understand("party songs but no dance pop")
    assert not isinstance(query, NeedsClarification)
    assert query.labels["subgenre:dance pop"] <= EXCLUDED_LABEL_WEIGHT
    assert query.labels.get("genre:pop", 0.0) > EXCLUDED_LABEL_WEIGHT  # the family only leans away
    _, rec = await _chat(engine, user, "party songs but no dance pop")
    assert not [i.track.title for i in rec.tracks if "dance pop" in i.track.subgenres]


@pytest.mark.parametrize(("first", "then"), [("something for a rainy day", "in Spanish"),
                                             ("canciones para estudiar", "en español")])
async def test_a_language_as_a_follow_up_keeps_the_request(engine: Engine, user: Caller, first: str,
                                                           then: str) -> None:
    # "in Spanish" after a mood started anew: upbeat reggaeton for a rainy day
    conversation = f"test:language-follow-up:{abs(hash(first))}"
    await engine.app.chat.chat(conversation, user, first)
    reply = await engine.app.chat.chat(conversation, user, then)
    assert reply.recommendation is not None and reply.recommendation.tracks, reply.text
    _, plain = await _chat(engine, user, "songs in Spanish")
    rec = reply.recommendation
    assert _mean(rec, "energy") < _mean(plain, "energy") - 0.1, (_mean(rec, "energy"), _mean(plain, "energy"))
    assert sum("latin" in i.track.genres for i in rec.tracks) >= len(rec.tracks) // 2  # in the language asked


@pytest.mark.parametrize("request_text", ["happy songs", "canciones alegres"])
async def test_happy_songs_are_sung_feel_good_songs_not_bright_rap(engine: Engine, user: Caller,
                                                                   request_text: str) -> None:
    # "happy songs" led with A Milli, My Chick Bad and MEGATRON: high valence, but rap a listener doesn't call happy
    _, rec = await _chat(engine, user, request_text)
    assert _mean(rec, "valence") > 0.7
    rapped = [i.track.title for i in rec.tracks if i.track.speechiness > 0.2]
    assert len(rapped) <= 2, rapped


async def test_no_rap_after_songs_like_an_artist_refuses_the_genre(engine: Engine, user: Caller) -> None:
    # "no rap" was read as the catalog's act called "Rap": Kendrick Lamar, Future and Tyga stayed
    conversation = "test:like-drake-no-rap"
    await engine.app.chat.chat(conversation, user, "songs like Drake")
    reply = await engine.app.chat.chat(conversation, user, "no rap")
    assert reply.recommendation is not None and reply.recommendation.tracks, reply.text
    assert "not rap" in reply.text.splitlines()[0]
    assert _rap_family(reply.recommendation) == []
    assert not [i.track.title for i in reply.recommendation.tracks if "G-Eazy" in i.track.artists]


async def test_a_second_language_follow_up_replaces_the_first(engine: Engine, user: Caller) -> None:
    conversation = "test:language-then-language"
    for text in ("something for a rainy day", "in Spanish"):
        await engine.app.chat.chat(conversation, user, text)
    reply = await engine.app.chat.chat(conversation, user, "auf Deutsch")
    assert reply.recommendation is not None and reply.recommendation.tracks, reply.text
    head = "\n".join(reply.text.splitlines()[:2]).lower()
    assert "spanish" not in head and "latin" not in head, head  # German asked now, not both
    assert "rainy day" in head  # the request itself stays
    assert sum("latin" in i.track.genres for i in reply.recommendation.tracks) <= 2


@pytest.mark.parametrize(("typed", "meant"), [("beatels", "The Beatles"), ("bohemian rapsody", "Bohemian Rhapsody")])
async def test_a_mistyped_search_finds_the_name_and_says_so(engine: Engine, typed: str, meant: str) -> None:
    rec = await engine.app.discovery.search(typed)
    assert rec.tracks and rec.coverage and rec.coverage[0].kind == "closest_match", rec.coverage
    assert rec.coverage[0].alternative == meant  # the first line says what was matched instead
    assert meant in {rec.tracks[0].track.artist, rec.tracks[0].track.title.split(" - ")[0]}


async def test_a_title_without_the_no_data_note_has_no_empty_cue(engine: Engine, user: Caller) -> None:
    conversation = "test:portuguese-then-no-hip-hop"
    for text in ("happy summer road trip songs", "only Portuguese songs"):
        await engine.app.chat.chat(conversation, user, text)
    reply = await engine.app.chat.chat(conversation, user, "no hip hop")
    assert reply.recommendation is not None
    summary = reply.recommendation.summary
    assert "  " not in summary and "; ;" not in summary and not summary.startswith(";"), summary


@pytest.mark.parametrize("text", ["like bad guy by billie eilish but happier", "songs like bad guy by Billie Eilish"])
async def test_a_lower_case_title_by_an_artist_is_the_song(engine: Engine, text: str) -> None:
    # "bad guy" (lower case, as Billie Eilish spells it) was dropped: five Billie Eilish songs, "bad guy" itself second
    rec = await engine.app.discovery.recommend_text(text)  # what `musicbot recommend` and the API's /recommend/text run
    assert "bad guy - Billie Eilish" in rec.summary, rec.summary  # the song, whether a radio or an anchor
    assert sum("Billie Eilish" in i.track.artists for i in rec.tracks) <= 2
    assert not [i for i in rec.tracks if normalize_text(i.track.title) == "bad guy"]  # never the seed itself


@pytest.mark.parametrize("text, most", [("songs from the 90s", 4), ("2000s hits", 4), ("canciones de los 80", 7),
                                        ("70er Jahre Musik", 7)])
async def test_an_era_alone_is_the_eras_best_known_music_across_genres(engine: Engine, user: Caller, text: str,
                                                                        most: int) -> None:
    """"songs from the 90s" was ten gangster rap tracks (the era's playlist names are mostly hip hop, and the scene
    focus followed them); a listener expects the decade: Radiohead, 2Pac, Spice Girls, TLC. (The shipped catalog's
    70s and 80s are 74–86% rock: there rock fills what the other genres cannot.)"""
    _, rec = await _chat(engine, user, text)
    assert len(rec.tracks) == 10
    genres = Counter(g for i in rec.tracks for g in set(i.track.genres))
    assert len(genres) >= 3 and max(genres.values()) <= most, genres  # ≥ 3 genres; none holds the list
    assert statistics.mean(i.track.popularity for i in rec.tracks) >= 60  # the era's well-known songs
    reasons = [i.reason or "" for i in rec.tracks]
    assert all("/100" in r for r in reasons), reasons  # the fact that ranked them, worded in the reply's language
    assert not any("asked" in r or "pediste" in r for r in reasons), reasons  # no feel was asked: none is cited
    assert rec.target == {}  # nor shown as what was asked (charts of the set against its target)


async def test_an_era_with_an_attribute_without_data_stays_the_eras_music(engine: Engine, user: Caller) -> None:
    """"songs from the 90s" then "only female singers" was ten 90s gangster rap tracks: the sung-tracks target the
    gender note falls back to made the request look like a feel, so the era playlists' scene took over."""
    _, rec = await _chat(engine, user, "songs from the 90s, only female singers")
    genres = Counter(g for i in rec.tracks for g in set(i.track.genres))
    assert len(genres) >= 3 and max(genres.values()) <= 4, genres
    assert all(i.track.instrumentalness < 0.5 for i in rec.tracks)


async def test_an_era_with_a_refused_style_keeps_the_refusal(engine: Engine, user: Caller) -> None:
    _, rec = await _chat(engine, user, "songs from the 80s without rock")
    assert not any("rock" in i.track.genres for i in rec.tracks), [(i.track.title, i.track.genres) for i in rec.tracks]
    assert len({g for i in rec.tracks for g in i.track.genres}) >= 3


@pytest.mark.parametrize("first, refusal, said", [("party songs", "no jazz", "not jazz"),
                                                  ("músicas para festa", "sem funk", "sem funk")])
async def test_refusing_a_style_the_catalog_lacks_keeps_the_request(engine: Engine, user: Caller, first: str,
                                                                     refusal: str, said: str) -> None:
    """"no jazz" after "party songs" was a new request for "no jazz" (a random list, "matches your request");
    "sem funk" after a Portuguese party request the same. The request stays, with the refusal said."""
    conversation = f"test:refuse:{refusal.replace(' ', '-')}"
    await engine.app.chat.chat(conversation, user, first)
    reply = await engine.app.chat.chat(conversation, user, refusal)
    assert reply.recommendation is not None and reply.recommendation.tracks, reply.text
    line = reply.text.splitlines()[0]
    assert said in line and ("party →" in line or "festa →" in line), line
    assert "funk →" not in line  # the Portuguese "no" (= "in the") never turned the refusal into a request
    assert _mean(reply.recommendation, "danceability") >= 0.65 and _mean(reply.recommendation, "energy") >= 0.65


async def test_like_a_list_number_with_a_move_makes_the_move(engine: Engine, user: Caller) -> None:
    """"something like #2 but newer" was the radio of #2 with "but newer" dropped (2016 tracks for a 2017 seed);
    the move is now made around that track, as "like TITLE by ARTIST but newer" is."""
    conversation = "test:like-number-move"
    first = await engine.app.chat.chat(conversation, user, "90s rock")
    assert first.recommendation is not None
    second = first.recommendation.tracks[1].track
    reply = await engine.app.chat.chat(conversation, user, "something like #2 but newer")
    rec = reply.recommendation
    assert rec is not None and rec.tracks, reply.text
    assert second.title in reply.text.splitlines()[0] and "newer" in reply.text.splitlines()[0], reply.text
    seed_year = second.original_year or second.year or 0
    years = [i.track.original_year or i.track.year or 0 for i in rec.tracks]
    assert all(y >= seed_year for y in years), (seed_year, years)
    plain = await engine.app.chat.chat(conversation, user, "more like #1")  # no move: still the radio of #1
    assert plain.recommendation is not None and plain.recommendation.tracks


async def test_an_attribute_without_data_as_a_follow_up_keeps_the_request(engine: Engine, user: Caller) -> None:
    """"only female singers" after "90s rock" was a new request (2018 female-vocal EDM); the request stays, and the
    first line says the catalog has no data on the singer's gender."""
    conversation = "test:attribute-follow-up"
    await engine.app.chat.chat(conversation, user, "90s rock")
    reply = await engine.app.chat.chat(conversation, user, "only female singers")
    rec = reply.recommendation
    assert rec is not None and rec.tracks, reply.text
    assert "no data" in reply.text.splitlines()[0] and "gender" in reply.text.splitlines()[0], reply.text
    assert all(1990 <= (i.track.original_year or i.track.year or 0) <= 1999 for i in rec.tracks)
    assert all("rock" in i.track.genres for i in rec.tracks), [(i.track.title, i.track.genres) for i in rec.tracks]


async def test_an_attribute_follow_up_keeps_the_refusals_said_before(engine: Engine, user: Caller) -> None:
    """"happy pop songs from the 2010s", "no rap", "only female singers": the third turn dropped "not rap" (the
    attribute was added to the first request's words, not to the request as refined)."""
    conversation = "test:attribute-keeps-refusal"
    await engine.app.chat.chat(conversation, user, "happy pop songs from the 2010s")
    await engine.app.chat.chat(conversation, user, "no rap")
    reply = await engine.app.chat.chat(conversation, user, "only female singers")
    rec = reply.recommendation
    assert rec is not None and rec.tracks, reply.text
    assert "not rap" in reply.text and "gender" in reply.text.splitlines()[0], reply.text
    assert not any("rap" in i.track.genres for i in rec.tracks), [(i.track.title, i.track.genres) for i in rec.tracks]


@pytest.mark.parametrize("text, feature, at_least", [
    ("party songs to dance at a house party", "danceability", 0.7),  # was 5 of "K-Party Dance Mix"
    ("Running playlist: fast and high-energy, I want to push my pace.", "energy", 0.75),  # was 10 of "Cardio"
    ("songs for a romantic date night", "valence", 0.0),
])
async def test_a_mood_list_crosses_curators_and_keeps_the_feel(engine: Engine, user: Caller, text: str,
                                                                 feature: str, at_least: float) -> None:
    """A mood list is not one catalog playlist reposted (core.playlist_spread): no playlist holds more than 4 of 10,
    and the list still has the feel asked for."""
    _, rec = await _chat(engine, user, text)
    per_playlist = Counter(name for item in rec.tracks for name in set(item.track.playlists))
    assert len(rec.tracks) == 10 and max(per_playlist.values()) <= 4, per_playlist.most_common(3)
    assert _mean(rec, feature) >= at_least


async def test_a_genre_list_picked_from_a_pool_crosses_curators(engine: Engine, user: Caller) -> None:
    """"boom bap please" (a genre named outright: own_genre_first picks from a pool) was ten tracks of "Hip-Hop
    Drive"; the spread applies after that step, and the list stays rap."""
    _, rec = await _chat(engine, user, "boom bap please")
    per_playlist = Counter(name for item in rec.tracks for name in set(item.track.playlists))
    assert max(per_playlist.values()) <= 4, per_playlist.most_common(3)
    assert sum("rap" in item.track.genres for item in rec.tracks) >= 8


@pytest.mark.parametrize("text, artist", [("early 2000s pop punk", "Daft Punk"), ("disco music", "Panic! At The Disco"),
                                          ("grime", "RL Grime"), ("classical music", "Orchestral Manoeuvres In The Dark")])
async def test_an_artists_name_is_no_evidence_of_a_missing_style(engine: Engine, user: Caller, text: str,
                                                                 artist: str) -> None:
    """"early 2000s pop punk" offered Daft Punk ("its artist names punk"): a name is not a description of the music
    (core.coverage: evidence comes from titles, albums and playlists)."""
    rec = await engine.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation)
    assert all(artist not in i.track.artists for i in rec.tracks), [i.track.artist for i in rec.tracks]
    assert all(r.feature != "artist" for i in rec.tracks for r in i.reasons if r.kind == "evidence")


async def test_an_era_with_a_style_the_vocabulary_lacked_is_that_style(engine: Engine, user: Caller) -> None:
    """"90s eurodance" was the 90s' best-known songs (Creep, Thunderstruck, 2Pac) with nothing said about eurodance:
    the word was unknown, so the request read as an era alone. Now the first line says the catalog has no eurodance
    tag and the list is 90s dance pop (What Is Love, Mr. Vain, Rhythm Is A Dancer are in the catalog)."""
    text, rec = await _chat(engine, user, "90s eurodance")
    assert "eurodance" in rec.summary.split("\n")[0].lower() and rec.coverage and rec.coverage[0].kind == "missing"
    years = [i.track.shown_year or 0 for i in rec.tracks]
    assert all(1990 <= y <= 1999 for y in years), years
    assert sum("dance pop" in i.track.subgenres for i in rec.tracks) >= 7
    assert _mean(rec, "energy") >= 0.75 and _mean(rec, "danceability") >= 0.6


async def test_every_missing_style_of_a_request_is_said(engine: Engine, user: Caller) -> None:
    """"gregorian chant / medieval choir music": "medieval" was dropped without a word."""
    rec = await engine.app.discovery.recommend_text("gregorian chant / medieval choir music")
    assert isinstance(rec, Recommendation)
    said = " ".join(n.requested for n in rec.coverage).lower()
    assert "gregorian" in said and "medieval" in said


@pytest.mark.parametrize("text, first", [
    ("anything by Coldplay from 2005", "Only 2 tracks by Coldplay from 2005 in this catalog"),
    ("Drake songs from the 1970s", "No tracks by Drake from 1970–1979 in this catalog"),
    ("canciones de Coldplay de 2005", "Solo 2 canciones de Coldplay de 2005 en este catálogo"),
])
async def test_an_artist_within_years_says_how_few_before_the_others(engine: Engine, text: str, first: str) -> None:
    """"anything by Coldplay from 2005" was 2 Coldplay tracks and 8 others with nothing said (the catalog holds many
    Coldplay songs, 2 of them from 2005); "canciones de Coldplay de 2005" said there was no artist "Coldplay de"."""
    rec = await engine.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10
    assert rec.summary.startswith(first), rec.summary
    assert not any(n.kind == "missing_artist" for n in rec.coverage)


async def test_a_thin_style_in_an_era_is_its_familys_music_of_those_years(engine: Engine, user: Caller) -> None:
    """"60s soul and motown" said "very little soul from 1960–1969 (9 tracks)" and then showed 3 of them and classic
    rock (Beatles, Cream, CCR): the catalog files 60s soul as r&b (The Supremes, Sam Cooke, Wilson Pickett, Percy
    Sledge) and its soul labels are neo soul. The style's family genre now ranks within the years."""
    rec = await engine.app.discovery.recommend_text("60s soul and motown")
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10
    assert sum("r&b" in i.track.genres for i in rec.tracks) >= 7, [(i.track.title, i.track.genres) for i in rec.tracks]
    cov = engine.app.discovery.coverage
    from core.models import Filters

    assert cov.era_family_labels("60s soul", Filters(year_min=1960, year_max=1969)) == {"genre:r&b": 1.0}
    assert cov.era_family_labels("60s soul", None) == {}  # no years: the style's own labels answer
    assert cov.era_family_labels("80s rock", Filters(year_min=1980, year_max=1989)) == {}  # not thin there
    assert cov.era_family_labels("no soul from the 60s", Filters(year_min=1960, year_max=1969)) == {}  # refused


async def test_a_length_asked_for_is_in_every_reason(engine: Engine, user: Caller) -> None:
    """"under 3 minutes" kept every track under 3:00 but no reason said a length (a listener could not check it)."""
    rec = await engine.app.discovery.recommend_text("high energy songs under 3 minutes")
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10
    for item in rec.tracks:
        said = [r for r in item.reasons if r.feature == "duration_ms"]
        assert said and said[0].value == item.track.duration_ms <= 180_000 and said[0].high == 180_000
        minutes, seconds = divmod(round(item.track.duration_ms / 1000), 60)
        assert f"{minutes}:{seconds:02d} (asked ≤ 3:00)" in item.reason, item.reason

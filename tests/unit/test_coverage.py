"""Coverage honesty, the parts that need no catalog: style words in requests (longest match, negation in five
languages, phrases that only look like styles), attributes without data, the wording of the first line, and the
strict text benchmark's scoring rule."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.coverage import coverage_line, coverage_text, describe_alternative, find_styles, no_data_attributes
from core.models import CoverageNote, RecommendedTrack, Track
from core.table import TrackTable


def styles(text: str) -> list[tuple[str, bool]]:
    return [(s, neg) for s, _, neg in find_styles(text)]


def test_longest_style_phrase_wins() -> None:
    assert styles("Play some classic new jack swing") == [("new jack swing", False)]
    assert styles("Brutal death metal with blast beats") == [("death metal", False)]
    assert styles("heavy metal and k-pop") == [("metal", False), ("k-pop", False)]
    assert styles("1940s big band swing like Glenn Miller") == [("big band swing", False)]


def test_phrases_that_only_look_like_styles() -> None:
    assert styles("House party tonight, I need songs that get everyone dancing") == []
    assert styles("a rock star anthem") == []
    assert styles("Des chansons douces et mélancoliques") == []  # French "chansons" = songs, not chanson


def test_negated_styles_in_five_languages() -> None:
    for text in ("Upbeat party songs, but no rap please", "Quiero música para bailar, pero nada de reggaetón",
                 "Gute-Laune-Musik, aber bitte kein EDM", "quero rock, mas sem metal", "de la pop sans rap",
                 "Workout music, anything but EDM"):
        found = find_styles(text)
        assert found and found[-1][2], text
    assert styles("Latin music, but no reggaeton please") == [("latin", False), ("reggaeton", True)]


def test_attributes_without_data() -> None:
    assert no_data_attributes("songs with female vocals") == ["the singer's gender"]
    assert no_data_attributes("something with saxophone") == ["instruments"]
    assert no_data_attributes("rap in French please") == ["the language of the lyrics"]
    assert no_data_attributes("canciones en español") == ["the language of the lyrics"]
    assert no_data_attributes("calm acoustic songs") == []
    assert no_data_attributes("songs for women's day run") == []


def test_first_line_wording() -> None:
    missing = CoverageNote(requested="country", kind="missing", alternative="calm, acoustic tracks")
    assert coverage_line(missing) == "This catalog has no music tagged country — here's the closest: calm, acoustic tracks."
    assert coverage_line(CoverageNote(requested="Zorblax", kind="missing_artist")).startswith(
        "There's no artist named Zorblax in this catalog")
    sparse = CoverageNote(requested="metal", kind="sparse", found_count=12, alternative="x")
    assert "12 tracks" in coverage_line(sparse)
    era = CoverageNote(requested="1940–1949", kind="era", alternative="the oldest tracks")
    text = coverage_text([missing, era])
    assert text.startswith(coverage_line(missing)) and text.count("here's the closest") == 1
    assert coverage_text([]) == ""


@given(st.text(max_size=200))
def test_style_finding_never_crashes_and_is_stable(text: str) -> None:
    first = find_styles(text)
    assert first == find_styles(text)
    for style, phrase, negated in first:
        assert style and phrase and isinstance(negated, bool)


@given(st.sampled_from(["no", "not", "without", "sin", "sem", "sans", "ohne", "kein"]),
       st.sampled_from(["country", "jazz", "reggae", "opera", "tango", "polka"]))
def test_a_negation_word_before_a_style_always_negates_it(neg: str, style: str) -> None:
    assert find_styles(f"something nice, {neg} {style}") == [(style, style, True)]


def test_relative_moves_around_an_anchor() -> None:
    from core.anchors import relative_moves

    deltas, cues = relative_moves("but more upbeat and danceable")
    assert deltas["valence"] > 0 and deltas["danceability"] > 0 and cues == ["more upbeat", "more danceable"]
    assert relative_moves("pero más lento")[0] == {"tempo": -0.15}
    assert relative_moves("aber ruhiger")[0] == {"energy": -0.2}
    assert relative_moves("mais plus récent")[0] == {}  # an era move, handled by era_shift
    assert relative_moves("heavier")[0] == {"energy": 0.2}


def test_sub_styles_are_their_own_styles_and_mixed_playlists_name_none() -> None:
    from core.coverage import _label_styles, find_styles

    assert [s for s, _, _ in find_styles("some deep house please")] == ["deep house"]
    assert [s for s, _, _ in find_styles("tech house for the gym")] == ["tech house"]
    assert [s for s, _, _ in find_styles("house music")] == ["house"]
    assert len(_label_styles("Fresh EDM | Progressive House | Electro House | Trap | Deep House")) >= 3


def test_no_match_and_style_in_years_wording() -> None:
    none = CoverageNote(requested="master of puppets", kind="no_match", alternative="Metallica")
    assert coverage_line(none) == ("Nothing in this catalog matches “master of puppets” — no title, artist or album "
                                   "by that name; did you mean Metallica?")
    funk = CoverageNote(requested="funk from 1970–1979", kind="missing")
    assert coverage_line(funk) == "This catalog has no tracks tagged funk from 1970–1979."


def _recommended(genres: list[str]) -> list[RecommendedTrack]:
    return [RecommendedTrack(track=Track(track_id=f"T{i:021d}", title=f"S{i}", artists=["A"], genres=["pop"],
                                         subgenres=[g]), score=1.0, reason="") for i, g in enumerate(genres)]


def test_mostly_names_the_shown_genre_of_at_least_half_the_tracks() -> None:
    table = TrackTable()
    recs = _recommended(["grunge"] * 5 + ["hard rock"] * 3 + ["pop punk"] * 2)
    for r in recs:
        table.upsert(r.track)
    assert describe_alternative(table, recs).endswith("mostly grunge")
    split = _recommended(["grunge"] * 4 + ["hard rock"] * 3 + ["pop punk"] * 3)
    assert describe_alternative(table, split).endswith("mostly grunge / hard rock")  # two genres hold half: both
    scattered = _recommended(["grunge"] * 2 + ["hard rock"] * 2 + ["pop punk"] * 2 + ["emo"] * 2 + ["ska"] * 2)
    assert "mostly" not in describe_alternative(table, scattered)


def test_alternative_from_one_asked_playlist_is_named_and_drops_the_family_guess() -> None:
    from core.coverage import FROM_PLAYLIST
    from core.models import Reason

    table = TrackTable()
    recs = _recommended(["dance pop"] * 6)
    for i, r in enumerate(recs):
        table.upsert(r.track)
        if i < 4:
            r.reasons.append(Reason(kind="asked_label", feature="playlist", label="K-Party Dance Mix"))
    alt = describe_alternative(table, recs)
    assert alt.endswith(f"{FROM_PLAYLIST}“K-Party Dance Mix”"), alt
    note = CoverageNote(requested="k-pop", kind="missing", closest="indie poptimism", family="pop", alternative=alt)
    line = coverage_line(note)
    assert "indie poptimism" not in line and "K-Party Dance Mix" in line
    family_only = note.model_copy(update={"alternative": "calm tracks"})
    assert "closest: indie poptimism" in coverage_line(family_only)


def test_the_first_line_uses_the_users_words_for_a_style() -> None:
    note = CoverageNote(requested="boom bap", asked="old school hip hop", kind="missing", closest="hip hop",
                        family="hip hop", found_count=0)
    line = coverage_line(note)
    assert line.startswith("This catalog has no music tagged old school hip hop (closest: hip hop)"), line
    assert "boom bap" not in line


def test_world_styles_are_known_by_name() -> None:
    assert [s for s, _p, _n in find_styles("Some zydeco from Louisiana, washboard and all.")] == ["zydeco"]
    assert [s for s, _p, _n in find_styles("Qawwali devotional music")] == ["qawwali"]
    assert [s for s, _p, _n in find_styles("a carnatic raga for the morning")] == ["indian classical"]

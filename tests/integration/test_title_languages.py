"""Languages no label names, answered by song titles, on small real SQLite catalogs (written as CSV, imported with
``Engine.import_catalog``): one with genre / subgenre / playlist labels and the same tracks without any label.

The catalog is made up here, so the truth is known by construction: which artists sing in French, Portuguese or
English (their titles are written in that language); the product never sees that list, it reads the titles."""

from __future__ import annotations

import asyncio
import csv
import random
from pathlib import Path

import pytest

from core.engine import Engine
from core.models import Caller, Recommendation, Role
from tests.catalogs import build_imported

ADMIN = Caller(user_id="admin", platform="test", role=Role.ADMIN)

TITLES = {
    "fr": ["Je t'aime encore", "La nuit est à nous", "Pas de regrets", "Toujours plus haut", "Dans la ville",
           "Rien ne change", "C'est la vie", "Quand tu pars", "Mon cœur est froid", "Sans toi ce soir",
           "Le temps passe", "Une autre nuit"],
    "pt": ["Você não sabe", "Minha vida", "Saudade de você", "Tudo que eu quero", "Coração partido",
           "Noite de verão", "Eu vou com você", "Sem você não dá", "Meu amor", "Quando a noite chega"],
    "en": ["I Want You Back", "Love Me Tonight", "Running Away From You", "All Night Long", "Don't Stop Now",
           "Into the Night", "Take Me Home", "You and I", "Forever Young at Heart", "Out of My Mind",
           "Back to the Start", "Give It to Me", "Where Do We Go", "Lost in the City", "Hold On to Me",
           "The Way You Move"],
}
ARTISTS = {"fr": ["Lune Noire", "MC Sablon", "Kassim B", "Les Voyous", "Zed du Nord"], "pt": ["Grupo Alegria", "Tiago Moraes",
           "Duda e Lia"], "en": ["Jay Stone", "Kelly Marsh", "The Northern Kids", "Big Ray", "DJ Tempo",
                                 "Amber Wells"],
           "metal": ["Iron Hammer", "Grave Tide", "Steel Vow", "Black Anvil", "Rust Crown", "Void March"]}
LABEL_COLUMNS = ("playlist_name", "playlist_id", "playlist_genre", "playlist_subgenre")


def _rows(french_playlist: str = "") -> list[dict[str, object]]:
    """The catalog: every artist sings titles of their language (the French ones rap, the others rap, pop, rock or
    latin by artist; the "metal" ones English rock in a playlist called "Metal Madness"); features
    drawn from one seeded generator so the languages sound alike (only the titles tell them apart)."""
    rng = random.Random(7)
    rows: list[dict[str, object]] = []
    n = 0
    for lang, artists in ARTISTS.items():
        for a, artist in enumerate(artists):
            genre = {"fr": "rap", "pt": ("latin", "pop", "latin")[a % 3], "metal": "rock"}.get(
                lang, ("rap", "rap", "pop", "rock")[a % 4])
            sub = {"rap": "hip hop", "pop": "dance pop", "rock": "hard rock", "latin": "tropical"}[genre]
            words = TITLES["en" if lang == "metal" else lang]
            titles = words[a::2] + words[(a + 1) % 2::3]
            for title in dict.fromkeys(titles):
                n += 1
                playlist, pid = f"{genre.title()} Mix", f"pl{genre}"
                if lang == "fr" and french_playlist:
                    playlist, pid = french_playlist, "plfr"
                if lang == "metal":  # a playlist named after a style no genre label names
                    playlist, pid = "Metal Madness", "plmetal"
                rows.append({
                    "track_id": f"t{n:021d}", "track_name": title, "track_artist": artist,
                    "track_popularity": rng.randint(20, 80), "track_album_id": f"al{lang}{a}",
                    "track_album_name": title, "track_album_release_date": f"{rng.randint(2005, 2019)}-01-01",
                    "playlist_name": playlist, "playlist_id": pid, "playlist_genre": genre, "playlist_subgenre": sub,
                    "danceability": round(rng.uniform(0.5, 0.85), 3), "energy": round(rng.uniform(0.55, 0.95), 3),
                    "key": rng.randint(0, 11), "loudness": round(rng.uniform(-8, -3), 2), "mode": rng.randint(0, 1),
                    "speechiness": round(rng.uniform(0.05, 0.3), 3), "acousticness": round(rng.uniform(0, 0.3), 3),
                    "instrumentalness": 0, "liveness": round(rng.uniform(0.05, 0.3), 3),
                    "valence": round(rng.uniform(0.3, 0.9), 3), "tempo": round(rng.uniform(90, 140), 1),
                    "duration_ms": rng.randint(150000, 240000),
                })
    return rows


def _write(path: Path, rows: list[dict[str, object]], labels: bool) -> None:
    header = [c for c in rows[0] if labels or c not in LABEL_COLUMNS]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``{"labelled", "plain", "french_label"}`` -> database: the same tracks with labels, without any label, and
    with the French artists' tracks in a playlist whose name says the language."""
    root = tmp_path_factory.mktemp("title_languages")
    _write(root / "labelled.csv", _rows(), labels=True)
    _write(root / "plain.csv", _rows(), labels=False)
    _write(root / "french_label.csv", _rows("Rap Français"), labels=True)

    async def build(name: str) -> Path:
        return await build_imported(root / f"{name}.db", root / f"{name}.csv", ADMIN, replace=True)

    return {name: asyncio.run(build(name)) for name in ("labelled", "plain", "french_label")}


def _by(rec: Recommendation, lang: str) -> int:
    return sum(1 for t in rec.tracks if set(t.track.artists) & set(ARTISTS[lang]))


def _leads(rec: Recommendation, lang: str) -> bool:
    """True when the list starts with as many tracks in ``lang`` as two per artist allow (the per-artist cap)."""
    n = min(2 * len(ARTISTS[lang]), len(rec.tracks))
    return n > 0 and all(set(t.track.artists) & set(ARTISTS[lang]) for t in rec.tracks[:n])


@pytest.mark.parametrize("name", ["labelled", "plain"])
async def test_french_rap_is_french_and_says_how(catalogs: dict[str, Path], name: str) -> None:
    eng = await Engine.open(catalogs[name], seed=False)
    try:
        rec = await eng.app.discovery.recommend_text("du rap français pour faire du sport")
        assert isinstance(rec, Recommendation)
        assert _leads(rec, "fr"), [t.track.artists for t in rec.tracks]
        said = " ".join(n.alternative for n in rec.coverage) + " " + rec.summary
        assert "titres sont en français" in said  # the reply says how the language was read, in French
        assert "playlist:" not in rec.summary and "genre:" not in rec.summary
    finally:
        await eng.close()


async def test_a_label_naming_the_language_keeps_answering(catalogs: dict[str, Path]) -> None:
    eng = await Engine.open(catalogs["french_label"], seed=False)
    try:
        query = eng.app.discovery.understand("du rap français")
        assert query.title_language == ""  # the "Rap Français" playlist names it: labels answer, not titles
        assert query.labels.get("playlist:Rap Français", 0) > 0
        rec = await eng.app.discovery.recommend_text("du rap français")
        assert isinstance(rec, Recommendation)
        assert _leads(rec, "fr")
    finally:
        await eng.close()


async def test_samba_without_a_samba_label_is_portuguese_and_said(catalogs: dict[str, Path]) -> None:
    eng = await Engine.open(catalogs["labelled"], seed=False)
    try:
        rec = await eng.app.discovery.recommend_text("músicas animadas de pagode e samba para churrasco")
        assert isinstance(rec, Recommendation)
        assert _leads(rec, "pt"), [t.track.artists for t in rec.tracks]
        first = rec.coverage[0]
        assert (first.kind, first.requested) == ("missing", "samba")
        assert "português" in first.alternative and "reggaeton" not in rec.summary
    finally:
        await eng.close()


async def test_english_request_for_french_songs_is_worded_in_english(catalogs: dict[str, Path]) -> None:
    eng = await Engine.open(catalogs["plain"], seed=False)
    try:
        rec = await eng.app.discovery.recommend_text("french songs")
        assert isinstance(rec, Recommendation)
        assert _by(rec, "fr") >= min(8, len(rec.tracks))
        from core.coverage import coverage_text

        assert "song titles are in French" in coverage_text(rec.coverage)
    finally:
        await eng.close()


async def test_a_style_only_playlists_name_is_said_and_reached(catalogs: dict[str, Path]) -> None:
    eng = await Engine.open(catalogs["labelled"], seed=False)
    try:
        rec = await eng.app.discovery.recommend_text("heavy metal")
        assert isinstance(rec, Recommendation)
        first = rec.coverage[0]
        assert (first.kind, first.requested) == ("playlists_only", "metal")
        assert first.playlists == ["Metal Madness"]
        assert any("Metal Madness" in t.track.playlists for t in rec.tracks[:5])
    finally:
        await eng.close()


async def test_a_language_label_without_the_asked_style_gives_way_to_titles(catalogs: dict[str, Path]) -> None:
    # "Rap Français" names the language but holds no rock: "rock français" is read from titles, and says how many
    eng = await Engine.open(catalogs["french_label"], seed=False)
    try:
        query = eng.app.discovery.understand("rock français")
        assert query.title_language == "fr"
        assert query.labels.get("playlist:Rap Français", 0) <= 0
        rec = await eng.app.discovery.recommend_text("rock français")
        assert isinstance(rec, Recommendation)
        assert _leads(rec, "fr"), [t.track.artists for t in rec.tracks]
    finally:
        await eng.close()

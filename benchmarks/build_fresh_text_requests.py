"""Build ``data/text_requests_fresh.jsonl``: the fresh strict text benchmark (same schema as
``data/text_requests_shared.jsonl``, see ``data/TEXT-REQUESTS.md``).

The requests below were written by hand from the catalog alone (its 6 genres / 24 subgenres, playlist names, artist
counts and feature quartiles), before any product output was read for them. Absolute ranges follow the whole-catalog
quartiles (energy 0.58 / 0.72 / 0.84, valence 0.33 / 0.51 / 0.70, danceability 0.56 / 0.67 / 0.76, acousticness
0.01 / 0.08 / 0.26, loudness -8.3 / -6.3 / -4.7 dB, tempo 100 / 122 / 134 BPM). Anchored requests ("like X but
slower") get their ranges from the anchor artist's own catalog medians (slower = tempo ≤ 0.95 × X's median, more
upbeat = valence ≥ X's median + 0.1, calmer = energy ≤ median − 0.1, heavier = energy ≥ median + 0.05, sadder =
valence ≤ median − 0.1, more acoustic = acousticness ≥ max(median + 0.1, 0.2), newer = year ≥ median year + 5, older
= year ≤ median year − 5) and ``labels_any`` = X's three most common genre/subgenre labels. The script also prints
how many catalog tracks satisfy each request (feasibility; X's own tracks excluded).

Run: ``uv run python -m benchmarks.build_fresh_text_requests data/spotify_songs.csv`` (the TidyTuesday CSV; the
shipped gzip works too).
"""

from __future__ import annotations

import csv
import gzip
import json
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "text_requests_fresh.jsonl"

ROCK = ["rock", "album rock", "classic rock", "hard rock", "permanent wave"]


def R(i, q, lang, kind, labels=(), features=None, years=None, exclude=(), anchor=None, gap=False, note="",
      rel=None):  # noqa: N802 - a table of rows reads better with a short constructor
    return {"id": f"n{i:03d}", "q": q, "lang": lang, "kind": kind, "labels_any": list(labels),
            "features": features or {}, "years": years, "exclude_artists": list(exclude), "anchor_artist": anchor,
            "gap": gap, "note": note, "_rel": rel or []}


REQUESTS = [
    # ---- mood / activity (en)
    R(1, "Music for a long night drive on an empty highway, moody but not sleepy.", "en", "mood",
      features={"energy": [0.45, 0.8], "valence": [0, 0.5]}, note="Mid-energy, darker tracks."),
    R(2, "Songs that feel like a warm summer evening with friends.", "en", "mood",
      features={"valence": [0.55, 1], "energy": [0.5, 0.9]}, note="Warm, positive, relaxed-but-lively."),
    R(3, "I need to focus on coding for three hours. Instrumental, steady, no vocals.", "en", "activity",
      features={"instrumentalness": [0.5, 1]}, note="Instrumental tracks."),
    R(4, "Yoga and stretching, something slow and soothing.", "en", "activity",
      features={"energy": [0, 0.5]}, note="Low-energy tracks."),
    R(5, "Wedding first dance, tender and romantic.", "en", "mood",
      features={"energy": [0, 0.55]}, note="Soft love songs; nothing hard."),
    R(6, "Pump-up songs for a spin class, fast and relentless.", "en", "activity",
      features={"energy": [0.8, 1], "tempo": [120, 250]}, note="High energy, fast."),
    R(7, "Songs to cry to after a funeral.", "en", "mood",
      features={"valence": [0, 0.3], "energy": [0, 0.55]}, note="Sad, subdued."),
    R(8, "Happy, bouncy songs for a kids' birthday party.", "en", "activity",
      features={"valence": [0.7, 1], "danceability": [0.65, 1]}, note="Bright and danceable."),
    R(9, "Angry breakup songs with loud guitars.", "en", "mood", labels=ROCK,
      features={"energy": [0.75, 1]}, note="Loud rock."),
    R(10, "Background music for reading, quiet and gentle.", "en", "activity",
      features={"energy": [0, 0.45]}, note="Quiet, low energy."),
    # ---- genres present in the catalog (en)
    R(11, "Some trap bangers with heavy 808s.", "en", "genre", labels=["trap"], note="Trap subgenre."),
    R(12, "Classic album rock from the 70s.", "en", "era", labels=["album rock", "classic rock"],
      years=[1970, 1979], note="70s album / classic rock."),
    R(13, "Latin pop hits to sing along to.", "en", "genre", labels=["latin pop"], note="Latin pop."),
    R(14, "Progressive electro house for a long set.", "en", "genre", labels=["progressive electro house"],
      note="Progressive electro house."),
    R(15, "Urban contemporary R&B, smooth and modern.", "en", "genre", labels=["urban contemporary"],
      note="Urban contemporary."),
    R(16, "Post-teen pop, the stuff on every teen's playlist.", "en", "genre", labels=["post-teen pop"],
      note="Post-teen pop."),
    R(17, "Permanent wave: The Smiths, New Order, that 80s alternative sound.", "en", "genre",
      labels=["permanent wave"], note="Permanent wave subgenre."),
    R(18, "Tropical, sunny Latin rhythms.", "en", "genre", labels=["tropical"], note="Latin tropical."),
    R(19, "Hip pop like the early 2000s crossover hits.", "en", "era", labels=["hip pop"], years=[2000, 2009],
      note="Hip pop dated 2000-2009."),
    # ---- styles the catalog lacks (en)
    R(20, "Some reggae please, roots and culture, Bob Marley vibes.", "en", "absent-style", gap=True,
      features={"danceability": [0.6, 1], "energy": [0, 0.75]}, note="Say there is no reggae; laid-back grooves."),
    R(21, "Baroque harpsichord and string quartets.", "en", "absent-style", gap=True,
      features={"acousticness": [0.5, 1], "energy": [0, 0.5]}, note="Say there is no classical; soft acoustic."),
    R(22, "Traditional Irish folk with fiddles and tin whistles.", "en", "absent-style", gap=True,
      features={"acousticness": [0.3, 1]}, note="Say there is no folk; acoustic tracks."),
    R(23, "Filthy dubstep with wobble bass, Skrillex style.", "en", "absent-style", gap=True, labels=["edm"],
      features={"energy": [0.75, 1]}, note="Say there is no dubstep; hard EDM."),
    R(24, "Ambient drone music, no beats at all.", "en", "absent-style", gap=True,
      features={"energy": [0, 0.4]}, note="Say there is no ambient; the calmest tracks."),
    R(25, "Polka for an Oktoberfest party.", "en", "absent-style", gap=True,
      features={"valence": [0.6, 1], "energy": [0.6, 1]}, note="Say there is no polka; cheerful party tracks."),
    R(26, "Gregorian chant for meditation.", "en", "absent-style", gap=True,
      features={"energy": [0, 0.4]}, note="Say there is no chant; very calm tracks."),
    R(27, "Flamenco guitar, something Spanish and passionate.", "en", "absent-style", gap=True, labels=["latin"],
      features={"acousticness": [0.2, 1]}, note="Say there is no flamenco; acoustic latin."),
    R(28, "Some zydeco from Louisiana, washboard and all.", "en", "absent-style", gap=True,
      features={"valence": [0.6, 1]}, note="Say there is no zydeco; cheerful tracks."),
    R(29, "Qawwali devotional music, Nusrat Fateh Ali Khan.", "en", "absent-style", gap=True,
      features={"acousticness": [0.2, 1]}, note="Say there is no qawwali / no such artist; acoustic tracks."),
    # ---- eras (en)
    R(30, "Best of the 90s hip hop golden era.", "en", "era", labels=["rap", "hip hop", "gangster rap"],
      years=[1990, 1999], note="90s rap."),
    R(31, "Dance pop from 2019 or 2020 only.", "en", "era", labels=["dance pop"], years=[2019, 2020],
      note="Dance pop dated 2019-2020."),
    R(32, "80s new jack swing.", "en", "era", labels=["new jack swing"], years=[1980, 1989],
      note="New jack swing dated in the 80s."),
    R(33, "Rock songs from before 1975.", "en", "era", labels=ROCK, years=[1950, 1974], note="Rock up to 1974."),
    # ---- numbers (en)
    R(34, "Songs around 100 BPM, between 95 and 105.", "en", "numbers", features={"tempo": [95, 105]}),
    R(35, "Energy below 0.4 please.", "en", "numbers", features={"energy": [0, 0.4]}),
    R(36, "Give me danceability above 0.85.", "en", "numbers", features={"danceability": [0.85, 1]}),
    R(37, "Tracks with valence over 90%.", "en", "numbers", features={"valence": [0.9, 1]}),
    R(38, "Acousticness at least 0.6 and energy under 0.5.", "en", "numbers",
      features={"acousticness": [0.6, 1], "energy": [0, 0.5]}),
    R(39, "Fast tracks over 150 BPM.", "en", "numbers", features={"tempo": [150, 250]}),
    R(40, "Louder than -4 dB, the loudest you have.", "en", "numbers", features={"loudness": [-4, 5]}),
    R(41, "Songs longer than 6 minutes.", "en", "numbers", features={"duration_ms": [360000, 100000000]}),
    R(42, "Instrumentalness of 0.7 or more.", "en", "numbers", features={"instrumentalness": [0.7, 1]}),
    R(43, "Mood 2/10, really sad.", "en", "numbers", features={"valence": [0, 0.3]}),
    R(44, "Energy 5 out of 10, not too much, not too little.", "en", "numbers", features={"energy": [0.4, 0.6]}),
    R(45, "Speechiness under 5%, hardly any talking.", "en", "numbers", features={"speechiness": [0, 0.05]}),
    R(46, "Slow songs under 80 BPM.", "en", "numbers", features={"tempo": [0, 80]}),
    # ---- anchors (en): ranges from the anchor's catalog medians (see module docstring)
    R(47, "Something like Coldplay but more upbeat.", "en", "anchor", anchor="Coldplay", rel=["upbeat"]),
    R(48, "Like Avicii but slower.", "en", "anchor", anchor="Avicii", rel=["slower"]),
    R(49, "Like Eminem but more chill.", "en", "anchor", anchor="Eminem", rel=["calmer"]),
    R(50, "Songs like Bad Bunny but older, from before 2015.", "en", "anchor", anchor="Bad Bunny",
      years=[1950, 2014]),
    R(51, "Like Kygo but more energetic.", "en", "anchor", anchor="Kygo", rel=["heavier"]),
    R(52, "Sounds like The Cranberries, but newer.", "en", "anchor", anchor="The Cranberries", rel=["newer"]),
    R(53, "In the style of Depeche Mode but more upbeat.", "en", "anchor", anchor="Depeche Mode", rel=["upbeat"]),
    R(54, "Like Rihanna but sadder.", "en", "anchor", anchor="Rihanna", rel=["sadder"]),
    R(55, "Similar to Calvin Harris, only 2010s.", "en", "anchor", anchor="Calvin Harris", years=[2010, 2019]),
    R(56, "Like Guns N' Roses but more acoustic.", "en", "anchor", anchor="Guns N' Roses", rel=["acoustic"]),
    R(57, "Something like Daft Punk but faster.", "en", "anchor", anchor="Daft Punk", rel=["faster"]),
    R(58, "Like Frank Ocean but happier.", "en", "anchor", anchor="Frank Ocean", rel=["upbeat"]),
    R(59, "Like Soda Stereo but heavier.", "en", "anchor", anchor="Soda Stereo", rel=["heavier"]),
    # ---- negation (en)
    R(60, "Dance music without any EDM.", "en", "negation", labels=["pop", "latin", "r&b"],
      features={"danceability": [0.7, 1]}, note="Danceable, not from EDM playlists."),
    R(61, "Hip hop, but nothing by Drake, Eminem or 2Pac.", "en", "negation", labels=["rap"],
      exclude=["Drake", "Eminem", "2Pac"]),
    R(62, "Sad songs but no rap.", "en", "negation", labels=["pop", "rock", "r&b", "latin", "edm"],
      features={"valence": [0, 0.35]}),
    R(63, "Rock, but not hard rock, something softer.", "en", "negation",
      labels=["album rock", "classic rock", "permanent wave"], features={"energy": [0, 0.75]}),
    R(64, "Latin hits, no Daddy Yankee, no J Balvin.", "en", "negation", labels=["latin"],
      exclude=["Daddy Yankee", "J Balvin"]),
    # ---- contradictions (en): the compromise is what a hit must fit
    R(65, "Happy sad songs, upbeat but heartbreaking.", "en", "contradiction",
      features={"energy": [0.55, 1], "valence": [0, 0.45]}, note="Name the conflict; upbeat-sounding sad songs."),
    R(66, "Slow songs at 170 BPM.", "en", "contradiction", features={"tempo": [160, 190], "energy": [0, 0.6]},
      note="Name the conflict; half-time feel at that tempo."),
    R(67, "Brand-new songs from the 1980s.", "en", "contradiction", years=[1980, 1989],
      note="Name the conflict; 80s tracks."),
    R(68, "Very quiet but super loud songs.", "en", "contradiction", features={"loudness": [-9, -5]},
      note="Name the conflict; middling loudness."),
    R(69, "Fast slow jams.", "en", "contradiction", labels=["r&b"], features={"energy": [0, 0.7]},
      note="Name the conflict; R&B slow jams."),
    R(70, "Dark, gloomy party anthems that are also really cheerful.", "en", "contradiction",
      features={"danceability": [0.65, 1], "valence": [0.3, 0.7]}, note="Name the conflict; danceable, mid mood."),
    # ---- Spanish
    R(71, "Canciones alegres para una fiesta en la playa.", "es", "language",
      features={"valence": [0.65, 1], "danceability": [0.65, 1]}, note="[mood, Spanish] happy, danceable."),
    R(72, "Música tranquila para dormir, sin nada fuerte.", "es", "language", features={"energy": [0, 0.45]},
      note="[activity, Spanish] calm."),
    R(73, "Algo parecido a Shakira pero más lento.", "es", "anchor", anchor="Shakira", rel=["slower"],
      note="[anchor, Spanish]"),
    R(74, "Rock de los 80, nada de baladas.", "es", "language", labels=ROCK, years=[1980, 1989],
      features={"energy": [0.6, 1]}, note="[era+negation, Spanish] 80s rock, energetic."),
    R(75, "Canciones con más de 140 BPM para correr.", "es", "numbers", features={"tempo": [140, 250]},
      note="[numbers, Spanish]"),
    R(76, "Quiero tango argentino de verdad, Gardel o Piazzolla.", "es", "absent-style", gap=True, labels=["latin"],
      features={"energy": [0, 0.7]}, note="[absent-style, Spanish] say there is no tango."),
    R(77, "Música triste pero sin reggaetón.", "es", "language", labels=["pop", "rock", "r&b", "edm", "rap"],
      features={"valence": [0, 0.35]}, note="[negation, Spanish] sad, not reggaeton."),
    R(78, "Canciones muy tristes pero súper alegres para bailar.", "es", "contradiction",
      features={"danceability": [0.65, 1], "valence": [0, 0.5]}, note="[contradiction, Spanish]"),
    # ---- Portuguese
    R(79, "Músicas animadas para malhar na academia.", "pt", "language", features={"energy": [0.8, 1]},
      note="[activity, Portuguese] high energy."),
    R(80, "Algo calmo e acústico para um domingo de manhã.", "pt", "language",
      features={"energy": [0, 0.5], "acousticness": [0.3, 1]}, note="[mood, Portuguese] calm acoustic."),
    R(81, "Quero samba e pagode de raiz.", "pt", "absent-style", gap=True, labels=["latin"],
      features={"danceability": [0.6, 1]}, note="[absent-style, Portuguese] say there is no samba."),
    R(82, "Músicas parecidas com Coldplay, mas mais tristes.", "pt", "anchor", anchor="Coldplay", rel=["sadder"],
      note="[anchor, Portuguese]"),
    R(83, "Hip hop dos anos 90, sem Eminem.", "pt", "language", labels=["rap"], years=[1990, 1999],
      exclude=["Eminem"], note="[era+negation, Portuguese]"),
    R(84, "Músicas com energia acima de 0.9.", "pt", "numbers", features={"energy": [0.9, 1]},
      note="[numbers, Portuguese]"),
    # ---- French
    R(85, "De la musique joyeuse pour danser dans la cuisine.", "fr", "language",
      features={"valence": [0.65, 1], "danceability": [0.65, 1]}, note="[mood, French] happy, danceable."),
    R(86, "Des morceaux calmes pour se concentrer, sans paroles.", "fr", "language",
      features={"instrumentalness": [0.5, 1]}, note="[activity, French] instrumental."),
    R(87, "Quelque chose comme Daft Punk mais plus récent.", "fr", "anchor", anchor="Daft Punk", rel=["newer"],
      note="[anchor, French]"),
    R(88, "Du rap des années 2000, mais pas de 50 Cent.", "fr", "language", labels=["rap"], years=[2000, 2009],
      exclude=["50 Cent"], note="[era+negation, French]"),
    R(89, "Des chansons tristes et lentes, moins de 90 BPM.", "fr", "numbers",
      features={"valence": [0, 0.4], "tempo": [0, 90]}, note="[numbers, French]"),
    R(90, "Du reggae comme Bob Marley, s'il vous plaît.", "fr", "absent-style", gap=True,
      features={"danceability": [0.6, 1], "energy": [0, 0.75]}, note="[absent-style, French] say there is no reggae."),
    # ---- German
    R(91, "Ruhige Musik zum Einschlafen.", "de", "language", features={"energy": [0, 0.4]},
      note="[activity, German] very calm."),
    R(92, "Schnelle Musik zum Joggen, über 130 BPM.", "de", "numbers",
      features={"tempo": [130, 250], "energy": [0.6, 1]}, note="[numbers, German]"),
    R(93, "Etwas wie Queen, aber ruhiger.", "de", "anchor", anchor="Queen", rel=["calmer"], note="[anchor, German]"),
    R(94, "Schlager für die Party, bitte.", "de", "absent-style", gap=True,
      features={"valence": [0.6, 1], "danceability": [0.6, 1]}, note="[absent-style, German] say there is no Schlager."),
    R(95, "Traurige Lieder, aber kein Rap und kein EDM.", "de", "language", labels=["pop", "rock", "r&b", "latin"],
      features={"valence": [0, 0.35]}, note="[negation, German]"),
]


def load(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def main(csv_path: str) -> None:
    rows = load(Path(csv_path))
    tracks: dict[str, dict[str, str]] = {}
    labels: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        tracks[r["track_id"]] = r
        labels[r["track_id"]] |= {r["playlist_genre"], r["playlist_subgenre"]}
    by_artist: dict[str, list[str]] = defaultdict(list)
    for tid, r in tracks.items():
        by_artist[r["track_artist"].casefold()].append(tid)
    out = []
    for req in REQUESTS:
        rel = req.pop("_rel")
        if req["anchor_artist"]:
            own = by_artist[req["anchor_artist"].casefold()]
            assert own, req["anchor_artist"]

            def med(f: str, own: list[str] = own) -> float:
                return statistics.median(float(tracks[t][f]) for t in own)

            counts = Counter(lab for t in own for lab in labels[t])
            req["labels_any"] = req["labels_any"] or [lab for lab, _ in counts.most_common(3)]
            f = req["features"]
            for r in rel:
                if r == "upbeat":
                    f["valence"] = [round(min(med("valence") + 0.1, 0.9), 2), 1]
                elif r == "sadder":
                    f["valence"] = [0, round(max(med("valence") - 0.1, 0.1), 2)]
                elif r == "slower":
                    f["tempo"] = [0, round(0.95 * med("tempo"), 1)]
                elif r == "faster":
                    f["tempo"] = [round(1.05 * med("tempo"), 1), 250]
                elif r == "calmer":
                    f["energy"] = [0, round(max(med("energy") - 0.1, 0.2), 2)]
                elif r == "heavier":
                    f["energy"] = [round(min(med("energy") + 0.05, 0.95), 2), 1]
                elif r == "acoustic":
                    f["acousticness"] = [round(max(med("acousticness") + 0.1, 0.2), 2), 1]
                elif r == "newer":
                    years = sorted(int(tracks[t]["track_album_release_date"][:4]) for t in own)
                    req["years"] = [years[len(years) // 2] + 5, 2020]
            req["note"] = (req["note"] + " " if req["note"] else "") + (
                f"Near {req['anchor_artist']} ({', '.join(req['labels_any'])}), " + ", ".join(rel or ["filtered"])
                + f"; at most 2 tracks by {req['anchor_artist']}.")
        if not req["note"]:
            req["note"] = "Tracks inside the stated ranges."
        feasible = sum(1 for tid in tracks if _hit(tracks[tid], labels[tid], req))
        print(f"{req['id']} {req['kind']:14} {feasible:6}  {req['q']}")
        out.append(req)
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
    print(f"wrote {len(out)} requests to {OUT}")


def _hit(row: dict[str, str], labs: set[str], req: dict) -> bool:
    if req["labels_any"] and not labs & set(req["labels_any"]):
        return False
    for name, (lo, hi) in req["features"].items():
        if not lo <= float(row[name]) <= hi:
            return False
    if req["years"]:
        y = row["track_album_release_date"][:4]
        if not (y.isdigit() and req["years"][0] <= int(y) <= req["years"][1]):
            return False
    artist = row["track_artist"].casefold()
    if artist in {a.casefold() for a in req["exclude_artists"]}:
        return False
    return not (req["anchor_artist"] and artist == req["anchor_artist"].casefold())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/spotify_songs.csv.gz")

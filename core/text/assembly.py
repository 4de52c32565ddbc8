"""Assembling the answer: evidence -> :class:`~core.models.TextQuery` (per-feature targets by priority, label weights,
filters, confidence), or :class:`~core.models.NeedsClarification` when nothing musical was recognised.
"""

from __future__ import annotations

import numpy as np

from core.models import AUDIO_FEATURES, Filters, NeedsClarification, TextNote, TextQuery
from core.table import FEATURE_INDEX
from core.text.caveats import NO_DATA, Caveats, honour_languages
from core.text.labels import LabelSet
from core.text.language import detect_language, note_text
from core.text.language_choice import (
    has_title_language,
    label_names_language,
    labels_answer,
    named_language,
    titles_note,
)
from core.text.title_language import LANGUAGE_CONCEPTS, STYLE_LANGUAGE_WEIGHT, table_languages
from core.text.state import P_PROFILE, Request
from core.text.styles import StyleModel, load_style_model
from core.text.tokens import GREETINGS, STOPWORDS, clamp, fold, spelled_as, word_tokens
from core.text.wording import clarify_in

MAX_LABELS = 12  # labels kept per polarity in a TextQuery
MAX_STYLES = 4  # style-model keys kept per polarity (catalogs without labels)
STYLE_MIN = 0.5  # weakest shipped-label evidence that becomes a style (an embedding neighbour of 0.3 does not)
STYLE_NEG_MIN = 0.5  # weakest evidence for a style to avoid ("no edm" reaching a playlist named "… EDM …" is weaker)
STYLE_SUBSTITUTE = 0.8  # weight of the nearest style the vocabulary names for a style the model lacks (country -> rock)
TEXTURE_YIELD = 0.55  # label weight left beside a mood when a sound word kept only its texture ("relaxing electronic")
STYLE_YIELD = 0.4  # style weight left when a mood won the sound over the style ("soft heavy metal")
THIN_FILTER = 5  # a genre filter holding fewer than this many tracks per requested track is widened to its family
#: Share of a mood's or activity's style hint that reaches the style model on a catalog without labels ("furious" ->
#: hard rock 0.7 × 0.8 = 0.56, kept; "road trip" -> classic rock 0.4 × 0.8, below STYLE_MIN: only strong hints count).
MOOD_STYLE = 0.8
STYLE_SHARE = 0.7  # a style is kept when its evidence is at least this share of the strongest style's


def _style_keys(model: StyleModel, text: str) -> list[str]:
    """Style keys of the model a label text names exactly (``"hard rock"`` -> ``["subgenre:hard rock"]``)."""
    return [k for kind in ("genre", "subgenre") for k in model.resolve(kind, text)]


#: A negated genre / subgenre label this strong is the style the request refused ("sin reguetón" -> reggaeton 0.8+);
#: weaker ones are its concept's side hints (latin 0.48), which must not knock out "latin pop".
NEGATED_STYLE_MIN = 0.8


def _names_negated(labels: LabelSet, lid: int, negated: dict[int, float]) -> bool:
    """True when label ``lid`` (a playlist such as "Pop Latino 2019 - Mix Canciones Reggaeton …") names, as a whole
    word, a genre / subgenre the request refused with weight ≥ :data:`NEGATED_STYLE_MIN`: "música para bailar sin
    reguetón" must not rank a reggaeton mix because its title also says "para bailar"."""
    text = f" {fold(labels.texts[lid])} "
    for nid, w in negated.items():
        if w >= NEGATED_STYLE_MIN and labels.kinds[nid] in ("genre", "subgenre") and nid != lid:
            if f" {fold(labels.texts[nid])} " in text:
                return True
    return False


def _settle_both_ways(pos: dict[int, float], neg: dict[int, float]) -> tuple[dict[int, float], dict[int, float]]:
    """Label weights ``(wanted, refused)`` with a label reached both ways kept on its stronger side (the one rule of
    :meth:`QueryAssembly._styles` for the style model): "latin music … but no reggaeton" names genre latin outright
    (1.0) while refusing reggaeton only reaches it as that style's side hint (0.48), so latin stays wanted and only
    reggaeton is refused; "no latin, just pop" still refuses latin. A tie goes to the refusal."""
    both = set(pos) & set(neg)
    return ({k: w for k, w in pos.items() if k not in both or w > neg[k]},
            {k: w for k, w in neg.items() if k not in both or w >= pos[k]})


def _spelled_cue(raw: str, cue: str) -> str:
    """A cue's phrase as the user wrote it ("en español → …", not the folded "en espanol → …")."""
    left, arrow, right = cue.partition(" \u2192 ")
    head, _, rest = left.partition(" ")
    if head in ("not", "no", "less") and rest:
        said = f"{head} {spelled_as(raw, rest)}"
    else:
        said = spelled_as(raw, left)
    return f"{said}{arrow}{right}"


def _spelled_note(raw: str, note: TextNote) -> TextNote:
    """``note`` quoting the user's own spelling of what they asked (accents kept)."""
    said = spelled_as(raw, note.asked) if note.asked and note.kind != "language" else ""
    if not said or said == note.asked:
        return note
    text = note.text
    for a, b in (("\u201c", "\u201d"), ("\u00ab ", " \u00bb"), ("\u201e", "\u201c")):
        text = text.replace(f"{a}{note.asked}{b}", f"{a}{said}{b}")
    return note.model_copy(update={"asked": said, "text": text})


#: Lowest instrumentalness of a track offered for an outright "instrumental" request (Spotify: values above 0.5
#: are meant to represent instrumental tracks).
INSTRUMENTAL_MIN = 0.5
#: First words of the instrumental concept's phrases that state it outright.
_OUTRIGHT_INSTRUMENTAL = frozenset({"instrumental", "instrumentals", "instrumentale", "instrumentales", "no",
                                    "without", "wordless", "vocal", "beats", "sans", "ohne", "sin", "sem", "kein"})


class QueryAssembly(Caveats):
    """Profile targets, year bounds, the final :class:`TextQuery`, clarifications (mixin of ``TextUnderstanding``)."""

    def _profile_targets(self, labels: LabelSet, hits: dict[int, float], scale: float, req: Request) -> None:
        """Low-priority targets from the profiles of the best-matching labels (only distinctive features).

        A feature gets weight ``min(1, |z| / 1.5) * (0.5 + 0.5 * tightness) * hit weight * scale`` where ``z`` is
        the distance of the weighted profile mean from the catalog mean in catalog standard deviations and
        tightness is ``1 - profile std / catalog std``; key and mode averages carry no meaning and are skipped.
        """
        top = labels.top(hits, 5)
        top = [(lid, w) for lid, w in top if w > 0 and labels.count[lid] >= 3]
        if not top:
            return
        ids = np.asarray([lid for lid, _ in top])
        w = np.asarray([wt for _, wt in top], dtype=np.float64)
        mean = (labels.mean[ids] * w[:, None]).sum(axis=0) / w.sum()
        std = (labels.std[ids] * w[:, None]).sum(axis=0) / w.sum()
        before = len(req.targets)
        self._distinctive(mean, std, labels.global_mean, labels.global_std, float(w.max()) * scale, req)
        if before == 0 and len(req.targets) == 0:
            # the request named only an average-sounding label ("poptimism"): aim at its profile, gently
            for name in AUDIO_FEATURES:
                i = FEATURE_INDEX[name]
                tight = 1.0 - float(std[i]) / float(labels.global_std[i])
                if name not in ("key", "mode") and tight >= 0.15:
                    req.target(P_PROFILE, name, float(mean[i]), 0.25 * float(w.max()))

    @staticmethod
    def _distinctive(mean: np.ndarray, std: np.ndarray, gmean: np.ndarray, gstd: np.ndarray, weight: float,
                     req: Request) -> None:
        for name in AUDIO_FEATURES:
            if name in ("key", "mode"):
                continue
            i = FEATURE_INDEX[name]
            z = abs(float(mean[i]) - float(gmean[i])) / float(gstd[i])
            tight = min(1.0, max(0.0, 1.0 - float(std[i]) / float(gstd[i])))
            w = min(1.0, z / 1.5) * (0.5 + 0.5 * tight) * weight
            if w >= 0.1:
                req.target(P_PROFILE, name, float(mean[i]), w)

    def _styles(self, req: Request) -> dict[str, float]:
        """On a catalog without labels: the shipped genres / subgenres the request names (a shipped playlist name
        counts as its subgenres' shares) -> weight 0–1, negated ones -> −weight; for :mod:`core.text.styles`."""
        model = load_style_model()
        if model is None:
            return {}
        books: list[dict[str, float]] = [{}, {}]
        for book, hits in zip(books, (req.ship_style, req.ship_neg)):
            for sid, w in hits.items():
                for key, share in model.resolve(self.shipped.kinds[sid], self.shipped.texts[sid]).items():
                    book[key] = max(book.get(key, 0.0), w * share)
        for cid, phrase in req.said.items():  # a style the model lacks ("country"): its own nearest-style hints
            if "\u2248" in phrase or req.concepts.get(cid, 0.0) < 0.6:
                continue
            concept = self.vocab.concepts[cid]
            if not any(w >= 1.0 for w in concept.hints.values()):
                # a mood or activity whose vocabulary entry names styles ("angry": hard rock; "disco": new jack swing)
                # pulls those labels on a labelled catalog: here the style model stands in, at MOOD_STYLE of the hint
                for text, w in concept.hints.items():
                    for key in _style_keys(model, text):
                        books[0][key] = max(books[0].get(key, 0.0), MOOD_STYLE * w)
                continue
            known = {t: w for t, w in concept.hints.items() if _style_keys(model, t)}
            if not known or any(w >= 1.0 for w in known.values()):
                continue  # the model knows the style itself: the matching above already named it
            top = max(known.values())
            for text, w in known.items():
                for key in _style_keys(model, text):
                    books[0][key] = max(books[0].get(key, 0.0), STYLE_SUBSTITUTE * w / top)
        pos, neg = books
        for key in set(pos) & set(neg):  # said both ways ("latin, but no reggaeton" reaches latin twice): the stronger
            del (neg if pos[key] >= neg[key] else pos)[key]
        top = max(pos.values(), default=0.0)  # a style named outright outweighs the partial matches around it
        pos = {k: w for k, w in pos.items() if w >= max(STYLE_MIN, STYLE_SHARE * top)}
        neg = {k: w for k, w in neg.items() if w >= STYLE_NEG_MIN}
        banned = {k.partition(":")[2] for k in neg if k.startswith("genre:")}  # "no EDM": none of its subgenres either
        pos = {k: w for k, w in pos.items() if not (k.startswith("subgenre:")
                                                    and model.genre_of.get(k.partition(":")[2]) in banned)}
        scale = STYLE_YIELD if req.style_yields else 1.0  # the style model hears sound: it must not undo the mood
        out = {k: round(min(1.0, w) * scale, 3) for k, w in sorted(pos.items(), key=lambda kv: -kv[1])[:MAX_STYLES]}
        out.update({k: -round(min(1.0, w), 3) for k, w in sorted(neg.items(), key=lambda kv: -kv[1])[:MAX_STYLES]})
        return out

    def _artist_targets(self, req: Request) -> None:
        table = self._table
        if table is None or not req.artists:
            return
        positions = sorted({p for aid in req.artists for p in table.artist_tracks.get(aid, ())})
        if not positions:
            return
        featured = table.featured_positions(positions)
        if not len(featured):
            return
        sub = table.features[featured]
        labels = self._cat.labels
        self._distinctive(sub.mean(axis=0), sub.std(axis=0), labels.global_mean, labels.global_std, 0.7, req)

    def _years(self, req: Request) -> tuple[int | None, int | None]:
        lo, hi = req.year_lo, req.year_hi
        if req.year_ranges:
            r_lo = min(a for a, _ in req.year_ranges)
            r_hi = max(b for _, b in req.year_ranges)
            lo = r_lo if lo is None else max(lo, r_lo)
            hi = r_hi if hi is None else min(hi, r_hi)
            if lo > hi:  # contradictory bounds ("90s since 2015"): keep the named period
                lo, hi = r_lo, r_hi
            recent = self._recent_years(req)
            if recent is not None and (recent[0] > hi or (recent[1] is not None and recent[1] < lo)):
                # the named period and recency contradict: "just came out this year" (the newest year) wins over
                # "90s"; a vaguer "new" loses to a written year ("new songs from 2012" = new to me); either way, say so
                wins = recent[0] >= self._cat.year_max
                self._era_conflict(req, (lo, hi), recent, recent[2], recency_wins=wins)
                if wins:
                    lo, hi = recent[0], recent[1] if recent[1] is not None else self._cat.year_max
        if lo is None and hi is None:  # eras from the vocabulary apply only when no year was written
            newest = self._cat.year_max
            for cid in req.concepts:
                concept = self.vocab.concepts[cid]
                if concept.years:
                    c_lo, c_hi = concept.years
                elif concept.years_relative:
                    r0, r1 = concept.years_relative
                    c_lo = None if r0 is None else newest + r0
                    c_hi = None if r1 is None else newest + r1
                else:
                    continue
                lo = c_lo if c_lo is not None and (lo is None or c_lo > lo) else lo
                hi = c_hi if c_hi is not None and (hi is None or c_hi < hi) else hi
                if c_lo is not None and c_hi is not None:
                    req.cue(f"{concept.name.replace('_', ' ')} → {c_lo}–{c_hi}")
            if lo is not None and hi is not None and lo > hi:
                lo, hi = hi, lo
        return lo, hi

    def _recent_years(self, req: Request) -> tuple[int, int | None, str] | None:
        """``(from, to, phrase)`` of a recency concept the request named ("this year", "newest"), else None."""
        newest = self._cat.year_max
        best: tuple[int, int | None, str] | None = None
        for cid in req.concepts:
            concept = self.vocab.concepts[cid]
            if concept.years_relative and concept.years_relative[0] is not None and cid in req.said:
                r0, r1 = concept.years_relative
                if best is None or newest + r0 > best[0]:  # the narrowest ("this year" over "recent")
                    best = (newest + r0, None if r1 is None else newest + r1, req.said[cid])
        return best

    def _drop_style_opposites(self, req: Request) -> None:
        """A refused style's mirrored sound yields where it points against what the request named (the other side
        of the catalog's mean): "party songs, no rap" and "dinner party music, no rap" keep few spoken words (party
        sets none; dinner party's are few too), but "chill study music, no classical" is no call for energetic,
        electric music — chill and study set low energy, acoustic and instrumental, and the refusal only leaves
        classical out. A refusal cue whose every mirrored feature yields is said without them ("not classical")."""
        if not req.style_opposites:
            return
        gmean = self._cat.labels.global_mean

        def against(name: str, value: float) -> bool:
            if name not in FEATURE_INDEX:
                return False
            mean = float(gmean[FEATURE_INDEX[name]])
            return any((v - mean) * (value - mean) < 0 for v in req.named_features.get(name, ()))

        dropped = {key for key in req.style_opposites if against(*key)}
        if not dropped:
            return
        req.targets = [t for t in req.targets if (t[1], t[2]) not in dropped]
        for i in {req.style_opposites[key] for key in dropped}:
            if i < len(req.cues) and all(key in dropped for key, j in req.style_opposites.items() if j == i):
                req.cues[i] = req.cues[i].split(" → ", 1)[0]

    def _build(self, req: Request) -> TextQuery:
        has_labels = len(self._cat.labels) > 0
        if has_labels:
            self._profile_targets(self._cat.labels, {k: v for k, v in req.pos_labels.items()
                                                     if k not in req.neg_labels}, 0.8, req)
        else:
            self._profile_targets(self.shipped, req.ship_hits, 0.8, req)
        self._artist_targets(req)
        self._no_data_notes(req)
        self._conflicts(req)
        self._instrumental_bound(req)
        self._drop_style_opposites(req)
        # per feature the highest priority wins (equal priorities average by weight), but a side remark of a higher layer (weight < 0.5: the tempo hint of
        # "energetic") does not override what a lower layer is about (the ~155 BPM of "running")
        best: dict[str, float] = {}
        strong: dict[str, float] = {}
        for prio, name, _, w in req.targets:
            best[name] = max(best.get(name, 0), prio)
            if w >= 0.5:
                strong[name] = max(strong.get(name, 0), prio)
        for name, prio in strong.items():
            if best[name] > prio and all(w < 0.5 for p, n, _, w in req.targets if n == name and p == best[name]):
                best[name] = prio
        target: dict[str, float] = {}
        weights: dict[str, float] = {}
        for name in AUDIO_FEATURES:
            rows = [(v, w) for prio, n, v, w in req.targets if n == name and prio == best.get(name)]
            if not rows:
                continue
            if any((name, v) in req.negated_targets for v, _ in rows):
                # "happy but not hyper": the negation decides energy over what the "happy" prototype only implies
                rows = [(v, w) for v, w in rows if (name, v) not in req.implied_targets] or rows
            total = sum(w for _, w in rows)
            value = sum(v * w for v, w in rows) / total
            if name in ("mode", "key"):
                value = float(round(value))
            target[name] = round(clamp(name, value), 4)
            weights[name] = round(max(w for _, w in rows), 3)
        labels = self._cat.labels
        for lid, phrases in req.support.items():  # a label named by two phrases ("italian" + "pop") fits best
            if len(phrases) > 1:
                req.pos_labels[lid] = min(1.0, req.pos_labels[lid] * (1.0 + 0.35 * (len(phrases) - 1)))
        pos_book, neg_book = _settle_both_ways(req.pos_labels, req.neg_labels)
        neg = labels.top(neg_book, MAX_LABELS)
        pos = labels.top({lid: w for lid, w in pos_book.items()
                          if not _names_negated(labels, lid, req.neg_labels)}, MAX_LABELS)
        label_weights = {labels.keys[lid]: round(w, 3) for lid, w in pos if w >= 0.05}
        label_weights.update({labels.keys[lid]: -round(w, 3) for lid, w in neg if w >= 0.05})
        styled = [k.partition(":")[2] for k, w in label_weights.items() if w > 0 and k.startswith("genre:")]
        before = dict(label_weights)
        language = honour_languages(self.vocab.concepts, req.said, req.concepts, self._cat.hints, labels.keys,
                                    label_weights, counts=labels.count)
        year_min, year_max = self._years(req)
        title_language, label_weights, language = self._title_language(req, before, label_weights, language,
                                                                       (year_min, year_max), styled)
        tempo_min, tempo_max = req.tempo_min, req.tempo_max
        if tempo_min is not None and tempo_max is not None and tempo_min > tempo_max:
            tempo_min, tempo_max = tempo_max, tempo_min
        genres = self._widen_genres(req, year_min, year_max)
        if title_language and genres and not labels_answer(
                self._table, [], genres, (year_min, year_max), max(1, req.limit),
                positions=table_languages(self._table).positions(title_language)):
            # "rap français": the French rappers of this catalog are filed under r&b — the style's labels still rank,
            # the genre filter would leave only a few tracks in the language
            genres = []
        if language and genres:  # "deutscher Hip-Hop": German rap tagged "rap" / "gangster rap" counts as hip hop
            genres += [g for g in styled if g not in genres]
        filters = Filters(
            genres=genres,
            exclude_artists=[self._cat.artist_display[a] for a in req.excluded],
            year_min=year_min,
            year_max=year_max,
            tempo_min=tempo_min,
            tempo_max=tempo_max,
            limit=req.limit,
        )
        if (req.style_yields and genres) or req.texture_yields:  # "soft EDM bangers": the genre filter keeps the
            # style, and its many labels (genre + subgenres + playlists add up) must not outvote the mood that won the
            # sound (core.text.caveats); "relaxing electronic": the EDM playlists must not outvote "relaxing"
            scale = STYLE_YIELD if req.style_yields and genres else TEXTURE_YIELD
            if req.texture_yields and req.texture_style:  # the style's labels yield to the mood as a style's do
                scale = TEXTURE_YIELD * STYLE_YIELD
            label_weights = {k: round(w * scale, 3) if w > 0 else w for k, w in label_weights.items()}
        confidence = 1.0
        for e in req.evidence:
            confidence *= 1.0 - max(0.0, min(0.95, e))
        confidence = 1.0 - confidence
        unknown = len(req.unknown)
        coverage = req.known / (req.known + unknown) if req.known + unknown else 1.0
        confidence *= 0.5 + 0.5 * coverage
        if req.lang != "en" and not req.notes:
            req.note("language", req.lang, note_text("language", req.lang), asked=req.lang)
        req.notes = [_spelled_note(req.raw, n) for n in req.notes]
        cues = list(dict.fromkeys([n.text for n in req.notes] + [_spelled_cue(req.raw, c) for c in req.cues]))
        # notes lead: the reply shows them first
        return TextQuery(
            text=req.raw,
            target=target,
            weights=weights,
            labels=label_weights,
            artists=[self._cat.artist_display[a] for a in req.artists],
            filters=filters,
            cues=cues,
            confidence=round(max(0.05, min(0.99, confidence)), 3),
            requested_count=req.requested,
            notes=req.notes,
            ranges={k: [None if v is None else round(float(v), 4) for v in r] for k, r in req.ranges.items()},
            lang=req.lang,
            styles={} if has_labels else self._styles(req),
            title_language=title_language,
            language=req.language or title_language,
            language_labels=list(req.language_labels),
            title_language_weight=1.0 if not title_language or self._names_language(req)
            else STYLE_LANGUAGE_WEIGHT,
        )

    def _instrumental_bound(self, req: Request) -> None:
        """"instrumental tracks" / "no vocals" stated outright is a hard range: instrumentalness ≥
        :data:`INSTRUMENTAL_MIN` (the cue's "> 0.5"; the ranker fills up with the nearest tracks when fewer pass).
        A softened wish ("pas trop de voix", "poca voz") or a guess ("≈") stays a target only."""
        for cid, phrase in req.said.items():
            if self.vocab.concepts[cid].name == "instrumental" and "\u2248" not in phrase \
                    and phrase.split()[0] in _OUTRIGHT_INSTRUMENTAL:
                req.bound("instrumentalness", INSTRUMENTAL_MIN, None)
                return

    def _names_language(self, req: Request) -> bool:
        """True when the request names a language outright ("français"), not only a style sung in one ("samba")."""
        return any(self.vocab.concepts[cid].name in LANGUAGE_CONCEPTS for cid in req.said)

    def _title_language(self, req: Request, before: dict[str, float], label_weights: dict[str, float],
                        honoured: bool, years: tuple[int | None, int | None],
                        styled: list[str]) -> tuple[str, dict[str, float], bool]:
        """``(title language code or "", label weights, language still honoured by labels)`` for a request naming a
        language (:mod:`core.text.language_choice`): labels naming it are kept when they hold enough of the requested
        style; otherwise song titles stand in (the labels the language had put first are dropped, ``before`` — the
        weights before :func:`honour_languages` — comes back) and the request's note says how. ``styled``: the genres
        the request's labels name, which count with the genre filter as :meth:`_build` widens it for a language."""
        labels = self._cat.labels
        code, cid = named_language(self.vocab.concepts, req.said, self._cat.hints, labels.kinds)
        if code:
            req.language = code
        if not code or not has_title_language(self._table, code):
            return "", label_weights, honoured
        drop = {labels.keys[lid] for lid in self._cat.hints[cid]}  # the language's own labels ("genre:latin")
        if honoured:
            keys = [k for k, w in label_weights.items() if w > 0]
            family = [*req.genres, *(g for g in styled if g not in req.genres and f"genre:{g}" not in drop)] \
                if req.genres else []
            if labels_answer(self._table, keys, family, years, max(1, req.limit)):
                concept = self.vocab.concepts[cid]
                rule = NO_DATA.get(concept.name)
                phrases = rule[2] if rule is not None and rule[2] else concept.phrases  # "en español", not "latin"
                named = [k for k in keys if k in drop and label_names_language(k.partition(":")[2], phrases)]
                if named:  # "Trapperz Brasil": the reply counts the tracks these labels (or titles) place
                    req.language_labels = named
                    return "", label_weights, honoured
                # only scene labels stand for it ("latin" for "en español"): they keep ranking, and songs by artists
                # titling in the language rank first, as the note then says (core.text.language_choice)
                req.notes = titles_note(req.notes, code, req.lang)
                return code, label_weights, honoured
            phrase = req.said.get(cid, "")
            label_weights = {k: w for k, w in before.items() if k not in drop}
            req.cues = [c for c in req.cues if not c.startswith(f"{phrase} →")]
        req.notes = titles_note(req.notes, code, req.lang)
        return code, label_weights, False

    def _widen_genres(self, req: Request, lo: int | None, hi: int | None) -> list[str]:
        """``req.genres``, plus the genre of a subgenre named by a family word ("hip hop" -> "rap") when the named
        labels hold fewer than :data:`THIN_FILTER` × the requested count of tracks in the asked years (the shipped
        "hip hop" subgenre has 7 tracks from the 1990s: "90s hip hop" then means the whole genre)."""
        genres = list(req.genres)
        table = self._table
        if not req.genre_families or table is None:
            return genres
        years = table.year
        members: set[int] = set()
        for text in genres:
            for kind in ("genre", "subgenre"):
                lid = table.label_index.get((kind, text))
                if lid is not None:
                    members |= table.label_tracks.get(lid, set())
        n = sum(1 for p in members if table.alive[p] and (lo is None or years[p] >= lo) and (hi is None or 0 < years[p] <= hi))
        if n < THIN_FILTER * max(1, req.limit):
            genres += [g for g in dict.fromkeys(req.genre_families.values()) if g not in genres]
        return genres

    def _clarify(self, raw: str, lang: str = "") -> NeedsClarification:
        words = word_tokens(raw)
        greeting = bool(words) and all(t in GREETINGS or t in STOPWORDS for t in words)
        lead = "Hi! " if greeting else f"I couldn't tell what kind of music \u201c{raw[:80]}\u201d means. "
        suggestions = ["chill study music", "upbeat 90s dance around 120 bpm", "sad songs in a minor key",
                       "heavy rock for the gym"]
        suggestions += [f"{g} party" for g in self._cat.suggestions[:2]]
        asked = clarify_in(raw, greeting, lang or detect_language(raw))  # the request's language (es/pt/fr/de), else ""
        return NeedsClarification(
            question=asked or lead + "Tell me a mood, activity, genre, era or artist — for example \u201crelaxing "
            "acoustic songs\u201d or \u201clike Daft Punk but slower\u201d.",
            suggestions=suggestions[:6],
        )

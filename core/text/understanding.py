"""The :class:`TextUnderstanding` facade: fitting on the loaded catalog and the parse pipeline over the mixins of
:mod:`core.text.cues`, :mod:`core.text.references`, :mod:`core.text.matching` and :mod:`core.text.assembly`.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any

import numpy as np

from core.catalog import normalize_text
from core.errors import InvalidInput
from core.models import AUDIO_FEATURES, NeedsClarification, TextQuery
from core.limits import MAX_TRACKS
from core.table import TrackTable
from core.text.assembly import QueryAssembly
from core.text.concepts import Concept, load_vocabulary
from core.text.cues import ExplicitRules
from core.text.embedder import Embedder, default_embedder
from core.text.labels import LabelSet, load_shipped_profiles
from core.text.language import LANGS, detect_language, split_compounds
from core.text.moods import load_moods
from core.text.references import ArtistAndNegationCues
from core.text.state import CatalogFit, PerConcept, Request
from core.text.title_language import TitleLanguages, adopt, table_languages
from core.text.tokens import GENERIC, STOPWORDS, fold, tokenize, word_tokens

log = logging.getLogger(__name__)

#: Longest request accepted, in characters (the product issue's limit).
MAX_CHARS = 2000
#: Tokens of one request read by the cue matchers (negations, artist references, phrases, bare artists): each step is
#: linear-to-quadratic in tokens with dictionary and fuzzy look-ups per span, and no real request needs more — a longer
#: one is read up to here and the reply's cues say so (issue 9 "CPU per message": 2,000 characters of connector words
#: took seconds).
MAX_PARSE_TOKENS = 96
#: Playlists named after a style that no genre / subgenre label names, kept per style concept, and their least weight
#: (a genre hint weighs 1.0, a word inside a label 0.8 × √coverage: "metal" in a six-word title gets 0.33).
OWN_PLAYLISTS = 3
OWN_PLAYLIST_WEIGHT = 0.7


def _open_words(tokens: list[str], used: list[bool]) -> list[str]:
    """The tokens no step has consumed yet, without stopwords and bare numbers."""
    return [t for t, u in zip(tokens, used) if not u and t not in STOPWORDS and not t.isdigit()]


#: Punctuation inside an artist name, between two word characters ("ac/dc", "p!nk", "r.e.m", "tyler, the creator").
_INNER_PUNCT = re.compile(r"\w[,;.!?:/|]+\s*\w")


class TextUnderstanding(ExplicitRules, ArtistAndNegationCues, QueryAssembly):
    """Turns a free-text music request into a :class:`TextQuery` using only local data.

    Usage: ``tu = TextUnderstanding(); tu.fit(table); tu.parse("chill study music")``. ``fit`` learns the loaded
    catalog's label texts (genre / subgenre / playlist names), their audio-feature profiles and its artist names;
    ``parse`` can be called before any fit (it then relies on the vocabulary and the shipped profiles only).

    Args:
        embedder: text embedder for similarity matching; None loads :func:`default_embedder` (wordllama, offline).
            If that cannot be loaded the component still works, without embedding similarity (a warning is logged).
    """

    def __init__(self, embedder: Embedder | None = None) -> None:
        if embedder is None:
            try:
                embedder = default_embedder()
            except Exception as exc:  # a broken install must not take text understanding down
                log.warning("text embeddings unavailable (%s); continuing with rules and fuzzy matching only", exc)
        self.embedder = embedder
        self.vocab = load_vocabulary()
        self._moods = load_moods()
        self.shipped = dataclasses.replace(load_shipped_profiles())  # own copy: .emb depends on the embedder
        # per concept, made on first read: a request reads a few of ~130 (PerConcept)
        self._ship_hints = PerConcept(
            len(self.vocab.concepts), lambda cid: self._resolve_hints(self.vocab.concepts[cid], self.shipped)
        )
        self._emb_cache: dict[str, np.ndarray] = {}
        self._phrase_emb: np.ndarray | None = None
        self._phrase_concept: list[int] = []
        self._phrase_text: list[str] = []
        self._table: TrackTable | None = None
        self._version = -1
        self._cat = self._empty_catalog()
        #: (catalog it was built for, pattern of punctuated artist names, folded name -> word form); see
        #: :meth:`_punctuated_names`
        self._punct_memo: tuple[Any, re.Pattern[str] | None, dict[str, str]] | None = None
        self._rule_list = self._rules()

    # ------------------------------------------------------------------------------------------ fitting
    def fit(self, table: TrackTable) -> None:
        """Learn from the loaded catalog: label profiles, label embeddings, artist names, newest year.

        Label profiles are the mean and std (raw units) of each feature over the live tracks carrying the label.
        Label texts are embedded once and cached by text, so refits after catalog edits only embed new labels.
        Works on a table without labels (targets then come from the shipped profiles). ~0.2 s on 28k tracks.
        """
        alive = table.alive_positions()
        featured = table.featured_positions(alive)  # tracks without audio features add nothing to the profiles
        feats = table.features[featured].astype(np.float64) if len(featured) else np.zeros((0, len(AUDIO_FEATURES)))
        if len(featured) >= 2:
            gmean = feats.mean(axis=0).astype(np.float32)
            gstd = np.maximum(feats.std(axis=0), 1e-6).astype(np.float32)
        else:
            gmean, gstd = self.shipped.global_mean, self.shipped.global_std
        kinds, texts, means, stds, counts = [], [], [], [], []
        for lid, (kind, text) in enumerate(table.label_names):
            members = table.label_tracks.get(lid)
            if not members:
                continue
            idx = np.fromiter(members, dtype=np.int64, count=len(members))
            sub = table.features[table.featured_positions(idx)]
            kinds.append(kind)
            texts.append(text)
            # a label carried only by tracks without audio features gets the neutral global profile
            means.append(sub.mean(axis=0) if len(sub) else gmean)
            stds.append(sub.std(axis=0) if len(sub) else gstd)
            counts.append(len(idx))
        shape = (len(texts), len(AUDIO_FEATURES))
        labels = LabelSet.build(
            kinds,
            texts,
            np.asarray(means, dtype=np.float32).reshape(shape),
            np.asarray(stds, dtype=np.float32).reshape(shape),
            np.asarray(counts, dtype=np.int32),
            gmean,
            gstd,
        )
        labels.emb = self._embed_cached(texts)
        # artists: normalized name -> id (the table's own index), display spelling, live track counts
        display = [""] * len(table.artist_names)
        for p in alive.tolist():
            for name, aid in zip(table.artists[p], table.artist_ids[p]):
                if not display[aid]:
                    display[aid] = name
        count = np.zeros(len(table.artist_names), dtype=np.int32)
        for aid, members in table.artist_tracks.items():
            if aid < len(count):
                count[aid] = len(members)
        live = [aid for aid in range(len(count)) if count[aid] > 0 and len(table.artist_names[aid]) >= 2]
        years = table.year[alive]
        years = years[years > 0]
        year_max = int(years.max()) if len(years) else self.shipped.year_max
        genre_counts = sorted(
            ((int(c), t) for k, t, c in zip(kinds, texts, counts) if k == "genre"), reverse=True
        )
        self._cat = CatalogFit(
            labels=labels,
            hints=[self._resolve_hints(c, labels) for c in self.vocab.concepts],
            artist_index=table.artist_index,
            artist_display=display,
            artist_count=count,
            fuzzy_names=[table.artist_names[a] for a in live],
            fuzzy_ids=live,
            year_max=year_max,
            suggestions=[t for _, t in genre_counts[:3]],
            words=self._word_list(labels),
        )
        self._ensure_static_embeddings()
        table_languages(table)  # the song titles' languages, read once per catalog version (core.text.title_language)
        self._table = table
        self._version = table.version

    def export_fit(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """What :meth:`fit` learned, as ``(doc, arrays)``: a JSON-able dict (label texts and indexes, concept hints,
        artist names, typo word lists) and named numpy arrays (label profiles, label embeddings, artist counts), for
        the start-up cache (:func:`core.startup_cache.fit_text`); :meth:`load_fit` restores it.

        Raises:
            ValueError: nothing was fitted yet.
        """
        if self._table is None:
            raise ValueError("fit() first")
        cat, labels = self._cat, self._cat.labels
        doc = {
            "kinds": labels.kinds, "texts": labels.texts, "exact": labels.exact, "grams": labels.grams,
            "year_max_labels": labels.year_max, "hints": [list(h.items()) for h in cat.hints],
            "artist_display": cat.artist_display, "fuzzy_names": cat.fuzzy_names, "fuzzy_ids": cat.fuzzy_ids,
            "year_max": cat.year_max, "suggestions": cat.suggestions, "words": cat.words,
        }
        arrays = {"mean": labels.mean, "std": labels.std, "count": labels.count, "global_mean": labels.global_mean,
                  "global_std": labels.global_std, "artist_count": cat.artist_count}
        if labels.emb is not None:
            arrays["label_emb"] = labels.emb
        languages = table_languages(self._table)
        arrays["title_lang_artist"], arrays["title_lang_track"] = languages.artist, languages.track
        return doc, arrays

    def load_fit(self, table: TrackTable, doc: dict[str, Any], arrays: Any) -> None:
        """Restore what :meth:`fit` learned from ``table`` (``doc`` / ``arrays`` from :meth:`export_fit` of a fit on an
        equal table: the caller keys them by catalog version). Afterwards the object is as after ``fit(table)``.

        Raises:
            KeyError / ValueError / TypeError: ``doc`` or ``arrays`` are not an export of this code's fit.
        """
        texts = list(doc["texts"])
        labels = LabelSet(
            list(doc["kinds"]), texts, [f"{k}:{t}" for k, t in zip(doc["kinds"], texts)],
            np.asarray(arrays["mean"], dtype=np.float32), np.asarray(arrays["std"], dtype=np.float32),
            np.asarray(arrays["count"], dtype=np.int32), np.asarray(arrays["global_mean"], dtype=np.float32),
            np.asarray(arrays["global_std"], dtype=np.float32),
            exact={k: list(v) for k, v in doc["exact"].items()},
            grams={k: [(int(lid), float(cov)) for lid, cov in v] for k, v in doc["grams"].items()},
            year_max=int(doc["year_max_labels"]),
        )
        if len(labels.mean) != len(texts) or len(np.asarray(arrays["artist_count"])) != len(table.artist_names):
            raise ValueError("the cached text fit does not match the table")
        if self.embedder is not None:
            emb = np.asarray(arrays["label_emb"], dtype=np.float32)
            if emb.shape[0] != len(texts):
                raise ValueError("the cached label embeddings do not match the labels")
            labels.emb = emb
            for text, vec in zip(texts, emb):
                self._emb_cache.setdefault(text, vec)
        self._cat = CatalogFit(
            labels=labels,
            hints=[{int(lid): float(w) for lid, w in pairs} for pairs in doc["hints"]],
            artist_index=table.artist_index,
            artist_display=list(doc["artist_display"]),
            artist_count=np.asarray(arrays["artist_count"], dtype=np.int32),
            fuzzy_names=list(doc["fuzzy_names"]),
            fuzzy_ids=[int(a) for a in doc["fuzzy_ids"]],
            year_max=int(doc["year_max"]),
            suggestions=list(doc["suggestions"]),
            words={k: list(v) for k, v in doc["words"].items()},
        )
        self._ensure_static_embeddings()
        if "title_lang_track" in getattr(arrays, "keys", lambda: ())():
            track = np.asarray(arrays["title_lang_track"], dtype=np.int8)
            artist = np.asarray(arrays["title_lang_artist"], dtype=np.int8)
            if len(track) != table.n or len(artist) != len(table.artist_names):
                raise ValueError("the cached title languages do not match the table")
            adopt(table, TitleLanguages(artist, track))
        else:
            table_languages(table)
        self._table = table
        self._version = table.version

    def update(self, table: TrackTable) -> None:
        """Refresh after catalog edits: refits when ``table`` is another table or its ``version`` changed.

        Cheap: label embeddings are cached by text, so only new label texts are embedded.
        """
        if table is not self._table or table.version != self._version:
            self.fit(table)

    def _empty_catalog(self) -> CatalogFit:
        empty = np.zeros((0, len(AUDIO_FEATURES)), dtype=np.float32)
        labels = LabelSet.build(
            [], [], empty, empty, np.zeros(0, np.int32), self.shipped.global_mean, self.shipped.global_std
        )
        return CatalogFit(labels, [{} for _ in self.vocab.concepts], {}, [], np.zeros(0, np.int32), [], [],
                        self.shipped.year_max, [], self._word_list(labels))

    def _word_list(self, labels: LabelSet) -> dict[str, list[str]]:
        words = set(self.vocab.words)
        for source in (labels.exact, labels.grams, self.shipped.exact, self.shipped.grams):
            words.update(k for k in source if " " not in k and len(k) >= 4 and not k.isdigit() and k not in GENERIC)
        buckets: dict[str, list[str]] = {}
        for w in sorted(words):  # typos rarely change the first letter; bucketing keeps fuzzy matching ~10 µs
            buckets.setdefault(w[0], []).append(w)
        return buckets

    def _resolve_hints(self, concept: Concept, labels: LabelSet) -> dict[int, float]:
        """Label id -> weight of the labels a concept's hints name (the 8 heaviest). A style the catalog has no
        genre / subgenre label for but names in playlist titles ("Progressive Rock / Metal") also keeps its
        :data:`OWN_PLAYLISTS` such playlists whose titles say most of it at :data:`OWN_PLAYLIST_WEIGHT` or more: the playlists named after
        the style hold it better than the neighbour styles the hints also name ("hard rock" for metal)."""
        out: dict[int, float] = {}
        own: dict[int, float] = {}
        for hint, weight in concept.hints.items():
            for lid, w in labels.resolve_hint(hint, weight).items():
                out[lid] = max(out.get(lid, 0.0), w)
                if weight >= 1.0:
                    own[lid] = max(own.get(lid, 0.0), w)
        kept = dict(labels.top(out, 8))
        if own and not any(labels.kinds[lid] != "playlist" for lid in own):
            named = sorted(own, key=lambda lid: (-own[lid], -int(labels.count[lid]), lid))[:OWN_PLAYLISTS]
            for lid in named:
                kept[lid] = max(kept.get(lid, 0.0), own[lid], OWN_PLAYLIST_WEIGHT)
        return kept

    def _embed_cached(self, texts: list[str]) -> np.ndarray | None:
        if self.embedder is None:
            return None
        missing = [t for t in dict.fromkeys(texts) if t not in self._emb_cache]
        if missing:
            vecs = self.embedder.embed([" ".join(word_tokens(t)) or t for t in missing])
            for t, v in zip(missing, vecs):
                self._emb_cache[t] = np.asarray(v, dtype=np.float32)
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self._emb_cache[t] for t in texts])

    def _ensure_static_embeddings(self) -> None:
        if self.embedder is None or self._phrase_emb is not None:
            return
        phrases, owners = [], []
        for cid, concept in enumerate(self.vocab.concepts):
            for phrase in concept.phrases:
                phrases.append(phrase)
                owners.append(cid)
        self._phrase_emb = np.asarray(self.embedder.embed(phrases), dtype=np.float32)
        self._phrase_concept = owners
        self._phrase_text = phrases
        if self.shipped.emb is None:
            self.shipped.emb = self._embed_cached(self.shipped.texts)

    def _punctuated_names(self, folded: str) -> str:
        """``folded`` with the catalog's artist names that hold punctuation inside ("ac/dc", "p!nk", "r.e.m",
        "tyler, the creator") written as their word form ("ac dc"), so the tokenizer does not cut them at the
        punctuation ("without AC/DC" excluded nobody: "/" is a clause delimiter). Names come from the loaded catalog
        (compiled once per fit); text without such a name is returned unchanged. Every such name holds an
        :data:`_INNER_PUNCT` span, so text without one cannot hold a name and is returned before the names are
        collected (~0.1 s of folding the catalog's artist names, which most requests never need)."""
        if not _INNER_PUNCT.search(folded):
            return folded
        cat = self._cat
        memo = self._punct_memo
        if memo is None or memo[0] is not cat:
            names = {}
            for display in cat.artist_display:
                name = fold(display)
                if _INNER_PUNCT.search(name) and len(name) >= 3:
                    names[name] = normalize_text(display)
            pattern = None
            if names:
                alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                pattern = re.compile(rf"(?<!\w)(?:{alts})(?!\w)")
            memo = (cat, pattern, names)
            self._punct_memo = memo
        pattern, names = memo[1], memo[2]
        if pattern is None:
            return folded
        return pattern.sub(lambda m: names[m.group(0)], folded)

    def _known_word(self, word: str) -> bool:
        """True when ``word`` (folded) is a phrase of the vocabulary or a whole word of a loaded / shipped label."""
        labels = self._cat.labels
        return (word in self.vocab.index or word in labels.exact or word in labels.grams
                or word in self.shipped.exact) and word not in STOPWORDS

    # ------------------------------------------------------------------------------------------ parsing
    def parse(self, text: str, limit: int = 10, lang: str = "") -> TextQuery | NeedsClarification:
        """Understand one request.

        Args:
            text: the user's words, 1–2,000 characters.
            limit: number of tracks wanted (clamped to 1–MAX_TRACKS); a count in the text ("20 songs") overrides it
                (one over the maximum is capped and kept in ``requested_count``).
            lang: the language to word notes and questions in (``TextQuery.lang``; the conversation's reply language,
                :mod:`core.reply_language`); "" = the request's own (:func:`core.text.language.detect_language`).

        Returns:
            A :class:`TextQuery` (targets in raw units, weights 0–1, ``labels`` keyed ``"kind:label text"`` of the
            loaded catalog with weights −1..1, filters, cues, confidence 0–1), or :class:`NeedsClarification` when
            nothing musical was recognised (gibberish, greetings, "play something").

        Raises:
            InvalidInput: empty / whitespace-only text, or more than 2,000 characters.
        """
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("Please describe the music you want (the request was empty).", field="text")
        if len(text) > MAX_CHARS:
            raise InvalidInput(
                f"That request is {len(text):,} characters long; please keep it under {MAX_CHARS:,}.",
                field="text",
                allowed=f"1–{MAX_CHARS} characters",
            )
        if self._table is not None and self._table.version != self._version:
            self.fit(self._table)
        raw = text.strip()
        caps = {normalize_text(w) for w in re.findall(r"\b[A-Z][\w'&.-]*", raw)}
        text_lang = detect_language(raw)
        req = Request(raw=raw, limit=max(1, min(MAX_TRACKS, int(limit))), caps=caps,
                      lang=lang if lang in LANGS else text_lang, text_lang=text_lang)
        folded = self._apply_rules(split_compounds(self._punctuated_names(fold(raw)), self._known_word), req)
        tokens = tokenize(folded)
        if len(tokens) > MAX_PARSE_TOKENS:
            tokens = tokens[:MAX_PARSE_TOKENS]
            req.cue(f"long request: read the first {MAX_PARSE_TOKENS} words")
        used = [t == "," for t in tokens]
        self._negations(tokens, used, req)
        self._artist_refs(tokens, used, req)
        content = _open_words(tokens, used)
        self._phrases(tokens, used, req)
        self._bare_artists(tokens, used, req)
        req.unknown = _open_words(tokens, used)
        self._typos(req)
        self._embeddings(content, req)
        if not req.evidence:
            return self._clarify(raw, req.lang)
        return self._build(req)

"""Vocabulary and label phrase matching: request n-grams -> concepts, catalog labels and shipped profiles, with typo
tolerance (rapidfuzz) and embedding similarity (wordllama) for the words nothing else explained.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from core.genres import parent_genres
from core.table import FEATURE_INDEX
from core.text.concepts import describe
from core.text.moods import MOOD_OF, MoodPrototype
from core.text.state import IMPLIED_WEIGHT, P_PROFILE, Request, TextState
from core.text.tokens import GENERIC, STOPWORDS, clamp, mark_used, phrase_keys

#: Priority of the targets of a concept guessed from an unknown word by embedding similarity: above label profiles,
#: below every concept and adjective the request named.
P_GUESS = P_PROFILE + 0.5

# Embedding thresholds, calibrated on wordllama l2_supercat_256 cosine similarities measured on the shipped labels:
# gibberish and off-topic words score 0.15–0.55 against label texts ("cats" vs "Tropical Beats" 0.55), on-topic
# requests 0.6–1.0 ("jazz" vs "Jazz Vibes" 0.79, "lush" vs "Lush Lofi" 0.72). Single words are matched on sub-word
# pieces, so word-to-concept similarity is only trusted for near-duplicates ("cats" vs "beats" scores 0.77).
LABEL_SIM_MIN = 0.6  # request text vs a label / profile text: becomes a label weight
LABEL_SIM_UNDERSTOOD = 0.65  # ... and counts as having understood the request
CONCEPT_SIM_MIN = 0.85  # an unknown word vs a concept phrase


# Similarities are computed with np.einsum, not BLAS: a multi-threaded OpenBLAS GEMM / GEMV of these sizes
# ((1968, 256) @ (256, 2)) measured 20-50 ms on this 2-core machine under load (its worker threads wait for a core)
# against 0.15-0.4 ms for einsum's single-threaded loop.


#: Label weight of a softened negation ("less pop", "menos reggaetón") against an outright one ("no pop"): below
#: core.genres.EXCLUDED_LABEL_WEIGHT (0.9), so it ranks the style down without removing every track of it.
SOFT_NEGATION = 0.8

class PhraseMatching(TextState):
    """Turns words of a request into concept, label and shipped-profile evidence (mixin of ``TextUnderstanding``)."""

    _moods: dict[str, MoodPrototype]  # core.text.moods.load_moods(), used when the catalog has no labels

    def _lookup(self, gram: list[str]) -> dict[str, Any]:
        """Everything a phrase names: concepts, whole catalog labels, parts of labels, shipped profiles."""
        spaced, compact = phrase_keys(gram)
        keys = [spaced]
        if len(gram) > 1 and not any(t in STOPWORDS for t in gram):
            keys.append(compact)
        if len(gram[-1]) > 3 and gram[-1].endswith("s") and not gram[-1].endswith("ss"):
            keys.append(" ".join([*gram[:-1], gram[-1][:-1]]))
        out: dict[str, Any] = {"concepts": [], "exact": [], "grams": [], "ship_exact": [], "ship_grams": []}
        cat, ship = self._cat.labels, self.shipped
        for key in keys:
            for name, source in (("concepts", self.vocab.index), ("exact", cat.exact), ("ship_exact", ship.exact)):
                for v in source.get(key, ()):
                    if v not in out[name]:
                        out[name].append(v)
            if not any(t in GENERIC for t in gram) or len(gram) > 1:
                out["grams"].extend(cat.grams.get(key, ()))
                out["ship_grams"].extend(ship.grams.get(key, ()))
            if out["concepts"] or out["exact"] or out["ship_exact"]:
                break
        return out

    def _phrases(self, tokens: list[str], used: list[bool], req: Request) -> None:
        self._bare_artists(tokens, used, req, multi=True)
        i = 0
        while i < len(tokens):
            if used[i]:
                i += 1
                continue
            matched = 0
            for n in range(min(self.vocab.max_len + 1, len(tokens) - i), 0, -1):
                if any(used[i : i + n]):
                    continue
                gram = tokens[i : i + n]
                if n == 1 and gram[0] in STOPWORDS:
                    break
                hit = self._lookup(gram)
                strong = hit["concepts"] or hit["exact"] or hit["ship_exact"]
                # a word inside a label needs a meaningful token: 4+ letters (3 for an n-gram), not a stop-word of
                # any supported language ("para" must not find "... Para Bailar", "only" not "Cuban Vibes Only")
                partial = ((hit["grams"] or hit["ship_grams"]) and len(" ".join(gram)) >= (4 if n == 1 else 3)
                           and not gram[0].isdigit() and not all(t in STOPWORDS for t in gram)
                           # nor a piece cut at a joining word ("funk and" of "Neo Funk and Soul": the request's
                           # "funk and disco" names two styles, not that playlist)
                           and not (n > 1 and (gram[0] in STOPWORDS or gram[-1] in STOPWORDS)))
                if partial and not strong and self._artist_exact(gram) is not None:
                    partial = False  # "Queen": the artist, not a word inside a playlist name
                if strong or partial:
                    self._apply_hit(gram, hit, req)
                    if n > 1 and not hit["concepts"]:
                        self._inner_concepts(gram, req)  # "hard rock workout" also means hard rock + workout
                    matched = n
                    break
            if matched:
                mark_used(used, i, i + matched)
                i += matched
            else:
                i += 1

    def _inner_concepts(self, gram: list[str], req: Request) -> None:
        i = 0
        while i < len(gram):
            for n in range(len(gram) - i - (1 if i == 0 else 0), 0, -1):
                sub = gram[i : i + n]
                if n == 1 and sub[0] in STOPWORDS:
                    continue
                cids = self._lookup(sub)["concepts"]
                if cids:
                    for cid in cids:
                        self._apply_concept(cid, " ".join(sub), req, False, 0.8)
                    i += n
                    break
            else:
                i += 1

    def _family_genre(self, lid: int, gram: list[str]) -> str:
        """For a subgenre named by a family word ("hip hop": other labels of the loaded catalog contain it, "southern
        hip hop", "latin hip hop"), the genre most of its tracks carry ("rap"), so the hard genre filter holds the
        whole family — the catalog's "hip hop" subgenre alone has 7 tracks from the 1990s, "90s hip hop" means the
        genre (:meth:`QueryAssembly._widen_genres` decides). "" for a genre, a subgenre no other label contains ("hard rock", "dance pop"), or without a table."""
        labels, table = self._cat.labels, self._table
        if table is None or labels.kinds[lid] != "subgenre":
            return ""
        key = " ".join(gram)
        if not any(other != lid and labels.kinds[other] in ("genre", "subgenre")
                   for other, _cov in labels.grams.get(key, ())):
            return ""
        tid = table.label_index.get(("subgenre", labels.texts[lid]))
        if tid is None:
            return ""
        counts: dict[int, int] = {}
        for p in table.label_tracks.get(tid, ()):
            for g in table.labels[p]:
                if table.label_names[g][0] == "genre":
                    counts[g] = counts.get(g, 0) + 1
        return table.label_names[max(counts, key=lambda g: counts[g])][1] if counts else ""

    def _apply_hit(self, gram: list[str], hit: dict[str, Any], req: Request, negated: bool = False,
                   strength: float = 1.0, said: str | None = None) -> None:
        phrase = said or " ".join(gram)
        labels = self._cat.labels
        found: dict[int, float] = {}
        for lid in hit["exact"]:
            found[lid] = 1.0 if labels.kinds[lid] != "playlist" else 0.9
            if not negated and labels.kinds[lid] in ("genre", "subgenre") and labels.texts[lid] not in req.genres:
                req.genres.append(labels.texts[lid])
                family = self._family_genre(lid, gram)
                if family:
                    req.genre_families[labels.texts[lid]] = family  # used when the subgenre alone is too thin
        for lid, cov in ([] if hit["concepts"] else hit["grams"]):  # a concept's own label hints cover it
            scale = 0.75 if labels.kinds[lid] != "playlist" else 0.6
            found[lid] = max(found.get(lid, 0.0), scale * math.sqrt(cov))
        for lid, w in found.items():
            self._label(lid, w * strength, req, negated, source=phrase)
        if found and not hit["concepts"]:
            top = max(found, key=lambda lid: (found[lid], int(labels.count[lid])))
            req.cue(f"{'no ' if negated else ''}{phrase} → {'avoid ' if negated else ''}{labels.keys[top]}")
        if not found and not hit["concepts"] and not len(labels) and (hit["ship_exact"] or hit["ship_grams"]):
            sid = hit["ship_exact"][0] if hit["ship_exact"] else max(hit["ship_grams"], key=lambda x: x[1])[0]
            req.cue(f"{phrase} → sounds of the shipped '{self.shipped.texts[sid]}' {self.shipped.kinds[sid]}")
        # negated: what the style model keeps out (core.text.styles); named outright: a style it ranks by
        for book in (req.ship_neg,) if negated else (req.ship_hits, req.ship_style):
            for sid in hit["ship_exact"]:
                book[sid] = max(book.get(sid, 0.0), strength)
            for sid, cov in hit["ship_grams"]:
                book[sid] = max(book.get(sid, 0.0), 0.6 * math.sqrt(cov) * strength)
        for cid in hit["concepts"]:
            self._apply_concept(cid, phrase, req, negated, strength)
        if not hit["concepts"] and (found or hit["ship_exact"] or hit["ship_grams"]):
            req.evidence.append((0.6 if hit["exact"] or hit["ship_exact"] else 0.35) * strength)
        req.known += len(gram)

    def _label(self, lid: int, weight: float, req: Request, negated: bool, source: str = "") -> None:
        book = req.neg_labels if negated else req.pos_labels
        if negated and req.softened:  # "less pop" lowers pop; only "no pop" removes it (core.genres.EXCLUDED_LABEL_WEIGHT)
            weight *= SOFT_NEGATION
        book[lid] = max(book.get(lid, 0.0), min(1.0, weight))
        if source and not negated:
            req.support.setdefault(lid, set()).add(source)

    def _concept_target(self, cid: int) -> tuple[dict[str, float], dict[str, float]]:
        """``(target, weights)`` of concept ``cid``: its own, or on a catalog without labels the measured mood
        prototype of :data:`core.text.moods.MOOD_OF` (raw units; weights 0–1)."""
        concept = self.vocab.concepts[cid]
        mood = self._moods.get(MOOD_OF.get(concept.name, "")) if not len(self._cat.labels) else None
        if mood is not None:
            return mood.target, mood.weights
        return concept.target, concept.weights

    def _apply_concept(self, cid: int, phrase: str, req: Request, negated: bool, strength: float,
                       guessed: bool = False) -> None:
        """Record concept ``cid`` as named by ``phrase`` (or negated). A concept ``guessed`` by embedding similarity
        from an unknown word ("moving" ≈ "moving on") sets its targets below every concept the request named
        outright (:data:`P_GUESS`): a guess never overrides what was said ("cleaning … keep me moving")."""
        concept = self.vocab.concepts[cid]
        priority = min(concept.priority, P_GUESS) if guessed else concept.priority
        gmean, gstd = self._cat.labels.global_mean, self._cat.labels.global_std
        if negated:
            req.negated[cid] = max(req.negated.get(cid, 0.0), strength)
            inverted: dict[str, float] = {}
            refused_style = any(w >= 1.0 for w in concept.hints.values())  # "no rap", "no classical", "sem funk"
            for name, value in concept.target.items():
                w = concept.weights.get(name, 0.0) * strength
                if name == "mode":
                    inverted[name] = 1 - value
                    req.target(concept.priority, name, 1 - value, w * 0.5)
                    continue
                if name == "key":
                    continue
                i = FEATURE_INDEX[name]
                z = (value - float(gmean[i])) / float(gstd[i])
                if abs(z) >= 0.8 and concept.weights.get(name, 0.0) >= 0.7:  # only a distinctive target has a meaningful opposite: mirror it about the mean
                    # "less upbeat" (req.softened) goes half as far as "not upbeat"
                    inverted[name] = clamp(name, float(gmean[i]) - (0.5 if req.softened else 1.0) * z * float(gstd[i]))
                    req.target(concept.priority, name, inverted[name], w * 0.5)
                    req.negated_targets.add((name, inverted[name]))
            hints = self._cat.hints[cid]
            keys = self._cat.labels.keys
            said = [f"{kind}:{phrase}" for kind in ("genre", "subgenre")]  # "dance pop" is also a catalog label
            family = parent_genres(tuple(key.split(":", 1)) for key in (
                *(keys[lid] for lid, w in hints.items() if w >= 1.0), *(k for k in said if k in keys)))
            for lid, w in hints.items():
                # the style the concept names outright is refused in full ("sin reguetón" = "no reggaeton", an
                # exclusion: core.genres.EXCLUDED_LABEL_WEIGHT); its side hints only lean away (latin 0.48), and so
                # does the family of a subgenre named ("no dance pop" is not "no pop": core.genres.parent_genres)
                parent = tuple(keys[lid].split(":", 1)) in family
                lean = 0.5 if parent else w
                self._label(lid, (lean * 0.8 if parent or w < 1.0 else w) * strength, req, negated=True)
            for sid, w in self._ship_hints[cid].items():
                if w >= 0.9:  # only the style the concept names outright ("no reggaeton" is not "no latin")
                    req.ship_neg[sid] = max(req.ship_neg.get(sid, 0.0), w * strength)
            desc = describe(inverted, {k: concept.weights[k] for k in inverted}, gmean, gstd)
            if req.softened and not desc:  # "less energetic": a small move, said as its direction
                desc = ", ".join(f"{'lower' if v < float(gmean[FEATURE_INDEX[k]]) else 'higher'} {k}"
                                 for k, v in inverted.items() if k in FEATURE_INDEX and k not in ("mode", "key"))
            req.cue(f"{'less' if req.softened else 'not'} {phrase}" + (f" → {desc}" if desc else ""))
            if refused_style:  # kept only where nothing the request named sets the feature (TextUnderstanding._build)
                for name, value in inverted.items():
                    req.style_opposites[(name, value)] = len(req.cues) - 1
        else:
            req.concepts[cid] = max(req.concepts.get(cid, 0.0), strength)
            req.said.setdefault(cid, phrase)
            target, weights = self._concept_target(cid)
            prototype = target is not concept.target  # a measured mood prototype (catalog without labels)
            for name, value in target.items():
                req.target(priority, name, value, weights.get(name, 0.0) * strength)
                if weights.get(name, 0.0) > 0:
                    req.named_features.setdefault(name, []).append(float(value))
                if prototype and weights.get(name, 0.0) < IMPLIED_WEIGHT:
                    req.implied_targets.add((name, clamp(name, value)))
            for lid, w in self._cat.hints[cid].items():
                self._label(lid, w * strength * (0.5 if guessed else 1.0), req, negated=False, source=phrase)
            style = any(w >= 1.0 for w in concept.hints.values())  # a style concept, not a mood or an activity
            for sid, w in self._ship_hints[cid].items():
                req.ship_hits[sid] = max(req.ship_hits.get(sid, 0.0), w * 0.7 * strength)
                if style and not guessed:
                    req.ship_style[sid] = max(req.ship_style.get(sid, 0.0), w * 0.7 * strength)
            if "→" in concept.cue:
                desc = concept.cue.split("→", 1)[1].strip()
            else:
                desc = describe(concept.target, concept.weights, gmean, gstd)
            hints = self._cat.hints[cid]
            top = max(hints, key=lambda lid: hints[lid]) if hints else None
            name = self._cat.labels.keys[top] if top is not None and hints[top] >= 0.9 else ""
            if name.startswith("playlist:"):  # a playlist's name is no style label ("deep house" ≠ Tropical House)
                name = ""
            if not name and concept.cue and "→" not in concept.cue and concept.cue.lower() != phrase:
                name = concept.cue
            parts = [p for p in (name, desc) if p]
            if not parts and top is not None:
                parts = [self._cat.labels.keys[top]]
            req.cue(f"{phrase} → {', '.join(parts) or concept.cue or concept.name}")
        req.evidence.append(0.55 * strength)

    # -- typo tolerance and embedding similarity ---------------------------------------------------------------
    def _typos(self, req: Request) -> None:
        if not req.unknown:
            return
        still = []
        for tok in req.unknown:
            if len(tok) >= 6:  # shorter words are more often other words than typos ("super"/"supper", "heard"/"hard")
                hit = process.extractOne(tok, self._cat.words.get(tok[0], ()), scorer=fuzz.ratio, score_cutoff=86)
                if hit:
                    word = hit[0]
                    found = self._lookup([word])
                    if found["concepts"] or found["exact"] or found["grams"] or found["ship_exact"]:
                        self._apply_hit([word], found, req, strength=0.85, said=f"{tok} (≈ {word})")
                        continue
            still.append(tok)
        req.unknown = still

    def _embeddings(self, content: list[str], req: Request) -> None:
        if self.embedder is None:
            return
        # words that name no music on their own ("city", "night", "best") are not matched to label texts: "city"
        # scored 0.61 against the reggaeton playlist "Perreo City"
        text = "" if all(w in GENERIC for w in content) else " ".join(content)
        unknown = list(dict.fromkeys(req.unknown))[:6]
        batch = ([text] if text else []) + unknown
        if not batch:
            return
        vecs = self.embedder.embed(batch)
        if text:
            labels = self._cat.labels if len(self._cat.labels) else self.shipped
            if labels.emb is not None and len(labels):
                sims = np.einsum("ij,j->i", labels.emb, vecs[0])
                top = np.argsort(-sims)[:8]
                best = float(sims[top[0]])
                # lowest tier: when rules and vocabulary already explained every word, neighbours only nudge
                scale = 1.0 if req.unknown or not req.evidence else 0.5
                for lid in top.tolist():
                    sim = float(sims[lid])
                    if sim < LABEL_SIM_MIN:
                        break
                    w = (0.3 + 0.6 * (sim - LABEL_SIM_MIN) / (1 - LABEL_SIM_MIN)) * scale
                    if labels is self.shipped:
                        req.ship_hits[lid] = max(req.ship_hits.get(lid, 0.0), w)
                    elif lid not in req.neg_labels:
                        self._label(lid, w, req, negated=False)
                if best >= LABEL_SIM_UNDERSTOOD:
                    req.evidence.append(min(0.5, best - 0.2))
                    if not req.cues:
                        where = labels.keys[int(top[0])] if labels is not self.shipped else (
                            f"the shipped '{labels.texts[int(top[0])]}' {labels.kinds[int(top[0])]}")
                        req.cue(f"\u201c{text}\u201d ≈ {where}")
        if unknown and self._phrase_emb is not None:
            sims = np.einsum("ij,kj->ki", self._phrase_emb, vecs[len(batch) - len(unknown) :])
            for tok, row in zip(unknown, sims):
                j = int(np.argmax(row))
                if row[j] >= CONCEPT_SIM_MIN:
                    cid = self._phrase_concept[j]
                    strength = 0.6 + 0.4 * (float(row[j]) - CONCEPT_SIM_MIN) / (1 - CONCEPT_SIM_MIN)
                    self._apply_concept(cid, f"{tok} (≈ {self._phrase_text[j]})", req, False, strength, guessed=True)
                    req.unknown.remove(tok)

"""Token patterns: negations ("not Drake", "no rap or trap", "without Ed Sheeran", "nothing sad") and artist references
("like Daft Punk", "by Queen", bare names), matched exactly or with rapidfuzz against the loaded catalog's artists.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from core.credits import lead_act
from core.text.cues import no_vocals
from core.text.matching import PhraseMatching
from core.text.state import Request
from core.text.tokens import STOPWORDS, mark_used

_NEGATORS: tuple[tuple[str, ...], ...] = (
    ("anything", "but"),
    ("but", "not"),
    ("nothing", "by"),
    ("nothing", "with"),
    ("nothing", "like"),
    ("anything", "except"),
    ("rien", "de"),
    ("nichts", "mit"),
    ("nada", "con"),
    ("nada", "com"),
    ("nothing", "from"),
    ("none", "of"),
    ("no", "more"),
    ("dont", "want"),
    ("don", "t", "want"),
    ("dont", "like"),
    ("don", "t", "like"),
    ("do", "not", "want"),
    # "songs that aren't loud", "a mix that isn't sad" (the apostrophe folds to a space: "aren t")
    ("aren", "t"),
    ("arent",),
    ("isn", "t"),
    ("isnt",),
    ("except", "for"),
    ("not",),
    ("no",),
    ("without",),
    ("except",),
    ("excluding",),
    ("exclude",),
    ("minus",),
    ("avoid",),
    ("skip",),
    ("nothing",),
    ("never",),
    ("hate",),
    ("non",),
    # Spanish, Portuguese, French, German ("sin", "nada de", "pas de", "kein", "ohne"...)
    ("nada", "de"),
    ("pero", "no"),
    ("mas", "nao"),
    ("mas", "sem"),
    ("pas", "de"),
    ("sauf",),
    ("sin",),
    ("sem",),
    ("sans",),
    ("ohne",),
    ("kein",),
    ("keine",),
    ("keinen",),
    ("keiner",),
    ("nicht",),
    ("nao",),
    ("nada",),
    ("excepto",),
    ("salvo",),
    ("exceto",),
    ("ausser",),
    ("nunca",),
    ("jamais",),
)
#: Comparatives that lower what follows ("less upbeat", "menos animada", "moins énergique", "weniger fröhlich"): read
#: as a milder negation — the concept's distinctive targets mirrored halfway about the catalog mean, not all the way.
_SOFTENERS: tuple[tuple[str, ...], ...] = (("less",), ("menos",), ("moins",), ("weniger",))
_ARTIST_CONNECTORS: tuple[tuple[str, ...], ...] = (
    ("in", "the", "style", "of"),
    ("in", "the", "vein", "of"),
    ("reminds", "me", "of"),
    ("similar", "to"),
    ("sounds", "like"),
    ("sound", "like"),
    ("sounding", "like"),
    ("style", "of"),
    ("fans", "of"),
    ("fan", "of"),
    ("such", "as"),
    ("inspired", "by"),
    ("songs", "by"),
    ("music", "by"),
    ("tracks", "by"),
    ("more", "of"),
    ("like",),
    ("by",),
    ("from",),
    # es / pt / fr / de "like X" (folded tokens); the same cues as core.anchors.ANCHOR_CUES
    ("al", "estilo", "de"), ("no", "estilo", "de"), ("dans", "le", "style", "de"), ("im", "stil", "von"),
    ("parecido", "a"), ("parecida", "a"), ("parecidos", "a"), ("parecidas", "a"), ("parecido", "com"),
    ("similares", "a"), ("similaires", "a"), ("ahnlich", "wie"), ("comme",), ("como",), ("tipo",), ("wie",),
)
_FILLERS = frozenset("too any more much so the a an very overly really songs song music tracks stuff by from of "
                     "el la los las un una de del mas o os as um uma do da dos das le les des du d l plus "
                     "der die das den dem ein eine einen mehr musica musique musik canciones musicas chansons "
                     "lieder nenhum nenhuma aucun aucune".split())
#: Words that carry a negation on to the next name or label ("no rap or trap", "sin Soda Stereo ni Caifanes",
#: "ohne Rap oder Trap"); what follows must then be an exact label or a capitalised artist (strict).
_NEGATION_JOINERS = frozenset(", or nor and ni o y e ou et oder und noch".split())
#: Words after a joiner that turn back to what is wanted ("no rap and more rock", "sin rap y con guitarras").
_POSITIVE_TURNS = frozenset("more mas mais plus mehr with con com avec mit lots some algo".split())
_CHUNK_STOP = frozenset("and or nor but with please just only for in that while when at to".split())
_VOCAL_WORDS = frozenset("vocal vocals singing singer singers lyrics lyric words voice voices vocalist vocalists "
                         "letra letras voz vozes voces canto paroles voix chant gesang stimme stimmen texte text".split())


class ArtistAndNegationCues(PhraseMatching):
    """Negated phrases and artists, artist references and bare artist names (mixin of ``TextUnderstanding``)."""

    @staticmethod
    def _match_seq(tokens: list[str], used: list[bool], i: int, seqs: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
        for seq in seqs:
            n = len(seq)
            if tuple(tokens[i : i + n]) == seq and not any(used[i : i + n]):
                return seq
        return ()

    @staticmethod
    def _chunk_end(tokens: list[str], used: list[bool], start: int, max_len: int = 5) -> int:
        end = start
        while end < len(tokens) and end - start < max_len and not used[end] and tokens[end] not in _CHUNK_STOP:
            end += 1
        return end

    def _artist_exact(self, tokens: list[str]) -> int | None:
        """The catalog artist called exactly ``tokens``, else the act they lead ("bob marley" -> "Bob Marley & The
        Wailers": :func:`core.credits.lead_act`, the one rule for every reader of names); None when neither has
        live tracks."""
        aid = self._cat.artist_index.get(" ".join(tokens))
        if (aid is None or aid >= len(self._cat.artist_count) or self._cat.artist_count[aid] == 0) and self._table is not None:
            aid = lead_act(self._table, " ".join(tokens))
        if aid is None or aid >= len(self._cat.artist_count) or self._cat.artist_count[aid] == 0:
            return None
        return aid

    def _artist_fuzzy(self, tokens: list[str], cutoff: float, req: Request | None = None) -> int | None:
        """An artist for a typo'd or shortened name: first a whole-word prefix ("kanye" -> "kanye west", the one
        with most tracks), then rapidfuzz ``ratio`` ≥ ``cutoff`` ("drak" -> "drake").

        Bounded work per message (issue 9: a 2,000-character message of connector words stalled the bot for
        seconds): answers are memoised per catalog fit, the prefix search is a binary search over the sorted names,
        spans made only of stopwords are never looked up, and each request gets at most
        :data:`~core.text.state.FUZZY_SCANS_PER_REQUEST` full rapidfuzz scans (``req.fuzzy_left``; ~2 ms each over ~10k artists).
        """
        query = " ".join(tokens)
        if len(query) < 4 or not self._cat.fuzzy_names or all(t in STOPWORDS for t in tokens):
            return None
        memo = self._fuzzy_memo()
        key = (query, cutoff)
        if key in memo:
            return memo[key]
        names, ids = self._fuzzy_sorted()
        prefix = query + " "
        best: tuple[int, int] | None = None
        for pos in range(bisect_left(names, prefix), bisect_left(names, prefix + "\U0010ffff")):
            aid = ids[pos]
            count = self._cat.artist_count[aid] if aid < len(self._cat.artist_count) else 0
            if count and (best is None or count > best[0]):
                best = (count, aid)
        if best is not None:
            memo[key] = best[1]
            return best[1]
        if req is not None:
            if req.fuzzy_left <= 0:
                return None  # budget spent: not memoised, another request may afford the scan
            req.fuzzy_left -= 1
        hit = process.extractOne(query, self._cat.fuzzy_names, scorer=fuzz.ratio, score_cutoff=cutoff)
        memo[key] = self._cat.fuzzy_ids[hit[2]] if hit else None
        return memo[key]

    def _fuzzy_memo(self) -> dict[tuple[str, float], int | None]:
        """Memo of :meth:`_artist_fuzzy` for the current catalog fit (cleared on refit or past 4,096 entries)."""
        state = getattr(self, "_fuzzy_state", None)
        if state is None or state[0] is not self._cat or len(state[1]) > 4096:
            names = sorted(zip(self._cat.fuzzy_names, self._cat.fuzzy_ids))
            state = (self._cat, {}, [n for n, _ in names], [a for _, a in names])
            self._fuzzy_state = state
        return state[1]

    def _fuzzy_sorted(self) -> tuple[list[str], list[int]]:
        """The fuzzy artist names sorted (for prefix search by bisection) and their ids, for the current fit."""
        self._fuzzy_memo()
        return self._fuzzy_state[2], self._fuzzy_state[3]

    def _is_caps(self, tokens: list[str], req: Request) -> bool:
        return all(t in req.caps for t in tokens)

    def _negations(self, tokens: list[str], used: list[bool], req: Request) -> None:
        # Portuguese "no" / "na" is "in the" ("músicas para ouvir no verão": summer songs, not "no summer"); Portuguese
        # says "não" / "sem" for "no" (both negators above). The request's own language is read once, and the words
        # "no" / "na" are no evidence of it (core.text.language.NO_EVIDENCE).
        preposition_no = req.text_lang == "pt"
        i = 0
        while i < len(tokens):
            seq = () if used[i] else self._match_seq(tokens, used, i, _NEGATORS)
            if seq == ("no",) and preposition_no:
                seq = ()
            soft = not seq and not used[i] and bool(self._match_seq(tokens, used, i, _SOFTENERS))
            if soft and not (i and tokens[i - 1] in ("more", "or", "mas", "mais", "plus", "o", "ou", "al", "au", "nicht")):
                seq = self._match_seq(tokens, used, i, _SOFTENERS)  # never "more or less", "al menos", "au moins"
            if not seq:
                i += 1
                continue
            req.softened = soft
            j, strict, done, moods = i + len(seq), False, False, False
            while True:
                k = j
                while k < len(tokens) and not used[k] and tokens[k] in _FILLERS:
                    k += 1
                end = self._chunk_end(tokens, used, k)
                n = self._filler_artist(tokens, used, j, k, req) if k > j else 0
                if n:
                    k = j
                else:
                    n, moods = self._resolve_negated(tokens[k:end], req, strict, moods) if end > k else (0, moods)
                if not n:
                    break
                mark_used(used, i if not done else j, k + n)
                done, j = True, k + n
                if (j + 1 < len(tokens) and tokens[j] in _NEGATION_JOINERS and not used[j + 1]
                        and tokens[j + 1] not in _POSITIVE_TURNS):
                    j, strict = j + 1, True  # "no rap or trap", "not Drake, Future" continue the negation
                    continue
                break
            req.softened = False
            i = j if done else i + 1

    def _filler_artist(self, tokens: list[str], used: list[bool], j: int, k: int, req: Request) -> int:
        """A negated artist whose name starts with a filler word ("no The Weeknd"): tokens used from ``j``, or 0."""
        stop = min(len(tokens), k + 4)
        for end in range(stop, k, -1):
            if any(used[j:end]) or "," in tokens[j:end]:
                continue
            aid = self._artist_exact(tokens[j:end])
            if aid is not None:
                self._exclude_artist(aid, " ".join(tokens[j:end]), req)
                return end - j
        return 0

    def _resolve_negated(self, chunk: list[str], req: Request, strict: bool, moods: bool = False) -> tuple[int, bool]:
        """Apply a negated chunk ("rap", "drake", "sad songs"); return ``(tokens used, 0 = none; whether it was a
        vocabulary word alone)``. A continued negation (``strict``) names a label or an artist exactly, or — when
        the chunk before it was a vocabulary word too (``moods``: "not loud or hyper") — another vocabulary word."""
        for n in range(min(4, len(chunk)), 0, -1):
            gram = chunk[:n]
            if n == 1 and gram[0] in _VOCAL_WORDS:
                no_vocals(None, req)  # "without any singing" reached through the negation path
                return 1, False
            caps_artist = self._artist_exact(gram) if self._is_caps(gram, req) else None
            if caps_artist is not None:
                self._exclude_artist(caps_artist, " ".join(gram), req)
                return n, False
            hit = self._lookup(gram)
            if hit["concepts"] or hit["exact"] or hit["ship_exact"]:
                if strict and not (hit["exact"] or hit["ship_exact"] or moods):
                    continue
                self._apply_hit(gram, hit, req, negated=True)
                return n, bool(hit["concepts"]) and not (hit["exact"] or hit["ship_exact"])
            aid = self._artist_exact(gram)
            if aid is not None:
                self._exclude_artist(aid, " ".join(gram), req)
                return n, False
        for n in range(min(4, len(chunk)), 0, -1) if not strict else ():  # a continued negation names exactly
            aid = self._artist_fuzzy(chunk[:n], 88, req)
            if aid is not None:
                self._exclude_artist(aid, " ".join(chunk[:n]), req)
                return n, False
        return 0, False

    def _exclude_artist(self, aid: int, said: str, req: Request) -> None:
        if aid not in req.excluded:
            req.excluded.append(aid)
        req.cue(f"not {said} → exclude {self._cat.artist_display[aid]}")
        req.evidence.append(0.6)
        req.known += 1

    def _artist_refs(self, tokens: list[str], used: list[bool], req: Request) -> None:
        i = 0
        while i < len(tokens):
            seq = () if used[i] else self._match_seq(tokens, used, i, _ARTIST_CONNECTORS)
            if not seq or (seq == ("like",) and i > 0 and tokens[i - 1] in ("i", "d", "would", "feel", "feels", "t", "dont", "do")):
                i += 1
                continue
            k = i + len(seq)
            end = self._chunk_end(tokens, used, k)
            n = self._resolve_artist(tokens[k:end], req, fuzzy=seq != ("from",))
            if n:
                mark_used(used, i, k + n)
                i = k + n
            else:
                i += 1

    def _resolve_artist(self, chunk: list[str], req: Request, fuzzy: bool) -> int:
        for n in range(min(5, len(chunk)), 0, -1):
            gram = chunk[:n]
            aid = self._artist_exact(gram)
            if aid is None:
                continue
            hit = self._lookup(gram)
            if (hit["concepts"] or hit["exact"]) and not self._is_caps(gram, req):
                return 0  # "something like chill": a vocabulary word, not the artist of that name
            self._add_artist(aid, req)
            return n
        if fuzzy:
            for n in range(min(5, len(chunk)), 0, -1):
                if self._lookup(chunk[:n])["concepts"]:
                    return 0
                aid = self._artist_fuzzy(chunk[:n], 90, req)
                if aid is not None:
                    self._add_artist(aid, req)
                    return n
        return 0

    def _add_artist(self, aid: int, req: Request, bare: bool = False) -> None:
        if aid not in req.artists:
            req.artists.append(aid)
            req.cue(f"{'' if bare else 'like '}{self._cat.artist_display[aid]} → artist")
        req.evidence.append(0.6)
        req.known += 1

    def _bare_artists(self, tokens: list[str], used: list[bool], req: Request, multi: bool = False) -> None:
        """Artist names written without a connector: multi-word names first (before vocabulary matching, so "Daft
        Punk" is not read as punk), single words after it (only if capitalised or a catalog artist with ≥ 3 tracks)."""
        i = 0
        while i < len(tokens):
            if used[i] or tokens[i] == ",":
                i += 1
                continue
            hit_n = 0
            for n in range(min(5, len(tokens) - i), 1 if multi else 0, -1):
                gram = tokens[i : i + n]
                if any(used[i : i + n]) or "," in gram or all(t in STOPWORDS for t in gram):
                    continue
                aid = self._artist_exact(gram)
                if aid is None:
                    continue
                caps = self._is_caps(gram, req)
                if multi:
                    lk = self._lookup(gram)
                    if (lk["concepts"] or lk["exact"]) and not caps:
                        continue
                elif gram[0] in STOPWORDS or len(gram[0]) < 3 or not (caps or (
                        len(gram[0]) >= 4 and self._cat.artist_count[aid] >= 3)):
                    continue
                self._add_artist(aid, req, bare=True)
                hit_n = n
                break
            if hit_n:
                mark_used(used, i, i + hit_n)
                i += hit_n
            else:
                i += 1

"""The use-case facade every adapter calls: search, resolve, recommend, catalog admin, chat.

``Engine`` owns the SQLite catalog, the in-memory :class:`~core.table.TrackTable`, the
:class:`~core.recommender.Recommender` (KNN index) and the local text understanding. It returns typed models from
:mod:`core.models`, never platform-formatted text, and it re-checks permissions on every mutation.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rapidfuzz import fuzz, process

from core.catalog import SHIPPED_CATALOG, Catalog, ImportReport, ProgressFn, normalize_text
from core.errors import InvalidInput, MusicBotError, PermissionDenied, SongNotFound
from core.models import (
    AUDIO_FEATURES,
    FEATURE_RANGES,
    Caller,
    ChatReply,
    Filters,
    NeedsClarification,
    Recommendation,
    RecommendedTrack,
    TextQuery,
    Track,
)
from core.recommender import Recommender, Scored
from core.table import TrackTable

MAX_TEXT = 2000
_TRACK_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_SPOTIFY_REF = re.compile(r"(?:open\.spotify\.com/(?:intl-[a-z-]+/)?track/|spotify:track:)([0-9A-Za-z]{22})")


def check_text(text: str, what: str = "request") -> str:
    """Strip and validate free text: non-empty and at most 2,000 characters.

    Raises:
        InvalidInput: empty/whitespace or longer than :data:`MAX_TEXT` characters.
    """
    if text is None or not str(text).strip():
        raise InvalidInput(f"Your {what} is empty — tell me what you'd like to hear, e.g. “chill study music”.")
    text = str(text).strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"Your {what} is {len(text):,} characters long; please keep it under {MAX_TEXT:,}.")
    return text


class Engine:
    """The core engine. Build with ``await Engine.open(db_path)``; close with ``await engine.close()``."""

    def __init__(self, catalog: Catalog, table: TrackTable, recommender: Recommender) -> None:
        self.catalog = catalog
        self.table = table
        self.recommender = recommender
        self._text: Any = None
        self._fuzzy_choices: tuple[int, list[str], list[int]] | None = None
        self._write_lock = asyncio.Lock()
        self._conversations: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    async def open(
        cls, db_path: str | Path, *, seed: bool = True, seed_path: Path = SHIPPED_CATALOG, progress: ProgressFn | None = None
    ) -> Engine:
        """Open the catalog (seeding the shipped one on first start), then build the table and KNN index.

        Raises:
            InvalidInput: the database file is unusable.
        """
        catalog = await Catalog.open(db_path)
        try:
            if seed:
                await catalog.seed(seed_path, progress=progress)
            table = TrackTable.from_rows(await catalog.all_rows(), await catalog.all_labels())
        except BaseException:
            await catalog.close()
            raise
        return cls(catalog, table, Recommender(table))

    async def close(self) -> None:
        """Close the catalog connection."""
        await self.catalog.close()

    @property
    def text(self) -> Any:
        """The local text understanding (:class:`core.text.TextUnderstanding`), fitted on first use."""
        if self._text is None:
            from core.text import TextUnderstanding

            self._text = TextUnderstanding()
            self._text.fit(self.table)
        return self._text

    # ------------------------------------------------------------------ references
    def _fuzzy(self) -> tuple[list[str], list[int]]:
        if self._fuzzy_choices is None or self._fuzzy_choices[0] != self.table.version:
            t = self.table
            positions = [int(p) for p in t.alive_positions()]
            choices = [normalize_text(f"{t.titles[p]} {' '.join(t.artists[p])}") for p in positions]
            self._fuzzy_choices = (t.version, choices, positions)
        return self._fuzzy_choices[1], self._fuzzy_choices[2]

    def label(self, pos: int) -> str:
        """``"Title - Artist"`` for a table position."""
        t = self.table
        return f"{t.titles[pos] or '(untitled)'} - {', '.join(t.artists[pos]) or '(unknown artist)'}"

    def suggestions(self, ref: str, n: int = 3) -> list[str]:
        """Up to ``n`` close matches for an unresolved reference, as ``"Title - Artist"`` strings."""
        choices, positions = self._fuzzy()
        hits = process.extract(normalize_text(ref), choices, scorer=fuzz.WRatio, limit=n * 3, score_cutoff=50)
        out: list[str] = []
        for _, _, i in hits:
            s = self.label(positions[i])
            if s not in out:
                out.append(s)
        return out[:n]

    def resolve(self, ref: str) -> int:
        """Resolve a track reference to a table position.

        Accepts a Spotify track id, an open.spotify.com URL or ``spotify:track:`` URI, ``"title"`` or
        ``"title - artist"`` (also ``"title by artist"``), matched exactly, then fuzzily (rapidfuzz WRatio ≥ 85).
        Among equal titles the most popular track wins.

        Raises:
            SongNotFound: nothing matched (carries up to 3 suggestions).
            InvalidInput: empty or over-long reference.
        """
        ref = check_text(ref, "song reference")
        t = self.table
        m = _SPOTIFY_REF.search(ref)
        if m or _TRACK_ID.match(ref):
            tid = m.group(1) if m else ref
            if tid in t.pos:
                return t.pos[tid]
            if m:
                raise SongNotFound(ref, [])
        title, artist = ref, ""
        for sep in (" - ", " – ", " by "):
            if sep in ref:
                title, artist = (part.strip() for part in ref.split(sep, 1))
                break
        n_title, n_artist = normalize_text(title), normalize_text(artist)
        choices, positions = self._fuzzy()
        exact = [p for p in positions if normalize_text(t.titles[p]) == n_title]
        if artist:
            exact = [p for p in exact if fuzz.partial_ratio(n_artist, " ".join(t.artist_names[a] for a in t.artist_ids[p])) >= 85]
        if exact:
            return max(exact, key=lambda p: (int(t.popularity[p]), -p))
        query = normalize_text(f"{title} {artist}")
        best = process.extractOne(query, choices, scorer=fuzz.WRatio, score_cutoff=85)
        if best is not None:
            # prefer the most popular among near-equal fuzzy scores
            near = process.extract(query, choices, scorer=fuzz.WRatio, limit=5, score_cutoff=best[1] - 2)
            return max((positions[i] for _, _, i in near), key=lambda p: int(t.popularity[p]))
        raise SongNotFound(ref, self.suggestions(ref))

    async def get_track(self, ref: str) -> Track:
        """The full track (all labels) for a reference (see :meth:`resolve`). Raises SongNotFound."""
        pos = self.resolve(ref)
        return self.table.track(pos)

    # ------------------------------------------------------------------ search
    async def search(self, query: str, limit: int = 10) -> Recommendation:
        """Full-text search over title / artist / album (FTS5), falling back to fuzzy matching.

        Raises:
            InvalidInput: empty/over-long query or limit outside 1–50.
        """
        query = check_text(query, "search")
        limit = self._limit(limit)
        ids = await self.catalog.search_ids(query, limit * 3)
        positions = [self.table.pos[i] for i in ids if i in self.table.pos]
        if not positions:
            choices, pos_list = self._fuzzy()
            hits = process.extract(normalize_text(query), choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=70)
            positions = [pos_list[i] for _, _, i in hits]
        seen: set[str] = set()
        results = []
        for p in positions:
            key = self.table.norm_keys[p]
            if key in seen:
                continue
            seen.add(key)
            results.append(RecommendedTrack(track=self.table.track(p), score=1.0, reason="matches your search"))
            if len(results) >= limit:
                break
        return Recommendation(kind="search", query=query, tracks=results, filters=Filters(limit=limit))

    # ------------------------------------------------------------------ recommendations
    @staticmethod
    def _limit(limit: int | None) -> int:
        if limit is None:
            return 10
        if not isinstance(limit, int) or not 1 <= limit <= 50:
            raise InvalidInput(f"limit must be between 1 and 50 (got {limit}).", field="limit", allowed="1–50")
        return limit

    def _results(self, scored: Sequence[Scored]) -> list[RecommendedTrack]:
        return [RecommendedTrack(track=self.table.track(s.pos), score=round(s.score, 4), reason=s.reason) for s in scored]

    def _exclude_positions(self, exclude_ids: Sequence[str]) -> set[int]:
        return {self.table.pos[i] for i in exclude_ids if i in self.table.pos}

    async def recommend_similar(
        self, refs: Sequence[str], filters: Filters | None = None, exclude_ids: Sequence[str] = ()
    ) -> Recommendation:
        """Tracks similar to one or many references (ids, links, URIs, titles, "title - artist").

        Raises:
            SongNotFound: a reference did not resolve (first failing one). InvalidInput: no reference given.
        """
        refs = [r for r in refs if r and r.strip()]
        if not refs:
            raise InvalidInput("Give at least one song, e.g. /similar Blinding Lights - The Weeknd")
        if len(refs) > 25:
            raise InvalidInput("Please give at most 25 reference songs.")
        filters = filters or Filters()
        positions = [self.resolve(r) for r in refs]
        scored = self.recommender.similar(positions, filters, exclude=self._exclude_positions(exclude_ids))
        names = ", ".join(self.label(p) for p in positions[:3]) + ("…" if len(positions) > 3 else "")
        return Recommendation(
            kind="similar",
            query=" | ".join(refs),
            tracks=self._results(scored),
            filters=filters,
            summary=f"Tracks like {names}",
        )

    def understand(self, text: str, limit: int = 10) -> TextQuery | NeedsClarification:
        """Run the local text understanding on a request (validated first)."""
        return self.text.parse(check_text(text), limit=limit)

    async def recommend_query(
        self, query: TextQuery, exclude_ids: Sequence[str] = (), limit: int | None = None
    ) -> Recommendation:
        """Recommendations for an already-parsed :class:`TextQuery` (from the local parser or an LLM)."""
        limit = self._limit(limit or query.filters.limit)
        query = query.model_copy(update={"filters": query.filters.model_copy(update={"limit": limit})})
        query = self._clamp(query)
        scored = self.recommender.from_text(query, exclude=self._exclude_positions(exclude_ids), limit=limit)
        cue_text = "; ".join(query.cues[:4])
        return Recommendation(
            kind="text",
            query=query.text,
            tracks=self._results(scored),
            target={k: round(float(v), 3) for k, v in query.target.items()},
            filters=query.filters,
            summary=cue_text,
        )

    @staticmethod
    def _clamp(query: TextQuery) -> TextQuery:
        target = {}
        for name, value in query.target.items():
            if name in FEATURE_RANGES:
                lo, hi = FEATURE_RANGES[name]
                if name == "tempo":
                    lo, hi = 40.0, 220.0
                if name == "loudness":
                    hi = 0.0
                target[name] = min(max(float(value), lo), hi)
        weights = {k: min(max(float(v), 0.0), 1.0) for k, v in query.weights.items() if k in AUDIO_FEATURES}
        labels = {k: min(max(float(v), -1.0), 1.0) for k, v in query.labels.items()}
        return query.model_copy(update={"target": target, "weights": weights, "labels": labels})

    async def recommend_text(
        self, text: str, filters: Filters | None = None, exclude_ids: Sequence[str] = (), limit: int | None = None
    ) -> Recommendation | NeedsClarification:
        """Free text -> recommendations with the local text understanding (offline).

        Explicit ``filters`` are merged over what the text implies. Returns :class:`NeedsClarification` when the
        text carries no musical meaning.

        Raises:
            InvalidInput: empty or over 2,000 characters, or a bad limit.
        """
        limit = self._limit(limit if limit is not None else (filters.limit if filters else None))
        parsed = self.understand(text, limit=limit)
        if isinstance(parsed, NeedsClarification):
            return parsed
        if filters is not None:
            merged = parsed.filters.model_copy(
                update={k: v for k, v in filters.model_dump(exclude_unset=True).items() if v not in (None, [])}
            )
            parsed = parsed.model_copy(update={"filters": merged})
        return await self.recommend_query(parsed, exclude_ids=exclude_ids, limit=limit)

    # ------------------------------------------------------------------ catalog admin
    @staticmethod
    def require_admin(caller: Caller, action: str) -> None:
        """Raise :class:`PermissionDenied` unless ``caller`` is an admin (checked on every mutation)."""
        if not isinstance(caller, Caller) or not caller.is_admin:
            raise PermissionDenied(action)

    @staticmethod
    def validate_track(data: dict[str, Any]) -> Track:
        """Validate raw track fields into a :class:`Track`.

        Raises:
            InvalidInput: naming the first bad field and its allowed range, e.g. ``energy must be 0–1``.
        """
        try:
            return Track.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            name = str(err["loc"][0]) if err["loc"] else "track"
            if name in FEATURE_RANGES:
                lo, hi = FEATURE_RANGES[name]
                allowed = f"{lo:g}–{hi:g}"
                raise InvalidInput(f"{name} must be a number in {allowed} (got {err.get('input')!r}).", name, allowed) from None
            raise InvalidInput(f"Invalid {name}: {err['msg']}.", name) from None

    async def add_song(self, caller: Caller, data: dict[str, Any]) -> Track:
        """Add a track (admin only). ``data`` holds Track fields; ``artists`` may be a string.

        Raises:
            PermissionDenied, InvalidInput (bad field / duplicate id).
        """
        self.require_admin(caller, "add songs")
        data = dict(data)
        if isinstance(data.get("artists"), str):
            data["artists"] = [a.strip() for a in re.split(r"[;,]", data["artists"]) if a.strip()]
        if not data.get("track_id") or not _TRACK_ID.match(str(data["track_id"])):
            raise InvalidInput("track_id must be a 22-character Spotify id (letters and digits).", "track_id", "22 chars")
        if data["track_id"] in self.table.pos:
            raise InvalidInput(f"A track with id {data['track_id']} already exists; use /editsong.", "track_id")
        if not str(data.get("title", "")).strip() or not data.get("artists"):
            raise InvalidInput("A song needs a title and at least one artist.", "title")
        if data.get("release_date") and not data.get("year"):
            head = str(data["release_date"])[:4]
            data["year"] = int(head) if head.isdigit() else None
        track = self.validate_track(data)
        return await self._store(track)

    async def edit_song(self, caller: Caller, ref: str, changes: dict[str, Any]) -> Track:
        """Change fields of an existing track (admin only); the track id cannot change.

        Raises:
            PermissionDenied, SongNotFound, InvalidInput.
        """
        self.require_admin(caller, "edit songs")
        if not changes:
            raise InvalidInput("Nothing to change: give field=value pairs, e.g. energy=0.8 tempo=120.")
        pos = self.resolve(ref)
        current = self.table.track(pos).model_dump(exclude={"artist", "spotify_url"})
        changes = dict(changes)
        if "track_id" in changes and changes["track_id"] != current["track_id"]:
            raise InvalidInput("The track id cannot be changed.", "track_id")
        unknown = set(changes) - set(current)
        if unknown:
            raise InvalidInput(f"Unknown field(s): {', '.join(sorted(unknown))}.", sorted(unknown)[0])
        if isinstance(changes.get("artists"), str):
            changes["artists"] = [a.strip() for a in re.split(r"[;,]", changes["artists"]) if a.strip()]
        track = self.validate_track({**current, **changes})
        return await self._store(track)

    async def delete_song(self, caller: Caller, ref: str) -> Track:
        """Delete a track (admin only). Returns the deleted track.

        Raises:
            PermissionDenied, SongNotFound.
        """
        self.require_admin(caller, "delete songs")
        pos = self.resolve(ref)
        track = self.table.track(pos)
        async with self._write_lock:
            await self.catalog.delete_track(track.track_id)
            self.table.delete(track.track_id)
            self.recommender.on_delete(pos)
        self._text_changed()
        return track

    async def _store(self, track: Track) -> Track:
        async with self._write_lock:
            await self.catalog.upsert_track(track)
            old = self.table.pos.get(track.track_id)
            pos = self.table.upsert(track)
            if old is not None:
                self.recommender.on_delete(old)
            self.recommender.on_upsert(pos)
        self._text_changed()
        return self.table.track(pos)

    def _text_changed(self) -> None:
        if self._text is not None:
            self._text.update(self.table)

    async def import_catalog(
        self, caller: Caller, path: Path, map_pairs: list[str] | None = None, replace: bool = False,
        progress: ProgressFn | None = None,
    ) -> ImportReport:
        """Import a CSV into the catalog (admin only) and rebuild the in-memory table and index.

        Raises:
            PermissionDenied, ImportFailed, InvalidInput.
        """
        self.require_admin(caller, "import catalogs")
        async with self._write_lock:
            report = await self.catalog.import_file(path, map_pairs=map_pairs, replace=replace, progress=progress)
            self.table = TrackTable.from_rows(await self.catalog.all_rows(), await self.catalog.all_labels())
            self.recommender = Recommender(self.table, self.recommender.params)
            self._text = None
            self._fuzzy_choices = None
        return report

    # ------------------------------------------------------------------ chat (slash commands + free text)
    async def chat(self, conversation_id: str, caller: Caller, text: str) -> ChatReply:
        """Answer one chat message: a slash command (see :mod:`core.commands`) or free text.

        Never raises for user mistakes: :class:`MusicBotError` becomes a friendly ``ChatReply.text``.
        """
        from core.commands import help_text, parse_command, split_refs

        state = self._conversations.setdefault(conversation_id, {"shown": [], "last": None})
        try:
            cmd = parse_command(check_text(text, "message"))
            if cmd.name in ("help", "start"):
                return ChatReply(text=help_text())
            if cmd.name == "reset":
                self._conversations.pop(conversation_id, None)
                return ChatReply(text="Conversation cleared.")
            if cmd.name == "song":
                track = await self.get_track(check_text(cmd.args, "song reference"))
                return ChatReply(text=f"{track.title} - {track.artist}", track=track)
            if cmd.name == "search":
                rec = await self.search(cmd.args)
                return self._reply(state, rec, empty=f'No tracks match "{cmd.args}".')
            if cmd.name == "similar":
                refs = split_refs(cmd.args)
                rec = await self.recommend_similar(refs, exclude_ids=state["shown"])
                state["last"] = ("similar", refs)
                return self._reply(state, rec)
            if cmd.name == "more":
                return await self._more(state)
            if cmd.name in ("recommend", ""):
                request = cmd.args
                if cmd.name == "" and normalize_text(request) in ("more", "next", "next page", "more please"):
                    return await self._more(state)
                result = await self.recommend_text(request, exclude_ids=state["shown"])
                if isinstance(result, NeedsClarification):
                    return ChatReply(text=result.question, clarification=result)
                state["last"] = ("text", request)
                return self._reply(state, result)
            return ChatReply(text=f"Unknown command /{cmd.name}.\n" + help_text())
        except MusicBotError as exc:
            return ChatReply(text=str(exc))

    def _reply(self, state: dict[str, Any], rec: Recommendation, empty: str = "") -> ChatReply:
        if not rec.tracks:
            return ChatReply(text=empty or "No tracks match that — try loosening the filters.", recommendation=rec)
        state["shown"].extend(t.track.track_id for t in rec.tracks if rec.kind != "search")
        del state["shown"][:-500]
        return ChatReply(text=rec.summary or f"{len(rec.tracks)} tracks", recommendation=rec)

    async def _more(self, state: dict[str, Any]) -> ChatReply:
        if not state.get("last"):
            return ChatReply(text="Ask for something first, e.g. /recommend chill study music.")
        kind, payload = state["last"]
        if kind == "similar":
            rec = await self.recommend_similar(payload, exclude_ids=state["shown"])
        else:
            result = await self.recommend_text(payload, exclude_ids=state["shown"])
            if isinstance(result, NeedsClarification):
                return ChatReply(text=result.question, clarification=result)
            rec = result
        return self._reply(state, rec, empty="That's all I have for this request.")

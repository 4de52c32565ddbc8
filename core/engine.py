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


def _split_ref(ref: str) -> tuple[str, str]:
    """``"Title - Artist"`` / ``"Title by Artist"`` -> ``(title, artist)``; otherwise ``(ref, "")``."""
    for sep in (" - ", " – ", " — ", " by "):
        if sep in ref:
            title, artist = ref.split(sep, 1)
            return title.strip(), artist.strip()
    return ref.strip(), ""


class Engine:
    """The core engine. Build with ``await Engine.open(db_path)``; close with ``await engine.close()``."""

    def __init__(self, catalog: Catalog, table: TrackTable, recommender: Recommender) -> None:
        self.catalog = catalog
        self.table = table
        self.recommender = recommender
        self._text: Any = None
        self._fuzzy_choices: tuple[int, list[str], list[int]] | None = None
        self._write_lock = asyncio.Lock()
        self._conversations: dict[str, Any] = {}  # chat support: store, agent runtime/config, per-conversation locks

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
    def _fuzzy(self) -> tuple[list[str], list[str], list[int]]:
        """``(full, titles, positions)``: normalized "title artist" and title strings of live tracks (cached)."""
        if self._fuzzy_choices is None or self._fuzzy_choices[0] != self.table.version:
            t = self.table
            positions = [int(p) for p in t.alive_positions()]
            titles = [normalize_text(t.titles[p]) for p in positions]
            full = [f"{title} {' '.join(t.artist_names[a] for a in t.artist_ids[p])}" for title, p in zip(titles, positions)]
            self._fuzzy_choices = (t.version, full, titles, positions)
        return self._fuzzy_choices[1], self._fuzzy_choices[2], self._fuzzy_choices[3]

    def _fuzzy_hits(self, title: str, artist: str, cutoff: float, limit: int = 5) -> list[tuple[float, int]]:
        """``(score, position)`` pairs, best first: rapidfuzz ``ratio`` on "title artist", and on the title alone
        when no artist was given (``ratio``, not ``WRatio``: partial matches of a famous artist's name must not win)."""
        full, titles, positions = self._fuzzy()
        scores: dict[int, float] = {}
        query = normalize_text(f"{title} {artist}")
        for _, score, i in process.extract(query, full, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff):
            scores[positions[i]] = max(scores.get(positions[i], 0.0), score)
        if not artist:
            for _, score, i in process.extract(normalize_text(title), titles, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff):
                scores[positions[i]] = max(scores.get(positions[i], 0.0), score)
        return sorted(((s, p) for p, s in scores.items()), key=lambda sp: (-sp[0], -int(self.table.popularity[sp[1]])))

    def label(self, pos: int) -> str:
        """``"Title - Artist"`` for a table position."""
        t = self.table
        return f"{t.titles[pos] or '(untitled)'} - {', '.join(t.artists[pos]) or '(unknown artist)'}"

    def suggestions(self, ref: str, n: int = 3) -> list[str]:
        """Up to ``n`` close matches for an unresolved reference, as ``"Title - Artist"`` strings."""
        title, artist = _split_ref(ref)
        out: list[str] = []
        for _, pos in self._fuzzy_hits(title, artist, cutoff=55, limit=n * 3):
            label = self.label(pos)
            if label not in out:
                out.append(label)
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
        title, artist = _split_ref(ref)
        n_title, n_artist = normalize_text(title), normalize_text(artist)
        _, titles, positions = self._fuzzy()
        whole = normalize_text(ref)
        exact = [positions[i] for i, name in enumerate(titles) if name == whole]  # titles may contain " - "
        if exact:
            return max(exact, key=lambda p: (int(t.popularity[p]), -p))
        exact = [positions[i] for i, name in enumerate(titles) if name == n_title]
        if artist:
            exact = [p for p in exact if fuzz.partial_ratio(n_artist, " ".join(t.artist_names[a] for a in t.artist_ids[p])) >= 85]
        if exact:
            return max(exact, key=lambda p: (int(t.popularity[p]), -p))
        hits = self._fuzzy_hits(title, artist, cutoff=80)
        if hits:
            return hits[0][1]
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
            full, _, pos_list = self._fuzzy()
            hits = process.extract(normalize_text(query), full, scorer=fuzz.WRatio, limit=limit, score_cutoff=70)
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
    async def chat(
        self,
        conversation_id: str,
        caller: Caller,
        text: str,
        *,
        group_id: str | None = None,
        group_admin: bool = False,
    ) -> ChatReply:
        """Answer one chat message: a slash command (see :mod:`core.commands`) or free text.

        Slash commands (``/recommend``, ``/similar``, ``/search``, ``/song``, ``/more``, ``/reset``, ``/help``,
        ``/playlist …``, ``/playlists``, ``/like``, ``/dislike``, ``/preview``) and a bare "more" are answered
        directly (no agent, no ``pydantic_ai`` import). Free text goes to the agent (:mod:`core.agent.runtime`): the
        configured LLM, or the built-in local model. Conversation memory lives in SQLite (:mod:`core.conversation`),
        keyed by ``conversation_id``; turns of one conversation run one at a time.

        ``group_id`` is the playlist group (``telegram:<chat_id>``, ``discord:<guild_id>``, ``console:local``);
        None = derived from the conversation id (:func:`core.conversation.default_group` — Discord adapters must pass
        the guild). ``group_admin``: the platform says the caller administers that group (may rename/delete others'
        playlists). Both come from the adapter, never from the conversation.

        Never raises for user mistakes: :class:`MusicBotError` becomes a friendly ``ChatReply.text``; an unexpected
        failure is logged and answered with a short apology.
        """
        from core.commands import help_text, parse_command, split_refs
        from core.conversation import MORE_WORDS, check_conversation_id, default_group

        try:
            cid = check_conversation_id(conversation_id)
            text = check_text(text, "message")
            group = str(group_id).strip() if group_id else default_group(cid, caller)
        except MusicBotError as exc:
            return ChatReply(text=str(exc))
        async with self._conversation_lock(cid):
            store = await self.conversation_store()
            state = await store.load_state(cid)
            try:
                cmd = parse_command(text)
                if cmd.name in ("help", "start"):
                    return ChatReply(text=help_text())
                if cmd.name == "reset":
                    await store.reset(cid)
                    return ChatReply(text="Conversation cleared.")
                if cmd.name == "song":
                    track = await self.get_track(check_text(cmd.args, "song reference"))
                    state.focus = track.track_id
                    reply = ChatReply(text=f"{track.title} - {track.artist}", track=track)
                elif cmd.name == "search":
                    rec = await self.search(cmd.args)
                    reply = self._reply(state, rec, empty=f'No tracks match "{cmd.args}".')
                elif cmd.name == "similar":
                    from core.conversation import LastRequest

                    refs = split_refs(cmd.args)
                    if not refs:
                        raise InvalidInput("Give at least one song, e.g. /similar Blinding Lights - The Weeknd")
                    ids = [self.table.ids[self.resolve(r)] for r in refs[:25]]
                    reply = await self._run_last(state, caller, LastRequest(kind="similar", refs=ids), first=True)
                elif cmd.name == "more" or (cmd.name == "" and normalize_text(text) in MORE_WORDS):
                    reply = await self._more(state, caller)
                elif cmd.name == "recommend":
                    from core.conversation import LastRequest

                    request = check_text(cmd.args, "request")
                    reply = await self._run_last(state, caller, LastRequest(kind="text", request=request), first=True)
                elif cmd.name in ("playlist", "playlists", "like", "dislike", "preview"):
                    reply = await self._group_command(state, caller, group, group_admin, cmd.name, cmd.args)
                elif cmd.name == "":
                    reply = await self._agent_turn(store, cid, caller, text, state, group, group_admin)
                else:
                    return ChatReply(text=f"Unknown command /{cmd.name}.\n" + help_text())
            except MusicBotError as exc:
                return ChatReply(text=str(exc))
            except Exception:  # never crash an adapter: log with traceback, answer briefly
                import logging

                logging.getLogger(__name__).exception("chat turn failed (conversation %s)", cid)
                return ChatReply(text="Sorry, something went wrong handling that. Please try again.")
            await store.save_state(cid, state)
            return reply

    def _reply(self, state: Any, rec: Recommendation, empty: str = "") -> ChatReply:
        """A list reply; records what was shown (``#N`` numbering, no repeats) in the conversation ``state``."""
        if not rec.tracks:
            return ChatReply(text=empty or "No tracks match that — try loosening the filters.", recommendation=rec)
        state.show_page([t.track.track_id for t in rec.tracks], [t.reason for t in rec.tracks], rec.kind != "search")
        return ChatReply(text=rec.summary or f"{len(rec.tracks)} tracks", recommendation=rec)

    async def _run_last(self, state: Any, caller: Caller, spec: Any, first: bool = False) -> ChatReply:
        """Run (or replay) a :class:`core.conversation.LastRequest` directly, excluding what was already shown."""
        from core.agent.specs import run_request

        result, ran = await run_request(self, spec, state.shown, merge=Filters() if first else None, caller=caller)
        if isinstance(result, NeedsClarification):
            return ChatReply(text=result.question, clarification=result)
        state.last = ran
        return self._reply(state, result, empty="That's all I have for this request." if not first else "")

    async def _more(self, state: Any, caller: Caller | None = None) -> ChatReply:
        """The next page of the conversation's last request (nothing already shown is repeated)."""
        if state.last is None:
            return ChatReply(text="Ask for something first, e.g. /recommend chill study music.")
        return await self._run_last(state, caller or Caller(), state.last)

    # ------------------------------------------------------------------ chat support (issue 3)
    async def conversation_store(self) -> Any:
        """The SQLite conversation memory (:class:`core.conversation.ConversationStore`) on the catalog connection."""
        store = self._conversations.get("store")
        if store is None:
            from core.conversation import ConversationStore

            store = self._conversations["store"] = await ConversationStore.open(self.catalog.db)
        return store

    def _conversation_lock(self, conversation_id: str) -> asyncio.Lock:
        """One lock per conversation id (weakly held), so two messages of one chat never interleave."""
        import weakref

        locks = self._conversations.get("locks")
        if locks is None:
            locks = self._conversations["locks"] = weakref.WeakValueDictionary()
        lock = locks.get(conversation_id)
        if lock is None:
            lock = locks[conversation_id] = asyncio.Lock()
        return lock

    def configure_agent(self, config: Any) -> None:
        """Use this :class:`core.agent.config.AgentConfig` (model, keys, timeouts) for free-text turns.

        Cheap: the agent itself (and ``pydantic_ai``) is built on the first free-text message. ``bot.app`` should
        call ``engine.configure_agent(settings.agent_config())`` after opening the engine; without it the built-in
        local model answers.
        """
        self._conversations["agent_config"] = config
        self._conversations.pop("runtime", None)

    @property
    def agent_runtime(self) -> Any:
        """The :class:`core.agent.runtime.AgentRuntime` (built on first use; imports ``pydantic_ai``)."""
        runtime = self._conversations.get("runtime")
        if runtime is None:
            from core.agent.runtime import AgentRuntime

            runtime = self._conversations["runtime"] = AgentRuntime(self._conversations.get("agent_config"))
        return runtime

    async def _agent_turn(
        self,
        store: Any,
        conversation_id: str,
        caller: Caller,
        text: str,
        state: Any,
        group_id: str = "",
        group_admin: bool = False,
    ) -> ChatReply:
        """One free-text turn through the agent (LLM or local model, with fallback)."""
        return await self.agent_runtime.chat_turn(
            self, store, conversation_id, caller, text, state, group_id=group_id, group_admin=group_admin
        )

    async def _group_command(
        self, state: Any, caller: Caller, group_id: str, group_admin: bool, name: str, args: str
    ) -> ChatReply:
        """``/playlist …``, ``/playlists``, ``/like``, ``/dislike``, ``/preview`` (see :mod:`core.agent.playlist_ops`;
        the playlist service enforces who may rename/delete/remove)."""
        from core.agent import playlist_ops as ops

        scope = ops.Scope(self, caller, group_id, group_admin, state)
        if name == "playlists":
            return await ops.playlists_reply(scope)
        if name in ("like", "dislike", "preview"):
            return await ops.feedback_command(scope, name, args)
        sub, _, rest = args.strip().partition(" ")
        if sub.lower() in ("recommend", "rec", "suggest"):
            if not rest.strip():
                raise InvalidInput("Which playlist? e.g. /playlist recommend Road Trip", "playlist")
            rec, spec = await ops.recommend(scope, rest.strip(), exclude_ids=state.shown)
            state.last = spec
            return self._reply(state, rec, empty="Nothing new fits this playlist with the current filters.")
        return await ops.playlist_command(scope, args)

    # --- playlists, feedback, previews (issue 6)
    # Services are created lazily on the catalog connection and share the engine's write lock (one transaction at a
    # time on that connection). See core/playlists.py, core/feedback.py, core/previews.py for the rules.
    @property
    def playlists(self) -> PlaylistService:
        """Group playlists (:class:`core.playlists.PlaylistService`): create/add/remove/show/rename/delete/…"""
        svc = getattr(self, "_playlist_service", None)
        if svc is None:
            from core.playlists import PlaylistService, SqlitePlaylistStore

            store = SqlitePlaylistStore(lambda: self.catalog.db, self._write_lock)
            svc = self._playlist_service = PlaylistService(self, store, exclusions=self.feedback.exclusions)
        return svc

    @property
    def feedback(self) -> FeedbackService:
        """Likes / dislikes and taste profiles (:class:`core.feedback.FeedbackService`)."""
        svc = getattr(self, "_feedback_service", None)
        if svc is None:
            from core.feedback import FeedbackService

            svc = self._feedback_service = FeedbackService(self, self._write_lock)
        return svc

    @property
    def previews(self) -> PreviewService:
        """Preview lookups (:class:`core.previews.PreviewService`); configured from the environment unless
        :meth:`configure_previews` was called (``bot.app`` should call it with ``PreviewConfig.from_settings``)."""
        svc = getattr(self, "_preview_service", None)
        if svc is None:
            from core.previews import PreviewConfig

            self.configure_previews(PreviewConfig.from_env())
            svc = self._preview_service
        return svc

    def configure_previews(self, config: PreviewConfig) -> None:
        """Use these preview URLs / credentials / timeouts (replaces the service and its in-memory state)."""
        from core.previews import PreviewService

        self._preview_service = PreviewService(lambda: self.catalog.db, self._write_lock, config)

    async def like(self, caller: Caller, ref: str) -> FeedbackResult:
        """Like a track for ``caller``: later recommendations lean towards it. Raises SongNotFound / InvalidInput."""
        return await self.feedback.like(caller, ref)

    async def dislike(self, caller: Caller, ref: str) -> FeedbackResult:
        """Dislike a track: it is never recommended to ``caller`` again. Raises SongNotFound / InvalidInput."""
        return await self.feedback.dislike(caller, ref)

    async def disliked_ids(self, caller: Caller | str) -> set[str]:
        """Track ids ``caller`` disliked (a :class:`Caller` or a ``"platform:user_id"`` key)."""
        return await self.feedback.disliked_ids(caller)

    async def recommend_similar_for(
        self, caller: Caller | None, refs: Sequence[str], filters: Filters | None = None, exclude_ids: Sequence[str] = ()
    ) -> Recommendation:
        """:meth:`recommend_similar` for a person: never their dislikes, nudged by their likes.

        ``exclude_ids``: e.g. tracks already shown in the conversation. Raises SongNotFound / InvalidInput.
        """
        refs = [r for r in refs if r and r.strip()]
        if not refs:
            raise InvalidInput("Give at least one song, e.g. /similar Blinding Lights - The Weeknd")
        if len(refs) > 25:
            raise InvalidInput("Please give at most 25 reference songs.")
        filters = filters or Filters()
        positions = [self.resolve(r) for r in refs]
        scored = await self.feedback.rank_similar(caller, positions, filters, self._exclude_positions(exclude_ids))
        names = ", ".join(self.label(p) for p in positions[:3]) + ("…" if len(positions) > 3 else "")
        return Recommendation(
            kind="similar", query=" | ".join(refs), tracks=self._results(scored), filters=filters, summary=f"Tracks like {names}"
        )

    async def recommend_query_for(
        self, caller: Caller | None, query: TextQuery, exclude_ids: Sequence[str] = (), limit: int | None = None
    ) -> Recommendation:
        """:meth:`recommend_query` for a person (parsed request from the local parser or the LLM agent)."""
        limit = self._limit(limit or query.filters.limit)
        query = query.model_copy(update={"filters": query.filters.model_copy(update={"limit": limit})})
        query = self._clamp(query)
        scored = await self.feedback.rank_text(caller, query, self._exclude_positions(exclude_ids), limit)
        return Recommendation(
            kind="text",
            query=query.text,
            tracks=self._results(scored),
            target={k: round(float(v), 3) for k, v in query.target.items()},
            filters=query.filters,
            summary="; ".join(query.cues[:4]),
        )

    async def recommend_text_for(
        self,
        caller: Caller | None,
        text: str,
        filters: Filters | None = None,
        exclude_ids: Sequence[str] = (),
        limit: int | None = None,
    ) -> Recommendation | NeedsClarification:
        """:meth:`recommend_text` for a person (local text understanding, dislikes excluded, likes blended in)."""
        limit = self._limit(limit if limit is not None else (filters.limit if filters else None))
        parsed = self.understand(text, limit=limit)
        if isinstance(parsed, NeedsClarification):
            return parsed
        if filters is not None:
            merged = parsed.filters.model_copy(
                update={k: v for k, v in filters.model_dump(exclude_unset=True).items() if v not in (None, [])}
            )
            parsed = parsed.model_copy(update={"filters": merged})
        return await self.recommend_query_for(caller, parsed, exclude_ids=exclude_ids, limit=limit)

    async def preview(self, ref: str) -> TrackPreview:
        """The track for ``ref`` with its best-effort preview (``preview_url`` None when none was found).

        Only a bad reference raises (SongNotFound / InvalidInput); the lookup itself never does.
        """
        from core.previews import TrackPreview

        track = self.table.track(self.resolve(ref))
        found = await self.previews.find(track)
        return found or TrackPreview(track=track)

    async def preview_urls(self, track_ids: Sequence[str], budget_s: float = 3.0) -> dict[str, str | None]:
        """Preview URLs for a reply's tracks within ``budget_s`` seconds (unknown/late/failed ids -> None)."""
        tracks = [self.table.track(self.table.pos[i]) for i in dict.fromkeys(track_ids) if i in self.table.pos]
        out: dict[str, str | None] = {i: None for i in track_ids}
        out.update(await self.previews.many(tracks, budget_s=budget_s))
        return out


import typing  # noqa: E402  (issue 6 block: names for the annotations above, without import-time cost)

if typing.TYPE_CHECKING:
    from core.feedback import FeedbackResult, FeedbackService
    from core.playlists import PlaylistService
    from core.previews import PreviewConfig, PreviewService, TrackPreview

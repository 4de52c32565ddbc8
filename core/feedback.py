"""Likes and dislikes per user, and the per-user taste profile that shapes later recommendations.

* A user is a :func:`core.playlists.member_key` (``"telegram:42"``): feedback follows the person across groups.
* One row per (user, track) in ``track_feedback`` (catalog DB): +1 like, −1 dislike; a new verdict replaces the old,
  :meth:`FeedbackService.clear` forgets it.
* **Dislikes are hard exclusions**: :meth:`FeedbackService.exclusions` gives the positions of the disliked tracks
  *and* their duplicates (remasters/edits share a dedupe key), passed as ``exclude`` to the recommender.
* **Likes are a soft boost**: the taste vector is the similar-tracks score (:meth:`Recommender.similar_scores`:
  audio + artist + year + labels) of every candidate against the user's 50 most recent likes, scaled to 0–1 and
  squared (so only clearly close tracks gain), with the liked tracks themselves set to 0 (discovery, not replays).
  :meth:`FeedbackService.taste_boost` hands it to the recommender's ``boost=`` hook as ``TASTE_POINTS × taste`` —
  a nudge that reorders tracks fitting the request about equally well; filters always apply.
* Nothing is cached across calls except the taste vector, keyed by (table version, liked positions), so several
  processes sharing the database always see current dislikes.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field

from core.explain import MAX_FACTS, format_reasons
from core.models import AUDIO_FEATURES, Caller, DeferredModel, Filters, Reason, TextQuery, Track
from core.playlists import member_key
from core.recommender import Scored
from core.reply_words import say

from core.app.loaded import LiveParts

if TYPE_CHECKING:
    from core.app.loaded import LoadedCatalog
    from core.app.ports import TrackFinding
    from core.infra.lite_db import LiteDatabase
    from core.infra.store_db import Database

FeedbackValue = Literal["like", "dislike", "none"]
_VALUES: dict[int, FeedbackValue] = {1: "like", -1: "dislike", 0: "none"}

#: Score points a perfect taste match adds. Request scores run up to ~2–4 for text (2.0 is the whole audio-fit
#: term, a matching label ~0.6–1.0, a named artist 1.5) and ~3–7 for similar (5.0 is a shared artist): 0.6 reorders
#: tracks that fit the request about equally well, while asked-for labels, artists and filters still win.
TASTE_POINTS = 0.6
#: Most recent likes that form the taste profile.
PROFILE_LIKES = 50
#: Taste at or above this gets "close to tracks you liked" in the reason.
TASTE_REASON_MIN = 0.5

def feedback_text(title: str, artist: str, value: str, previous: str, lang: str = "en") -> str:
    """What a verdict did, in ``lang`` (:data:`core.reply_words.REPLY_WORDS`): "Liked "Yellow - Coldplay" — I'll
    suggest more like it.", "You already like …" when ``value`` (``like`` / ``dislike`` / ``none``) was already
    ``previous``."""
    key = f"feedback again {value}" if value == previous else f"feedback {value}"
    return say(key, lang, name=f'"{title} - {artist}"')


class FeedbackResult(DeferredModel):
    """Outcome of like / dislike / clear: the track, the verdict now and before, and a plain-text message."""

    track: Track
    value: FeedbackValue
    previous: FeedbackValue
    message: str


class TasteProfile(DeferredModel):
    """What a user's feedback says, for display (``/taste``) and debugging."""

    user: str
    likes: int = 0
    dislikes: int = 0
    top_artists: list[str] = Field(default_factory=list)
    top_genres: list[str] = Field(default_factory=list)
    features: dict[str, float] = Field(default_factory=dict, description="mean audio features of liked tracks")


@functools.cache
def _sql(dialect: str) -> SimpleNamespace:
    """The statements for ``dialect``, built once with bound parameters (every recommendation reads the caller's likes
    and dislikes; building a statement per call costs more than running it on SQLite). SQLAlchemy is imported on
    first use, not at start-up."""
    from sqlalchemy import Integer, bindparam, delete, select

    from core.infra.store_db import dialect_insert
    from core.infra.tables import track_feedback

    c = track_feedback.c
    ids = (select(c.track_id).where(c.user_key == bindparam("f_user"), c.value == bindparam("f_value"))
           .order_by(c.updated_at.desc(), c.track_id))
    upsert = dialect_insert(dialect)(track_feedback)
    return SimpleNamespace(
        value=select(c.value).where(c.user_key == bindparam("f_user"), c.track_id == bindparam("f_track")),
        ids=ids,
        ids_limit=ids.limit(bindparam("f_limit", type_=Integer)),
        delete=delete(track_feedback).where(c.user_key == bindparam("f_user"), c.track_id == bindparam("f_track")),
        upsert=upsert.on_conflict_do_update(
            index_elements=["user_key", "track_id"],
            set_={"value": upsert.excluded.value, "updated_at": upsert.excluded.updated_at},
        ),
    )


def _statements(db: Any) -> SimpleNamespace:
    """SQL text on a one-request :class:`core.infra.lite_db.LiteDatabase` (:data:`core.infra.lite_sql.FEEDBACK`),
    else the SQLAlchemy statements of :func:`_sql`."""
    from core.infra.lite_db import statements
    from core.infra.lite_sql import FEEDBACK

    return statements(db, FEEDBACK, _sql)


def user_key(user: Caller | str) -> str:
    """``"platform:user_id"`` for a :class:`Caller`; strings pass through."""
    return member_key(user) if isinstance(user, Caller) else str(user)


class FeedbackService(LiveParts):
    """Feedback use cases; built by the composition root (:class:`core.engine.Engine`), reached as
    ``personal.feedback``.

    Args:
        database: the shared database the ``track_feedback`` table lives in (:class:`core.infra.store_db.Database`;
            in a one-request process :class:`core.infra.lite_db.LiteDatabase`).
        finder: resolves track references and short links (:class:`core.app.tracks.TrackFinder`).
        loaded: the live table and KNN recommender (:class:`core.app.loaded.LoadedCatalog`, read on every call).
    """

    def __init__(self, database: Database | LiteDatabase, finder: TrackFinding, loaded: LoadedCatalog) -> None:
        self.database = database
        self.finder = finder
        self.loaded = loaded
        self._taste_cache: dict[tuple[int, tuple[int, ...]], np.ndarray] = {}

    @property
    def _db(self) -> Database | LiteDatabase:
        return self.database

    async def setup(self) -> None:
        """Nothing to do: the feedback table comes from the migrations (kept for callers)."""

    # ------------------------------------------------------------------ verdicts
    async def _value(self, key: str, track_id: str) -> FeedbackValue:
        row = (await self._db.execute(_statements(self._db).value, {"f_user": key, "f_track": track_id})).first()
        return _VALUES[row[0] if row else 0]

    async def record(self, user: Caller | str, ref: str, value: FeedbackValue) -> FeedbackResult:
        """Record a verdict on a track reference (id, link, URI, title, "title - artist").

        Raises:
            SongNotFound, InvalidInput (bad reference or value).
        """
        from core.errors import InvalidInput

        if value not in ("like", "dislike", "none"):
            raise InvalidInput(f"Feedback must be like, dislike or none (got {value!r}).", "value")
        await self.setup()
        await self.finder.follow_short_links(str(ref or ""))
        pos = self.finder.resolve(ref, fuzzy=False)  # never record a verdict on a guessed track
        track = self.table.track(pos)
        key = user_key(user)
        sql = _statements(self._db)
        async with self._db.uow() as uow:  # the previous verdict and the new one: one read-modify-write
            await uow.lock("track_feedback", key, track.track_id)
            previous = await self._value(key, track.track_id)
            if value == "none":
                await uow.execute(sql.delete, {"f_user": key, "f_track": track.track_id})
            else:
                await uow.execute(sql.upsert, {"user_key": key, "track_id": track.track_id,
                                               "value": 1 if value == "like" else -1, "updated_at": time.time()})
            await uow.commit()
        msg = feedback_text(track.title, track.artist, value, previous)
        return FeedbackResult(track=track, value=value, previous=previous, message=msg)

    async def like(self, user: Caller | str, ref: str) -> FeedbackResult:
        """Like a track (replaces a dislike). Raises SongNotFound."""
        return await self.record(user, ref, "like")

    async def dislike(self, user: Caller | str, ref: str) -> FeedbackResult:
        """Dislike a track: it is never recommended to this user again (replaces a like). Raises SongNotFound."""
        return await self.record(user, ref, "dislike")

    async def clear(self, user: Caller | str, ref: str) -> FeedbackResult:
        """Forget the verdict on a track. Raises SongNotFound."""
        return await self.record(user, ref, "none")

    async def _ids(self, key: str, value: int, limit: int | None = None) -> list[str]:
        if limit is None:
            rows = await self._db.execute(_statements(self._db).ids, {"f_user": key, "f_value": value})
        else:
            params = {"f_user": key, "f_value": value, "f_limit": limit}
            rows = await self._db.execute(_statements(self._db).ids_limit, params)
        return [r[0] for r in rows.all()]

    async def disliked_ids(self, user: Caller | str) -> set[str]:
        """Track ids this user disliked (never recommend them to this user)."""
        return set(await self._ids(user_key(user), -1))

    async def liked_ids(self, user: Caller | str, limit: int | None = None) -> list[str]:
        """Track ids this user liked, most recent first."""
        return await self._ids(user_key(user), 1, limit)

    # ------------------------------------------------------------------ taste
    def _duplicates(self, positions: Iterable[int]) -> set[int]:
        """``positions`` plus every live position sharing their dedupe key (remasters, edits, re-releases)."""
        t = self.table
        out = set(positions)
        for p in list(out):
            out.update(t.key_tracks.get(t.norm_keys[p], ()))  # the table's own index of live versions
        return out

    async def exclusions(self, user: Caller | str | None, extra_ids: Iterable[str] = ()) -> set[int]:
        """Positions never to recommend: the user's dislikes with their duplicates, plus ``extra_ids``."""
        t = self.table
        positions = {t.pos[i] for i in extra_ids if i in t.pos}
        if user is not None:
            disliked = [t.pos[i] for i in await self.disliked_ids(user) if i in t.pos]
            positions |= self._duplicates(disliked)
        return positions

    async def _liked_positions(self, user: Caller | str | None) -> tuple[int, ...]:
        if user is None:
            return ()
        t = self.table
        return tuple(t.pos[i] for i in await self.liked_ids(user, PROFILE_LIKES) if i in t.pos)

    def _taste_view(self, liked: tuple[int, ...], cand: np.ndarray | None) -> np.ndarray:
        """0–1 taste over the candidate view (all positions when ``cand`` is None; cached per table version)."""
        t, rec = self.table, self.recommender
        if cand is None:
            key = (t.version, liked)
            hit = self._taste_cache.get(key)
            if hit is not None and len(hit) == t.n:
                return hit
        raw = rec.similar_scores(list(liked), cand).astype(np.float32)
        alive = t.alive[: t.n] if cand is None else t.alive[cand]
        raw = np.where(alive, raw, 0.0)
        raw[np.isin(np.arange(t.n) if cand is None else cand, liked)] = 0.0  # discovery, not replays
        top = float(raw.max()) if raw.size else 0.0
        taste = (raw / top) ** 2 if top > 0 else np.zeros_like(raw)
        if cand is None:
            if len(self._taste_cache) > 256:
                self._taste_cache.clear()
            self._taste_cache[(t.version, liked)] = taste
        return taste

    async def taste_scores(self, user: Caller | str | None) -> np.ndarray | None:
        """Per-position 0–1 affinity ``(n,)`` from the user's recent likes, or None without likes (see module doc)."""
        liked = await self._liked_positions(user)
        return self._taste_view(liked, None) if liked else None

    async def taste_boost(self, user: Caller | str | None) -> Callable[[np.ndarray | None], np.ndarray | float] | None:
        """The ``boost=`` hook for :meth:`Recommender.similar` / :meth:`Recommender.from_text`: adds
        ``TASTE_POINTS × taste`` over the recommender's candidate view. None when the user has no likes."""
        liked = await self._liked_positions(user)
        if not liked:
            return None
        return lambda cand: TASTE_POINTS * self._taste_view(liked, cand)

    def _mark(self, scored: list[Scored], liked: tuple[int, ...]) -> list[Scored]:
        """Add a ``taste`` reason ("close to tracks you liked") to results the taste lifted noticeably."""
        if not liked or not scored:
            return scored
        if self.recommender.index.centroids is None:
            taste = self._taste_view(liked, None)
            values = [float(taste[s.pos]) for s in scored]
        else:  # large catalogs: score just the results (scaled by their own best; only used for wording)
            view = self._taste_view(liked, np.array([s.pos for s in scored], dtype=np.int64))
            values = [float(v) for v in view]
        generic = {"sound", "request"}
        for s, v in zip(scored, values, strict=True):
            if v >= TASTE_REASON_MIN:
                taste = Reason(kind="taste")
                if not s.facts or all(r.kind in generic for r in s.facts):
                    s.facts = [taste]
                else:  # keep it visible: replace the last fact when the line is full
                    s.facts = [*s.facts[: MAX_FACTS - 1], taste]
                s.reason = format_reasons(s.facts)
        return scored

    async def rank_similar(
        self,
        user: Caller | str | None,
        refs: Sequence[int],
        filters: Filters,
        exclude: Iterable[int] = (),
        limit: int | None = None,
        extra_boost: Callable[[np.ndarray | None], np.ndarray | float] | None = None,
        intensity: bool = True,
    ) -> list[Scored]:
        """:meth:`Recommender.similar` without the user's dislikes (and their duplicates), nudged by their likes;
        ``extra_boost`` (same shape as the taste boost) is added to the score, e.g. the move bonus of "like X but
        more upbeat" (:func:`core.anchors.tiered_boost`); ``intensity`` as :meth:`Recommender.similar`."""
        rec = self.recommender
        ex = set(exclude) | await self.exclusions(user)
        boost = await self.taste_boost(user)
        both = boost
        if extra_boost is not None:
            both = extra_boost if boost is None else (lambda cand: boost(cand) + extra_boost(cand))
        scored = rec.similar(refs, filters, exclude=ex, limit=limit, boost=both, intensity=intensity)
        return self._mark(scored, await self._liked_positions(user) if boost else ())

    async def rank_text(
        self, user: Caller | str | None, query: TextQuery, exclude: Iterable[int] = (), limit: int | None = None,
        extra: Callable[[np.ndarray | None], np.ndarray | float] | None = None,
    ) -> list[Scored]:
        """:meth:`Recommender.from_text` without the user's dislikes (and their duplicates), nudged by their likes;
        ``extra``: another ``boost=`` hook added to the taste (a style's playlists and scene, core.app.discovery)."""
        rec = self.recommender
        ex = set(exclude) | await self.exclusions(user)
        boost = await self.taste_boost(user)
        hook = boost
        if extra is not None:
            hook = extra if boost is None else (lambda cand: boost(cand) + extra(cand))
        scored = rec.from_text(query, exclude=ex, limit=limit, boost=hook)
        return self._mark(scored, await self._liked_positions(user) if boost else ())

    async def profile(self, user: Caller | str) -> TasteProfile:
        """Counts, top artists / genres and mean audio features of the user's likes."""
        key = user_key(user)
        liked = await self.liked_ids(key)
        disliked = await self.disliked_ids(key)
        t = self.table
        pos = [t.pos[i] for i in liked if i in t.pos]
        artists: Counter[str] = Counter()
        genres: Counter[str] = Counter()
        for p in pos:
            artists.update(t.artists[p])
            genres.update(t.label_strings(p, "subgenre") or t.label_strings(p, "genre"))
        pos = [p for p in pos if t.has_features[p]] if pos else pos  # likes without audio features add no mean
        feats = t.features[pos].mean(0) if pos else None
        return TasteProfile(
            user=key,
            likes=len(liked),
            dislikes=len(disliked),
            top_artists=[a for a, _ in artists.most_common(5)],
            top_genres=[g for g, _ in genres.most_common(5)],
            features={} if feats is None else {f: round(float(feats[i]), 3) for i, f in enumerate(AUDIO_FEATURES)},
        )

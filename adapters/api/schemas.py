"""Request and response bodies of the REST API, with the field names of the original "Music Recommender API" design
(``track_name``, ``track_artist``, ``track_popularity``, ``track_album_name``, ``playlist_genre``…), and the mapping
to and from the core :class:`~core.models.Track`.

Feature ranges come from :data:`core.models.FEATURE_RANGES` (units: 0–1, loudness dB, tempo BPM, key 0–11 or -1,
mode 0/1), counts from :mod:`core.limits`: the API checks them at the edge for a clear 422, and the engine checks
them again. ``track_album_id`` and ``playlist_id`` are accepted for compatibility with the original design, but
the catalog does not store them (responses give ``null``).
"""

from __future__ import annotations

from typing import Annotated, Any, Optional

from pydantic import BaseModel, ConfigDict, Field, create_model

from core.limits import DEFAULT_TRACKS, MAX_TRACKS
from core.models import AUDIO_FEATURES, FEATURE_RANGES, CoverageNote, Reason, RecommendedTrack, Track

#: A Spotify track id: exactly 22 base-62 characters.
TRACK_ID_PATTERN = r"^[0-9A-Za-z]{22}$"
#: Longest free-text request (characters), as the chat (:func:`core.references.check_text`).
MAX_TEXT = 2000
#: Longest name / label field accepted (characters).
MAX_NAME = 500

_UNITS = {"loudness": "dB", "tempo": "BPM", "key": "pitch class 0–11, -1 = none", "mode": "1 = major, 0 = minor"}


def _feature_fields(required: bool) -> dict[str, Any]:
    """The eleven audio features as pydantic field definitions (ranges from FEATURE_RANGES)."""
    out: dict[str, Any] = {}
    for name in AUDIO_FEATURES:
        lo, hi = FEATURE_RANGES[name]
        kind: Any = int if name in ("key", "mode") else float
        desc = f"{lo:g}–{hi:g}" + (f" ({_UNITS[name]})" if name in _UNITS else "")
        if required:
            out[name] = (kind, Field(ge=lo, le=hi, allow_inf_nan=False, description=desc))
        else:
            out[name] = (Optional[kind], Field(default=None, ge=lo, le=hi, allow_inf_nan=False, description=desc))
    return out


class _SongMeta(BaseModel):
    """Metadata fields shared by create and update (all optional here)."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    track_popularity: Optional[int] = Field(default=None, ge=0, le=100, description="0–100")
    duration_ms: Optional[int] = Field(default=None, ge=0, le=100_000_000, description="milliseconds")
    track_album_id: Optional[str] = Field(default=None, max_length=MAX_NAME, description="accepted, not stored")
    track_album_name: Optional[str] = Field(default=None, max_length=MAX_NAME)
    track_album_release_date: Optional[str] = Field(
        default=None, max_length=32, description="YYYY, YYYY-MM or YYYY-MM-DD; the year is taken from it"
    )
    playlist_name: Optional[str] = Field(default=None, max_length=MAX_NAME, description="a playlist label")
    playlist_id: Optional[str] = Field(default=None, max_length=MAX_NAME, description="accepted, not stored")
    playlist_genre: Optional[str] = Field(default=None, max_length=MAX_NAME, description="genre label, e.g. pop")
    playlist_subgenre: Optional[str] = Field(default=None, max_length=MAX_NAME, description="subgenre label, e.g. dance pop")


class SongCreate(_SongMeta):
    """Body of ``POST /api/v1/songs/``: a new track with all eleven audio features."""

    track_id: str = Field(pattern=TRACK_ID_PATTERN, description="Spotify track id (22 letters/digits)")
    track_name: str = Field(min_length=1, max_length=MAX_NAME)
    track_artist: str = Field(min_length=1, max_length=MAX_NAME, description="artists separated by ';' or ','")


SongCreate = create_model("SongCreate", __base__=SongCreate, __doc__=SongCreate.__doc__, **_feature_fields(required=True))  # type: ignore[misc]


class SongUpdate(_SongMeta):
    """Body of ``PUT /api/v1/songs/{track_id}``: the fields to change (others keep their value)."""

    track_name: Optional[str] = Field(default=None, min_length=1, max_length=MAX_NAME)
    track_artist: Optional[str] = Field(default=None, min_length=1, max_length=MAX_NAME)


SongUpdate = create_model("SongUpdate", __base__=SongUpdate, __doc__=SongUpdate.__doc__, **_feature_fields(required=False))  # type: ignore[misc]


class SongOut(BaseModel):
    """A catalog track in the original design's shape, plus the full label lists and the Spotify link."""

    track_id: str
    track_name: str
    track_artist: str = Field(description="all artists, comma-separated")
    artists: list[str]
    track_popularity: int
    duration_ms: int
    track_album_id: Optional[str] = Field(default=None, description="not stored by the catalog: always null")
    track_album_name: str
    track_album_release_date: str
    year: Optional[int]
    playlist_name: Optional[str] = Field(description="the first playlist label, if any")
    playlist_id: Optional[str] = Field(default=None, description="not stored by the catalog: always null")
    playlist_genre: Optional[str] = Field(description="the first genre label, if any")
    playlist_subgenre: Optional[str] = Field(description="the first subgenre label, if any")
    genre: str = Field(default="", description="the track's own style as every chat reply shows it (its artist's "
                       "most carried subgenre/genre, else the style model's guess); playlist_genre stays the raw label")
    genres: list[str]
    subgenres: list[str]
    playlists: list[str]
    danceability: Optional[float]
    energy: Optional[float]
    key: Optional[int]
    loudness: Optional[float] = Field(description="dB")
    mode: Optional[int]
    speechiness: Optional[float]
    acousticness: Optional[float]
    instrumentalness: Optional[float]
    liveness: Optional[float]
    valence: Optional[float]
    tempo: Optional[float] = Field(description="BPM")
    external_url: str = Field(description="https://open.spotify.com/track/ID")


class RecommendedSong(SongOut):
    """A recommended track: the song, its 0–1 relevance score and the reason (text and checkable facts)."""

    score: float
    reason: str
    reasons: list[Reason]


class RecommendRequest(BaseModel):
    """Body of ``POST /api/v1/recommend/``: tracks like these (ids, Spotify links or "title - artist")."""

    model_config = ConfigDict(extra="forbid", strict=True)

    song_ids: list[Annotated[str, Field(max_length=MAX_NAME)]] = Field(
        min_length=1, max_length=25, description="1–25 track ids (or Spotify links, or \"title - artist\")"
    )
    limit: int = Field(default=DEFAULT_TRACKS, ge=1, le=MAX_TRACKS, description=f"1–{MAX_TRACKS}")


class TextRecommendRequest(BaseModel):
    """Body of ``POST /api/v1/recommend/text``: a free-text request, e.g. "chill acoustic songs for studying"."""

    model_config = ConfigDict(extra="forbid", strict=True)

    text_input: str = Field(min_length=1, max_length=MAX_TEXT)
    limit: int | None = Field(
        default=None, ge=1, le=MAX_TRACKS,
        description=f"1–{MAX_TRACKS}; omitted: the count the text asks for (\"20 chill songs\", at most {MAX_TRACKS}: "
        f"``message`` then says so), else {DEFAULT_TRACKS}")


class Clarification(BaseModel):
    """Returned instead of tracks when a request carries no musical meaning."""

    question: str
    suggestions: list[str]


class RecommendResponse(BaseModel):
    """A recommendation: ``message`` first (what the catalog lacks, a reference that resolved to another track, a
    capped count — empty when nothing needs saying), then the tracks, best first."""

    message: str = Field(description="what must be said first; empty when the tracks match the request as asked")
    summary: str
    query: str
    tracks: list[RecommendedSong]
    target: dict[str, float] = Field(description="target audio features used (text requests)")
    coverage: list[CoverageNote]
    notes: list[str]
    clarification: Optional[Clarification] = None


class AudioInfo(BaseModel):
    """``GET /api/v1/music/audio/{track_id}``: where to listen. ``preview_url`` is a 30 s MP3 when one was found
    (Spotify, Deezer or iTunes, best effort), else null."""

    track_id: str
    name: str
    artists: list[str]
    album: str
    duration_ms: int
    popularity: int
    preview_url: Optional[str]
    preview_source: Optional[str]
    external_url: str
    spotify_uri: str
    embed_url: str


class ErrorBody(BaseModel):
    """Every error answer: ``detail`` is one friendly sentence; ``error`` a stable code; ``field`` the bad field."""

    detail: str
    error: str
    field: Optional[str] = None
    suggestions: list[str] = Field(default_factory=list)
    errors: list[dict[str, Any]] = Field(default_factory=list, description="validation errors, one per bad field")


class AudioUnavailable(ErrorBody):
    """503 from ``/music/audio``: no preview service could be reached; the track's links are still given."""

    audio: AudioInfo


#: API body field -> core Track field (labels become one-element lists).
_TO_TRACK = {
    "track_name": "title",
    "track_artist": "artists",
    "track_popularity": "popularity",
    "duration_ms": "duration_ms",
    "track_album_name": "album",
    "track_album_release_date": "release_date",
    **{f: f for f in AUDIO_FEATURES},
}
_LABELS = {"playlist_name": "playlists", "playlist_genre": "genres", "playlist_subgenre": "subgenres"}


def track_fields(body: BaseModel, *, only_set: bool) -> dict[str, Any]:
    """The core :class:`Track` fields for a create/update body (``only_set``: just the fields the client sent).

    ``track_artist`` stays a string (the engine splits it on ``;``/``,``); a label becomes a one-element list.
    ``track_album_id`` / ``playlist_id`` are dropped (the catalog does not store them).
    """
    data = body.model_dump(exclude_unset=only_set)
    out: dict[str, Any] = {}
    if "track_id" in data:
        out["track_id"] = data["track_id"]
    for api_name, core_name in _TO_TRACK.items():
        if data.get(api_name) is not None:  # null in an update: leave the field as it is
            out[core_name] = data[api_name]
    for api_name, core_name in _LABELS.items():
        if api_name in data:  # "" or null clears the label list in an update
            value = (data[api_name] or "").strip()
            if value or only_set:
                out[core_name] = [value] if value else []
    return out


def song_out(track: Track) -> dict[str, Any]:
    """A :class:`SongOut` dict for a core track."""
    return {
        "track_id": track.track_id,
        "track_name": track.title,
        "track_artist": track.artist,
        "artists": track.artists,
        "track_popularity": track.popularity,
        "duration_ms": track.duration_ms,
        "track_album_id": None,
        "track_album_name": track.album,
        "track_album_release_date": track.release_date,
        "year": track.year,
        "playlist_name": track.playlists[0] if track.playlists else None,
        "playlist_id": None,
        "playlist_genre": track.genres[0] if track.genres else None,
        "playlist_subgenre": track.subgenres[0] if track.subgenres else None,
        "genre": track.shown_genre,
        "genres": track.genres,
        "subgenres": track.subgenres,
        "playlists": track.playlists,
        **{f: getattr(track, f) for f in AUDIO_FEATURES},
        "external_url": track.spotify_url,
    }


def recommended_song(item: RecommendedTrack, lang: str = "en") -> dict[str, Any]:
    """A :class:`RecommendedSong` dict: the track, score, reason text (as the chat words it, in the reply's language
    ``lang``) and facts."""
    from core.explain import reason_text

    return {**song_out(item.track), "score": item.score, "reason": reason_text(item, lang), "reasons": item.reasons}

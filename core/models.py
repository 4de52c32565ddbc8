"""Typed domain models shared by every layer (Pydantic v2).

Nothing here knows about a chat platform: adapters render these models themselves.
Units follow Spotify's audio-features reference
(https://developer.spotify.com/documentation/web-api/reference/get-audio-features):
0–1 for the perceptual features, loudness in dB, tempo in BPM, key as pitch class 0–11, mode 1=major / 0=minor.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

#: Audio features stored for every track, in the column order of the feature matrix.
AUDIO_FEATURES: tuple[str, ...] = (
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
)

#: Features that live on a 0–1 scale.
UNIT_FEATURES: tuple[str, ...] = (
    "danceability",
    "energy",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
)

#: Accepted range of every stored feature (inclusive). Loudness goes slightly above 0 dB in real Spotify data
#: (max +1.3 dB in the shipped catalog); key -1 means "no key detected" in Spotify's API.
FEATURE_RANGES: dict[str, tuple[float, float]] = {
    **{name: (0.0, 1.0) for name in UNIT_FEATURES},
    "key": (-1, 11),
    "mode": (0, 1),
    "loudness": (-60.0, 5.0),
    "tempo": (0.0, 250.0),
}


def spotify_url(track_id: str) -> str:
    """Return the open.spotify.com link for a Spotify track id (22 base-62 chars)."""
    return f"https://open.spotify.com/track/{track_id}"


def spotify_uri(track_id: str) -> str:
    """Return the ``spotify:track:ID`` URI for a Spotify track id."""
    return f"spotify:track:{track_id}"


class Role(StrEnum):
    """Role of the person talking to the bot; decides which catalog mutations are allowed."""

    USER = "user"
    ADMIN = "admin"


class Caller(BaseModel):
    """Who is asking: identity comes from the platform adapter and settings, never from the conversation."""

    model_config = ConfigDict(frozen=True)

    user_id: str = "local"
    platform: str = "console"
    role: Role = Role.USER

    @property
    def is_admin(self) -> bool:
        """True when this caller may add, edit or delete catalog tracks."""
        return self.role is Role.ADMIN


class AudioFeatures(BaseModel):
    """The eleven Spotify audio features of one track (units in the module docstring)."""

    danceability: float = Field(ge=0, le=1)
    energy: float = Field(ge=0, le=1)
    key: int = Field(ge=-1, le=11)
    loudness: float = Field(ge=-60, le=5, description="dB")
    mode: int = Field(ge=0, le=1)
    speechiness: float = Field(ge=0, le=1)
    acousticness: float = Field(ge=0, le=1)
    instrumentalness: float = Field(ge=0, le=1)
    liveness: float = Field(ge=0, le=1)
    valence: float = Field(ge=0, le=1)
    tempo: float = Field(ge=0, le=250, description="BPM")


class Track(AudioFeatures):
    """One catalog track with its metadata, audio features and every label it carries."""

    track_id: str
    title: str
    artists: list[str]
    album: str = ""
    release_date: str = ""
    year: int | None = Field(default=None, ge=1000, le=2100)
    original_year: int | None = Field(
        default=None, ge=1000, le=2100, description="earliest year among this song's versions in the catalog"
    )
    year_is_album_date: bool = Field(
        default=False, description="year is only an album date (compilation, remaster, re-release)"
    )
    popularity: int = Field(default=0, ge=0, le=100)
    duration_ms: int = Field(default=0, ge=0, le=100_000_000)
    genres: list[str] = Field(default_factory=list)
    subgenres: list[str] = Field(default_factory=list)
    playlists: list[str] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def artist(self) -> str:
        """All artists joined for display, e.g. ``"Daft Punk, Pharrell Williams"``."""
        return ", ".join(self.artists)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def spotify_url(self) -> str:
        """``https://open.spotify.com/track/ID``."""
        return spotify_url(self.track_id)

    @property
    def spotify_uri(self) -> str:
        """``spotify:track:ID``."""
        return spotify_uri(self.track_id)

    def features(self) -> AudioFeatures:
        """Return just the audio features of this track."""
        return AudioFeatures.model_validate(self.model_dump(include=set(AUDIO_FEATURES)))


class Filters(BaseModel):
    """Constraints every recommendation path accepts; all optional. Years are inclusive, tempo in BPM."""

    genres: list[str] = Field(default_factory=list, description="keep tracks carrying any of these genre/subgenre labels")
    exclude_artists: list[str] = Field(default_factory=list)
    year_min: int | None = None
    year_max: int | None = None
    tempo_min: float | None = None
    tempo_max: float | None = None
    limit: int = Field(default=10, ge=1, le=50)

    def is_empty(self) -> bool:
        """True when no constraint other than the limit is set."""
        return not (
            self.genres or self.exclude_artists or self.year_min or self.year_max or self.tempo_min or self.tempo_max
        )


class Reason(BaseModel):
    """One checkable fact about why a track was picked; :func:`core.explain.format_reasons` words it.

    ``kind``: ``feature`` (an audio feature of the track close to the references': ``feature``, the track's
    ``value`` in the feature's units, ``target`` = the references' mean), ``asked_feature`` (the same for a text
    request, ``target`` = the asked value), ``artist`` (same artist as a reference: ``label`` = name),
    ``related_artist`` (an artist the catalog's playlists pair with a reference's artist: ``label`` = that artist,
    ``value`` = relation 0–1), ``label`` / ``asked_label`` (a catalog label shared with the references / asked for:
    ``feature`` = genre, subgenre or playlist, ``label`` = its text), ``asked_artist`` (by an artist asked for),
    ``era`` (``value`` = the track's original year, ``target`` = the nearest reference year, if any),
    ``album_date`` (``value`` = the year stored, ``target`` = the first release year when known), ``taste`` (close
    to tracks the user liked), ``search`` (full-text match), ``sound`` / ``request`` (no more specific fact).
    """

    kind: Literal[
        "feature",
        "asked_feature",
        "artist",
        "related_artist",
        "label",
        "asked_label",
        "asked_artist",
        "era",
        "album_date",
        "taste",
        "search",
        "sound",
        "request",
    ]
    feature: str = ""
    value: float | None = None
    target: float | None = None
    label: str = ""


class RecommendedTrack(BaseModel):
    """A track in a reply, with its 0–1 relevance score, the reasons as data and their plain rendering.

    ``reason`` is :func:`core.explain.format_reasons` of ``reasons`` (or free text, e.g. from an LLM); adapters
    show :func:`core.explain.reason_text`.
    """

    track: Track
    score: float
    reason: str
    reasons: list[Reason] = Field(default_factory=list)


class Recommendation(BaseModel):
    """Result of any recommendation path: the tracks plus what was asked for (for follow-ups and display)."""

    kind: Literal["text", "similar", "search", "playlist"] = "text"
    query: str = ""
    tracks: list[RecommendedTrack] = Field(default_factory=list)
    target: dict[str, float] = Field(default_factory=dict, description="target audio features used, if any")
    filters: Filters = Field(default_factory=Filters)
    summary: str = ""


class NeedsClarification(BaseModel):
    """Returned instead of tracks when a request could not be understood."""

    question: str
    suggestions: list[str] = Field(default_factory=list)


class TextQuery(BaseModel):
    """What a free-text request means, as produced by :mod:`core.text` (local) or an LLM agent.

    ``target`` holds target audio features in their own units (0–1, tempo BPM, loudness dB, mode 0/1) and
    ``weights`` how much each target matters (0–1; absent = 0). ``labels`` maps catalog label texts
    (``"subgenre:lo-fi"``-style keys ``kind:label``) to a preference weight in −1..1 (negative = avoid).
    ``cues`` lists the phrases understood, for the reply's reason ("chill → low energy").
    """

    text: str = ""
    target: dict[str, float] = Field(default_factory=dict)
    weights: dict[str, float] = Field(default_factory=dict)
    labels: dict[str, float] = Field(default_factory=dict)
    artists: list[str] = Field(default_factory=list, description="artists the user wants more of")
    filters: Filters = Field(default_factory=Filters)
    cues: list[str] = Field(default_factory=list)
    confidence: float = 0.0


class ChatReply(BaseModel):
    """What :meth:`core.engine.Engine.chat` returns for one user message, for any adapter to render.

    ``text`` always reads on its own; the optional fields let an adapter render more (tables, buttons, files).
    ``playlist`` / ``playlists`` hold :mod:`core.playlists` models (typed ``Any`` here because
    :mod:`core.playlists` imports this module).
    """

    text: str
    recommendation: Recommendation | None = None
    clarification: NeedsClarification | None = None
    track: Track | None = None
    fallback_used: bool = False
    playlist: Any = Field(default=None, description="core.playlists.PlaylistPage: the playlist page shown, if any")
    playlists: list[Any] = Field(default_factory=list, description="core.playlists.Playlist items (a playlist list)")
    export_text: str | None = Field(default=None, description="a playlist export: one Spotify link per line")
    preview_url: str | None = Field(default=None, description="an audio preview of ``track`` (/preview), if found")

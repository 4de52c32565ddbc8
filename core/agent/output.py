"""What the agent may answer: a flat :class:`AgentReply` or a :class:`Clarification` — nothing else.

Rules that make these safe for every provider:

* no ``dict`` fields (Gemini rejects JSON-schema ``additionalProperties``) — target features are one optional field
  each, filters are flat fields;
* ranges are described in the field text and *clamped* by validators (Anthropic and local models don't honour
  ``minimum``/``maximum``): 0–1 features, tempo 40–220 BPM, loudness −60–0 dB, years 1900–2100;
* free text is bounded (reply 2,000 characters, reasons 300, at most 50 tracks) by truncation, not rejection.

Whether the track ids exist is checked by the agent's output validator (a fixable mistake -> ``ModelRetry``).
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field, field_validator, model_validator

from core.limits import MAX_TRACKS as LIMIT_MAX_TRACKS
from core.models import DeferredModel, Filters, NeedsClarification

UNIT_TARGETS = ("energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness", "liveness")
TEMPO_RANGE = (40.0, 220.0)
LOUDNESS_RANGE = (-60.0, 0.0)
YEAR_RANGE = (1900, 2100)
MAX_REPLY = 2000
MAX_REASON = 300
MAX_TRACKS = LIMIT_MAX_TRACKS  # core.limits: the one maximum


def clamp(value: Any, lo: float, hi: float) -> float | None:
    """``value`` as a float clamped to ``[lo, hi]``; None stays None, NaN becomes None."""
    if value is None:
        return None
    v = float(value)
    if math.isnan(v):
        return None
    return min(max(v, lo), hi)


def clamp_year(value: Any) -> int | None:
    """A year clamped to 1900–2100 (None stays None)."""
    v = clamp(value, *YEAR_RANGE)
    return None if v is None else int(round(v))


def _text(value: Any, limit: int) -> str:
    text = " ".join(str(value or "").split()) if limit <= MAX_REASON else str(value or "").strip()
    return text[:limit]


class TrackPick(DeferredModel):
    """One recommended track: its catalog id and why it was picked."""

    track_id: str = Field(description="track_id exactly as returned by a tool (22 letters/digits)")
    reason: str = Field(default="", description="short reason for this pick, max 300 characters")

    @field_validator("track_id", mode="before")
    @classmethod
    def _strip_id(cls, v: Any) -> str:
        return str(v or "").strip()[:64]

    @field_validator("reason", mode="before")
    @classmethod
    def _short_reason(cls, v: Any) -> str:
        return _text(v, MAX_REASON)


class AgentReply(DeferredModel):
    """The final answer: a reply, the tracks recommended (in order) and the targets/filters used.

    Leave a feature ``null`` when it played no part. Feature ranges: 0–1 for energy, valence (mood), danceability,
    acousticness, instrumentalness, speechiness, liveness; tempo 40–220 BPM; loudness −60–0 dB.
    """

    reply: str = Field(description="the message to the user, plain text, max 2000 characters")
    tracks: list[TrackPick] = Field(default_factory=list, description="recommended tracks in order (max 50)")
    energy: float | None = Field(default=None, description="target energy used, 0–1")
    valence: float | None = Field(default=None, description="target valence (positiveness), 0–1")
    danceability: float | None = Field(default=None, description="target danceability, 0–1")
    acousticness: float | None = Field(default=None, description="target acousticness, 0–1")
    instrumentalness: float | None = Field(default=None, description="target instrumentalness, 0–1")
    speechiness: float | None = Field(default=None, description="target speechiness, 0–1")
    liveness: float | None = Field(default=None, description="target liveness, 0–1")
    tempo: float | None = Field(default=None, description="target tempo in BPM, 40–220")
    loudness: float | None = Field(default=None, description="target loudness in dB, -60 to 0")
    genres: list[str] = Field(default_factory=list, description="genre filters used")
    exclude_artists: list[str] = Field(default_factory=list, description="artists left out")
    year_min: int | None = Field(default=None, description="earliest release year used, 1900–2100")
    year_max: int | None = Field(default=None, description="latest release year used, 1900–2100")

    @field_validator("reply", mode="before")
    @classmethod
    def _bound_reply(cls, v: Any) -> str:
        return _text(v, MAX_REPLY)

    @field_validator(*UNIT_TARGETS, mode="after")
    @classmethod
    def _unit(cls, v: float | None) -> float | None:
        return clamp(v, 0.0, 1.0)

    @field_validator("tempo", mode="after")
    @classmethod
    def _tempo(cls, v: float | None) -> float | None:
        return clamp(v, *TEMPO_RANGE)

    @field_validator("loudness", mode="after")
    @classmethod
    def _loudness(cls, v: float | None) -> float | None:
        return clamp(v, *LOUDNESS_RANGE)

    @field_validator("year_min", "year_max", mode="before")
    @classmethod
    def _year(cls, v: Any) -> int | None:
        return clamp_year(v)

    @field_validator("genres", "exclude_artists", mode="after")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        return [_text(s, 100) for s in v if str(s).strip()][:20]

    @model_validator(mode="after")
    def _consistent(self) -> AgentReply:
        seen: set[str] = set()
        picks = []
        for p in self.tracks:
            if p.track_id and p.track_id not in seen:
                seen.add(p.track_id)
                picks.append(p)
        self.tracks = picks[:MAX_TRACKS]
        if self.year_min is not None and self.year_max is not None and self.year_min > self.year_max:
            self.year_min, self.year_max = self.year_max, self.year_min
        return self

    def target(self) -> dict[str, float]:
        """The target features that are set, as a plain mapping (for :class:`core.models.Recommendation`)."""
        names = (*UNIT_TARGETS, "tempo", "loudness")
        return {n: float(getattr(self, n)) for n in names if getattr(self, n) is not None}

    def filters(self, limit: int = 10) -> Filters:
        """The filters that are set, as :class:`core.models.Filters`."""
        return Filters(
            genres=list(self.genres),
            exclude_artists=list(self.exclude_artists),
            year_min=self.year_min,
            year_max=self.year_max,
            limit=min(max(limit, 1), 50),
        )


class Clarification(DeferredModel):
    """Ask the user a question instead of answering (the request was unclear)."""

    question: str = Field(description="one short question, max 500 characters")
    suggestions: list[str] = Field(default_factory=list, description="up to 5 example requests")

    @field_validator("question", mode="before")
    @classmethod
    def _bound(cls, v: Any) -> str:
        return _text(v, 500) or "Could you tell me a bit more about what you'd like to hear?"

    @field_validator("suggestions", mode="after")
    @classmethod
    def _few(cls, v: list[str]) -> list[str]:
        return [_text(s, 100) for s in v if str(s).strip()][:5]

    def to_model(self) -> NeedsClarification:
        """As the engine's :class:`core.models.NeedsClarification`."""
        return NeedsClarification(question=self.question, suggestions=self.suggestions)

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

from core.limits import DEFAULT_TRACKS, MAX_TRACKS

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


class DeferredModel(BaseModel):
    """Base of the models only some paths validate — playlists, feedback, previews, the agent's tool results and
    outputs: pydantic builds each one's validator and serializer on its first use (``defer_build``), not at import,
    so a one-shot ``/recommend`` does not pay for the ~25 models it never touches. Behaviour is otherwise that of
    :class:`pydantic.BaseModel`."""

    model_config = ConfigDict(defer_build=True)


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
    """One catalog track with its metadata, audio features and every label it carries.

    Audio features are None when the source did not give them (e.g. a recent Exportify export): such a track can be
    searched, shown, linked and put in playlists, but is never ranked by audio-feature distance
    (see :attr:`has_features`).
    """

    model_config = ConfigDict(frozen=True)  # shared: core.table.TrackTable.track keeps one per position

    danceability: float | None = Field(default=None, ge=0, le=1)
    energy: float | None = Field(default=None, ge=0, le=1)
    key: int | None = Field(default=None, ge=-1, le=11)
    loudness: float | None = Field(default=None, ge=-60, le=5, description="dB")
    mode: int | None = Field(default=None, ge=0, le=1)
    speechiness: float | None = Field(default=None, ge=0, le=1)
    acousticness: float | None = Field(default=None, ge=0, le=1)
    instrumentalness: float | None = Field(default=None, ge=0, le=1)
    liveness: float | None = Field(default=None, ge=0, le=1)
    valence: float | None = Field(default=None, ge=0, le=1)
    tempo: float | None = Field(default=None, ge=0, le=250, description="BPM")
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
    first_release_year: int | None = Field(
        default=None, ge=1000, le=2100,
        description="earliest year among this song's versions whose own date is a release's, not a compilation's "
        "or re-release's (core.table.TrackTable.first_release_year); None when no version's date can be trusted",
    )
    popularity: int = Field(default=0, ge=0, le=100)
    duration_ms: int = Field(default=0, ge=0, le=100_000_000)
    genres: list[str] = Field(default_factory=list)
    subgenres: list[str] = Field(default_factory=list)
    playlists: list[str] = Field(default_factory=list)
    display_genre: str = Field(
        default="", max_length=200,
        description="the track's own style as shown to a listener (core.genres.display_genre: its artist's most "
        "carried subgenre, else genre, else the style model's top genre); genres / subgenres stay the raw labels",
    )

    @property
    def shown_year(self) -> int | None:
        """The year shown next to the track, e.g. ``1981`` in ``"(1981, hard rock)"``: :attr:`year` when it is the
        song's own; when it is only an album date, the first release (:attr:`first_release_year`) if an earlier one
        is known, else None — a 2008 compilation's date is never shown as a 1977 song's year. Every adapter uses this;
        the track card still shows the album's release date, labelled as such."""
        if not self.year_is_album_date:
            return self.year
        first = self.first_release_year
        return first if first and (self.year is None or first < self.year) else None

    @property
    def shown_genre(self) -> str:
        """The style shown next to the track, e.g. ``"(1982, synth pop)"``: :attr:`display_genre`, or for a track
        built without a catalog table the first subgenre / genre label ("" when none). Every adapter uses this."""
        return self.display_genre or (self.subgenres or self.genres or [""])[0]

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

    @property
    def has_features(self) -> bool:
        """True when all eleven audio features are known."""
        return all(getattr(self, f) is not None for f in AUDIO_FEATURES)

    @property
    def missing_features(self) -> list[str]:
        """Names of the audio features this track has no value for (empty for a complete track)."""
        return [f for f in AUDIO_FEATURES if getattr(self, f) is None]

    def features(self) -> AudioFeatures:
        """Return just the audio features of this track.

        Raises:
            pydantic.ValidationError: some feature is unknown (check :attr:`has_features` first).
        """
        return AudioFeatures.model_validate(self.model_dump(include=set(AUDIO_FEATURES)))


class Filters(BaseModel):
    """Constraints every recommendation path accepts; all optional. Years are inclusive, tempo in BPM."""

    genres: list[str] = Field(default_factory=list, description="keep tracks carrying any of these genre/subgenre labels")
    exclude_artists: list[str] = Field(default_factory=list)
    year_min: int | None = None
    year_max: int | None = None
    tempo_min: float | None = None
    tempo_max: float | None = None
    limit: int = Field(default=DEFAULT_TRACKS, ge=1, le=MAX_TRACKS)

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
    to tracks the user liked), ``search`` (full-text match), ``sound`` / ``request`` (no more specific fact),
    ``no_features`` (the references have no audio features: the pick rests on artist, labels and era only),
    ``anchor_feature`` (a feature a "like X but slower" request moved: the track's ``value``, ``target`` = X's mean,
    ``label`` = X's name or "seed"), ``evidence`` (a closest alternative for a style the catalog lacks: ``feature``
    = which of the track's texts names it — title, album, artist, playlist (``label`` = the playlist's name) — or
    labels (close by its labels); ``label`` = the style), ``popular`` (a request that names an era and nothing else
    ranks by popularity: ``value`` = the track's Spotify popularity, 0–100). ``low`` / ``high``: for ``asked_feature``, the bounds the
    request stated in numbers (``TextQuery.ranges``, raw units, None = open: "over 125 BPM" is ``low=125``); the
    reason then shows the bound as asked, never the ranker's point ``target`` inside it.
    """

    model_config = ConfigDict(frozen=True)  # shared: core.reason_format.to_reason keeps one per fact

    kind: Literal[
        "no_features",
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
        "anchor_feature",
        "evidence",
        "popular",
    ]
    feature: str = ""
    value: float | None = None
    target: float | None = None
    label: str = ""
    low: float | None = None
    high: float | None = None


class RecommendedTrack(BaseModel):
    """A track in a reply, with its 0–1 relevance score, the reasons as data and their plain rendering.

    ``reason`` is :func:`core.explain.format_reasons` of ``reasons`` (or free text, e.g. from an LLM); adapters
    show :func:`core.explain.reason_text`.
    """

    track: Track
    score: float
    reason: str
    reasons: list[Reason] = Field(default_factory=list)


class CountCap(BaseModel):
    """A count asked for in text that was over :data:`core.limits.MAX_TRACKS`: ``requested`` (as asked) and
    ``limit`` (what is sent). Adapters render :meth:`note` with their own way to get the next page."""

    requested: int
    limit: int

    def note(self, more: str | None = None, lang: str = "en", how: str = "say more") -> str:
        """``"You asked for 100; I send at most 50 at a time — say “more” for the next page."``, in ``lang`` (the
        reply's language, :data:`core.reply_words.REPLY_WORDS`). ``how``: the key of the way to get the next page
        (``"say more"``, ``"type more"``, ``"press next"``, ``"send or press"``); ``more`` (English only): those words
        given as they are."""
        from core.reply_words import say

        return say("count cap", lang, requested=self.requested, limit=self.limit,
                   more=more if more is not None else say(how, lang))


class CoverageNote(BaseModel):
    """What the loaded catalog lacks for a request, computed from the catalog itself (:mod:`core.coverage`).

    ``kind``: ``"missing"`` (no track carries the style), ``"sparse"`` (a few do), ``"unlabelled"`` (the catalog has
    no style labels at all, so the style cannot be checked), ``"missing_artist"`` (no artist of that name),
    ``"no_match"`` (a search nothing matched: no title, artist or album of that name), ``"closest_match"`` (a search
    nothing matched exactly, answered by its closest names: ``alternative`` is the name matched, "The Beatles" for
    "beatels"),
    ``"era"`` (no track in the requested years), ``"no_data"`` (an attribute the catalog has no data on, e.g.
    singer's gender), ``"playlists_only"`` (no genre / subgenre label names the style, only playlist titles do:
    ``playlists`` lists them, ``found_count`` their tracks). ``requested`` is the user's word ("country"), ``found_count`` the number of catalog tracks that
    carry it (for ``"missing"``: the untagged tracks whose title, album, artist or playlist names it), ``alternative``
    what the reply offers instead ("acoustic, mellow tracks"), empty when nothing is; ``closest`` / ``playlists``
    the evidence a missing style has (see :class:`core.coverage.StyleEvidence`).
    Adapters put :func:`core.coverage.coverage_line` of the first note on the first line of the reply.
    """

    requested: str
    kind: Literal["missing", "sparse", "unlabelled", "missing_artist", "no_match", "closest_match", "era", "no_data",
                  "playlists_only"]
    asked: str = Field(default="", description="the user's own words for ``requested`` when they differ "
                       "(\"old school hip hop\" for the style boom bap): the first line says those")
    found_count: int = 0
    alternative: str = ""
    closest: str = Field(default="", description="for a missing style: the catalog label its look-alikes carry most "
                         "(\"tropical\" for salsa), from the loaded catalog; empty when there is no such evidence")
    playlists: list[str] = Field(default_factory=list, description="playlist names that name the missing style "
                                 "(only names: their tracks are not tagged with it)")
    scene: list[str] = Field(default_factory=list, description="for a missing style: playlists that hold it by "
                             "their artists' script (core.style_scripts: \"K-Party Dance Mix\" for k-pop)")
    family: str = Field(default="", description="for a missing style whose ``closest`` is the label of its family "
                        "(boom bap -> hip hop), that family; empty otherwise")
    via: str = Field(default="", description="for a missing / sparse style asked together with a resolved anchor "
                     "(“k-pop like BTS”): the anchor's name, whose tracks answer the style")
    lang: str = Field(default="en", description="language the line is worded in (the request's: en, es, pt, fr, de; "
                      "core.text.wording words es/pt/fr/de)")


class AnchorInfo(BaseModel):
    """The seed of an anchored request ("like Drake but newer"): who or what, and the modifiers applied around it."""

    kind: Literal["artist", "track"]
    name: str = Field(description="the artist's display name or 'Title - Artist'")
    seed_ids: list[str] = Field(default_factory=list, description="track ids the similarity engine started from")
    modifiers: list[str] = Field(default_factory=list, description="modifiers understood, e.g. 'newer → 2017+'")


class Conflict(BaseModel):
    """Two parts of one request that pull opposite ways on one axis (:mod:`core.conflicts`).

    ``axis``: mood / energy / tempo / sound / loudness / era; ``sides``: the two words as written (low end first);
    ``kept``: the side the answer leans to ("" = a middle ground); ``ask``: the follow-up word for the other side.
    """

    axis: str
    sides: list[str]
    kept: str = ""
    ask: str = ""


class Recommendation(BaseModel):
    """Result of any recommendation path: the tracks plus what was asked for (for follow-ups and display).

    ``capped`` is set when the request asked for more tracks than :data:`core.limits.MAX_TRACKS` (say so first).
    ``coverage`` lists what the catalog lacks for the request (first note first); when non-empty the tracks are an
    alternative, not a match. ``anchor`` is set when a free-text request was anchored on an artist or song;
    ``conflicts`` names parts of the request that contradict each other (the summary starts with them).
    """

    kind: Literal["text", "similar", "search", "playlist"] = "text"
    query: str = ""
    tracks: list[RecommendedTrack] = Field(default_factory=list)
    target: dict[str, float] = Field(default_factory=dict, description="target audio features used, if any")
    filters: Filters = Field(default_factory=Filters)
    summary: str = ""
    capped: CountCap | None = None
    coverage: list[CoverageNote] = Field(default_factory=list)
    anchor: AnchorInfo | None = None
    conflicts: list[Conflict] = Field(default_factory=list, description="contradictions named in the request")
    notes: list[str] = Field(
        default_factory=list,
        description="what the reply must say first: a reference resolved to another track than the one asked for "
        "(another artist's song, a fuzzy match), references not in the catalog; also prepended to ``summary``",
    )
    ranges: dict[str, list[float | None]] = Field(
        default_factory=dict,
        description="hard bounds the request stated in numbers (``TextQuery.ranges``: feature -> [low, high], raw "
        "units, None = open), e.g. for a chart of the set against what was asked",
    )
    lang: str = Field(
        default="en",
        description="the reply's language (en, es, pt, fr, de): ``summary`` and each ``RecommendedTrack.reason`` are "
        "worded in it; adapters word ``reasons`` in it too (core.explain.reason_text)",
    )


class NeedsClarification(BaseModel):
    """Returned instead of tracks when a request could not be understood."""

    question: str
    suggestions: list[str] = Field(default_factory=list)


class TextNote(BaseModel):
    """Something the reply must say about how a request was read, as data (adapters word or show ``text``).

    ``kind``: ``clamped`` (a number outside the feature's range was clamped), ``no_data`` (the catalog has no data on
    the attribute asked for: singer's gender, instruments, lyrics language…), ``conflict`` (two wishes contradict;
    ``used`` says which one won), ``language`` (the request's language). ``subject`` is the feature / attribute / pair
    concerned, ``asked`` what the user wrote, ``used`` what was done instead; ``text`` is one short sentence in the
    request's language when :mod:`core.text` has the wording for it, else English.
    """

    kind: Literal["clamped", "no_data", "conflict", "language"]
    subject: str
    asked: str = ""
    used: str = ""
    text: str


class TextQuery(BaseModel):
    """What a free-text request means, as produced by :mod:`core.text` (local) or an LLM agent.

    ``target`` holds target audio features in their own units (0–1, tempo BPM, loudness dB, mode 0/1) and
    ``weights`` how much each target matters (0–1; absent = 0). ``labels`` maps catalog label texts
    (``"subgenre:lo-fi"``-style keys ``kind:label``) to a preference weight in −1..1 (negative = avoid).
    ``cues`` lists the phrases understood, for the reply's reason ("chill → low energy"); the texts of ``notes``
    come first. ``ranges`` holds hard bounds the request stated in numbers (``{"valence": [None, 0.2],
    "duration_ms": [None, 150000]}``; raw units, None = open), for a ranker to apply as a filter. ``lang`` is the
    request's language (``en``, ``es``, ``pt``, ``fr``, ``de``) so replies can be worded in it.
    """

    text: str = ""
    target: dict[str, float] = Field(default_factory=dict)
    weights: dict[str, float] = Field(default_factory=dict)
    labels: dict[str, float] = Field(default_factory=dict)
    artists: list[str] = Field(default_factory=list, description="artists the user wants more of")
    filters: Filters = Field(default_factory=Filters)
    cues: list[str] = Field(default_factory=list)
    confidence: float = 0.0
    requested_count: int | None = Field(default=None, description="a count asked for in the text, before capping")
    notes: list[TextNote] = Field(default_factory=list)
    ranges: dict[str, list[float | None]] = Field(default_factory=dict)
    lang: str = "en"
    styles: dict[str, float] = Field(
        default_factory=dict,
        description="on a catalog without labels: styles of the shipped catalog ('genre:rock', 'subgenre:trap') the "
        "request names, weight -1..1 (negative = avoid), ranked by the style model (core.text.styles)")
    title_language: str = Field(
        default="", description="a language the request names that no catalog label names (ISO 639-1: 'fr', 'pt'): "
        "tracks whose song titles — or whose artist's titles — are in it rank first (core.text.title_language); "
        "empty = none")
    language: str = Field(
        default="", description="a language the request names or implies (ISO 639-1), whether the catalog's labels "
        "(``language_labels``) or song titles (``title_language``) answer it: the reply counts the tracks in it")
    language_labels: list[str] = Field(
        default_factory=list, description="label keys (``kind:label``) naming ``language`` that rank for it")
    title_language_weight: float = Field(
        default=1.0, ge=0.0, le=1.0, description="how strongly ``title_language`` ranks (1 = every track in the "
        "language first; less when the language is only implied by a style: samba -> Portuguese)")


class ChatReply(BaseModel):
    """What :meth:`core.chat.ChatService.chat` returns for one user message, for any adapter to render.

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
    lang: str = Field(default="en", description="the language the reply is worded in (core.reply_language: en, es, "
                      "pt, fr, de); adapters word their labels around it in the same (core.reply_words)")
    chart: bytes | None = Field(
        default=None,
        exclude=True,
        description="a PNG picture (/chart, :mod:`core.charts`) of ``track`` or of ``recommendation`` against what was "
        "asked; None when nothing was drawn (``text`` then says why and the adapter shows the data as text)",
    )

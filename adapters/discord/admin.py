"""Admin slash commands: /addsong (a form), /editsong, /delsong (with a confirmation).

Admins are the user ids in ``DISCORD_ADMIN_IDS`` only (:mod:`core.policy`): Manage Server, Administrator or owning a
server never make a catalog admin, since anyone can create a server and invite the bot. The check runs inside each
command (``default_permissions`` only hides the commands from most members) and the engine checks the
:class:`~core.models.Caller` role again on every mutation.

A modal holds at most 5 text inputs, so the form is: track id/link, title, artists, "album | release date", and one
``field=value`` box for the eleven audio features and labels (parsed by
:func:`core.fields.parse_fields`, the parser every surface uses).
"""

from __future__ import annotations

import re
import shlex
from typing import Any, Optional

import discord
from discord import app_commands
from discord.ext import commands

from core import policy
from core.commands import summary
from core.error_words import invalid
from core.errors import InvalidInput
from core.fields import ALL_FIELDS, parse_fields
from core.models import AUDIO_FEATURES, Caller, Track
from core.reply_words import say

from adapters.discord.render import NONE_PING, clip, md, one_line, track_embed
from adapters.discord.replies import caller_of, channel_lang, context, defer, handle_error, send
from adapters.discord.transformers import FieldChanges, SongRef

_TRACK_REF = re.compile(
    r"^(?:https?://open\.spotify\.com/(?:intl-[a-z-]+/)?track/|spotify:track:)?([0-9A-Za-z]{22})(?:[?#].*)?$"
)
#: Fields the free-form box of the forms may set (id, title and artists have their own inputs).
FORM_FIELDS = ALL_FIELDS - {"track_id", "title", "artists"}
FEATURE_TEMPLATE = " ".join(f"{f}=" for f in AUDIO_FEATURES) + " genres="


def require_admin(interaction: discord.Interaction, command: str) -> Caller:
    """The caller when the registry's permission for ``command`` allows them (:func:`core.policy.require_command`).

    Raises:
        PermissionDenied: not an admin (the engine would refuse too).
    """
    return policy.require_command(caller_of(interaction), command)


def track_id_from(text: str) -> str:
    """A Spotify track id from an id, open.spotify.com link or ``spotify:track:`` URI.

    Raises:
        InvalidInput: not one of those.
    """
    m = _TRACK_REF.match(one_line(text))
    if not m:
        exc = invalid("dc track id", "track_id")
        exc.allowed = "22 chars"
        raise exc
    return m.group(1)


def album_and_date(text: str) -> dict[str, Any]:
    """``"After Hours | 2020-03-20"`` -> album + release_date (+ year); a lone date or year is a release date."""
    text = one_line(text)
    if not text:
        return {}
    album, sep, date = text.rpartition("|")
    if not sep:
        album, date = ("", text) if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text) else (text, "")
    out: dict[str, Any] = {}
    if album.strip():
        out["album"] = album.strip()
    date = date.strip()
    if date:
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date):
            raise invalid("dc release date", "release_date")
        out["release_date"] = date
        out["year"] = int(date[:4])
    return out


def artist_list(text: str) -> list[str]:
    """``"Daft Punk, Pharrell Williams"`` -> two artists (commas or semicolons)."""
    return [a.strip() for a in re.split(r"[;,]", one_line(text)) if a.strip()]


def features_line(track: Track) -> str:
    """The form's ``field=value`` box for an existing track (round-trips through :func:`parse_fields`)."""
    parts = [f"{f}={getattr(track, f)!r}" for f in AUDIO_FEATURES if getattr(track, f) is not None]
    parts.append(f"popularity={track.popularity}")
    for name in ("genres", "subgenres"):
        values = getattr(track, name)
        if values:
            parts.append(f"{name}={shlex.quote(','.join(values))}")
    return " ".join(parts)


class SongForm(discord.ui.Modal):
    """Shared inputs and error handling of the add / edit forms."""

    song_title: discord.ui.TextInput[Any]
    artists: discord.ui.TextInput[Any]
    album: discord.ui.TextInput[Any]
    fields: discord.ui.TextInput[Any]

    def _add_common(self, track: Track | None) -> None:
        self.song_title = discord.ui.TextInput(
            label="Title", max_length=300, default=track.title[:300] if track else None
        )
        self.artists = discord.ui.TextInput(
            label="Artists (separate with commas)",
            max_length=300,
            default=", ".join(track.artists)[:300] if track else None,
        )
        album_default = " | ".join(x for x in (track.album, track.release_date) if x)[:400] if track else None
        self.album = discord.ui.TextInput(
            label="Album | release date (optional)",
            required=False,
            max_length=400,
            placeholder="After Hours | 2020-03-20",
            default=album_default or None,
        )
        self.fields = discord.ui.TextInput(
            label="Audio features (0–1, tempo BPM, loudness dB)",
            style=discord.TextStyle.paragraph,
            max_length=2000,
            placeholder="danceability=0.51 energy=0.73 key=1 loudness=-5.9 mode=1 … tempo=171 genres=pop",
            default=(features_line(track) if track else FEATURE_TEMPLATE)[:2000],
        )
        for item in (self.song_title, self.artists, self.album, self.fields):
            self.add_item(item)

    def form_data(self) -> dict[str, Any]:
        """Everything the form says, parsed (ranges checked here, again in the engine).

        Raises:
            InvalidInput: a field could not be parsed.
        """
        data: dict[str, Any] = parse_fields(self.fields.value, allowed=FORM_FIELDS) if self.fields.value.strip() else {}
        data.update(album_and_date(self.album.value))
        data["title"] = one_line(self.song_title.value)
        data["artists"] = artist_list(self.artists.value)
        if not data["title"] or not data["artists"]:
            raise InvalidInput("A song needs a title and at least one artist.", "title")
        return data

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await handle_error(interaction, error)


class AddSongModal(SongForm, title="Add a song"):
    """The /addsong form."""

    def __init__(self) -> None:
        super().__init__(timeout=900)
        self.track = discord.ui.TextInput(
            label="Spotify track id or link",
            min_length=22,
            max_length=200,
            placeholder="https://open.spotify.com/track/… or the 22-character id",
        )
        self.add_item(self.track)
        self._add_common(None)

    async def on_submit(self, interaction: discord.Interaction, /) -> None:  # type: ignore[override]
        caller = require_admin(interaction, "addsong")
        data = {"track_id": track_id_from(self.track.value), **self.form_data()}
        missing = [f for f in AUDIO_FEATURES if f not in data]
        if missing:
            raise invalid("f missing", missing[0], ranges=", ".join(missing))
        await defer(interaction, ephemeral=True)
        track = await context(interaction).services.admin.add_song(caller, data)
        lang = await channel_lang(interaction)
        await send(interaction, content=say("dc admin added", lang), embeds=[track_embed(track, lang=lang)], ephemeral=True)


class EditSongModal(SongForm, title="Edit a song"):
    """The /editsong form, pre-filled with the track's current values."""

    def __init__(self, track: Track) -> None:
        super().__init__(timeout=900)
        self.original = track
        self._add_common(track)

    def changes(self) -> dict[str, Any]:
        """Only the fields whose value differs from the current track.

        Raises:
            InvalidInput: nothing changed, or a field could not be parsed.
        """
        current = self.original.model_dump()
        data = self.form_data()
        if not one_line(self.album.value):  # an emptied box clears album and date
            data.update(album="", release_date="")
        changes = {k: v for k, v in data.items() if current.get(k) != v}
        if not changes:
            raise invalid("dc nothing changed admin")
        return changes

    async def on_submit(self, interaction: discord.Interaction, /) -> None:  # type: ignore[override]
        caller = require_admin(interaction, "editsong")
        changes = self.changes()
        await defer(interaction, ephemeral=True)
        track = await context(interaction).services.admin.edit_song(caller, self.original.track_id, changes)
        lang = await channel_lang(interaction)
        await send(interaction, content=say("dc admin updated", lang, fields=", ".join(sorted(changes))),
                   embeds=[track_embed(track, lang=lang)], ephemeral=True)


class ConfirmDelete(discord.ui.View):
    """An ephemeral "Delete / Cancel" prompt for /delsong; only the admin who asked can answer."""

    def __init__(self, track: Track, requester_id: int, lang: str = "en") -> None:
        super().__init__(timeout=120)
        self.track = track
        self.requester_id = requester_id
        self.lang = lang
        self.confirm.label, self.cancel.label = say("delete", lang), say("cancel", lang)

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:  # type: ignore[override]
        return interaction.user.id == self.requester_id

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /) -> None:  # type: ignore[override]
        await handle_error(interaction, error)

    @discord.ui.button(label="Delete", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        caller = require_admin(interaction, "delsong")
        track = await context(interaction).services.admin.delete_song(caller, self.track.track_id)
        self.stop()
        text = say("dc admin deleted", self.lang, song=f"**{md(track.title, 300)}** — {md(track.artist, 200)}")
        await interaction.response.edit_message(content=text, view=None, allowed_mentions=NONE_PING)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content=say("dc kept", self.lang), view=None, allowed_mentions=NONE_PING)


class AdminCog(commands.Cog):
    """Catalog maintenance for admins."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="addsong", description=summary("addsong"))
    @app_commands.default_permissions(manage_guild=True)
    async def addsong(self, interaction: discord.Interaction) -> None:
        require_admin(interaction, "addsong")
        await interaction.response.send_modal(AddSongModal())

    @app_commands.command(name="editsong", description=summary("editsong"))
    @app_commands.describe(
        ref="The track to change (autocompletes)",
        changes="Optional field=value pairs, e.g. energy=0.8 tempo=120 genres=pop; without them a form opens",
    )
    @app_commands.default_permissions(manage_guild=True)
    async def editsong(
        self,
        interaction: discord.Interaction,
        ref: app_commands.Transform[str, SongRef],
        changes: Optional[app_commands.Transform[dict[str, Any], FieldChanges]] = None,
    ) -> None:
        caller = require_admin(interaction, "editsong")
        services = context(interaction).services
        if not changes:
            await interaction.response.send_modal(EditSongModal(await services.tracks.get_track(ref)))
            return
        await defer(interaction, ephemeral=True)
        track = await services.admin.edit_song(caller, ref, changes)
        lang = await channel_lang(interaction)
        await send(interaction, content=say("dc admin updated", lang, fields=", ".join(sorted(changes))),
                   embeds=[track_embed(track, lang=lang)], ephemeral=True)

    @app_commands.command(name="delsong", description=summary("delsong"))
    @app_commands.describe(ref="The track to delete (autocompletes)")
    @app_commands.default_permissions(manage_guild=True)
    async def delsong(self, interaction: discord.Interaction, ref: app_commands.Transform[str, SongRef]) -> None:
        require_admin(interaction, "delsong")
        track = await context(interaction).services.tracks.get_track(ref)
        lang = await channel_lang(interaction)
        prompt = say("dc admin delete ask", lang, song=f"**{md(track.title, 300)}** — {md(track.artist, 200)}")
        await send(
            interaction,
            content=clip(prompt, 2000),
            embeds=[track_embed(track, lang=lang)],
            view=ConfirmDelete(track, interaction.user.id, lang),
            ephemeral=True,
        )

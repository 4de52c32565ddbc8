"""The agent's tool list: the one place that decides which tools the agent has and how each is offered.

Each tool takes ``RunContext[AgentDeps]`` first; its docstring's ``Args:`` become the tool schema. By domain:

* :mod:`core.agent.tools_catalog` — read tools, offered to everyone: search, get one track, recommend (text and/or
  target features + filters), recommend similar, refine the last recommendation, more of the same, explain a track;
* :mod:`core.agent.tools_playlists` — group playlist tools (issue 6, offered to everyone, permissions checked by the
  playlist service from deps — caller, ``group_id``, ``group_admin`` — never from arguments): list, create, add,
  remove, show, rename, delete, recommend from, export; plus like / dislike / preview;
* :mod:`core.agent.tools_admin` — add / edit / delete a track: not offered to non-admins (``prepare=admin_only``)
  *and* re-checked by the engine, which raises ``PermissionDenied`` for anyone else whatever the model was told.

Tools never raise for user mistakes: they return a :class:`~core.agent.deps.ToolFailure` the model can relay
(:mod:`core.agent.tools_common`). Track references accept ids, Spotify links, "title - artist" and ``#3`` (item 3 of
the last list shown). The tool functions are importable from here too (``tools.create_playlist``).

Importing this module does not import ``pydantic_ai`` (the tool modules name ``RunContext`` for type checkers only):
:mod:`core.agent.direct` runs the same tool functions without the agent framework. :func:`build_tools` imports it and
binds the annotation names the agent resolves when it reads the tools' signatures.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from core.agent.deps import AgentDeps
from core.agent.tools_admin import add_track, admin_only, delete_track, edit_track
from core.agent.tools_catalog import (
    explain_track,
    get_track,
    more_recommendations,
    recommend,
    recommend_similar,
    refine_recommendations,
    search_tracks,
)
from core.agent.tools_playlists import (
    add_to_playlist,
    create_playlist,
    delete_playlist,
    dislike_track,
    export_playlist,
    like_track,
    list_playlists,
    preview_track,
    recommend_from_playlist,
    remove_from_playlist,
    rename_playlist,
    show_playlist,
)

READ_TOOLS = (
    search_tracks,
    get_track,
    recommend,
    recommend_similar,
    refine_recommendations,
    more_recommendations,
    explain_track,
)
PLAYLIST_TOOLS = (
    list_playlists,
    create_playlist,
    add_to_playlist,
    remove_from_playlist,
    show_playlist,
    rename_playlist,
    delete_playlist,
    recommend_from_playlist,
    export_playlist,
    like_track,
    dislike_track,
    preview_track,
)
ADMIN_TOOLS = (add_track, edit_track, delete_track)


if TYPE_CHECKING:
    from pydantic_ai import Tool


def _bind_annotations() -> None:
    """Give the tool modules the ``RunContext`` / ``ToolDefinition`` names their annotations use (imported there for
    type checkers only), so the agent can resolve the signatures (``typing.get_type_hints``)."""
    from pydantic_ai import RunContext
    from pydantic_ai.tools import ToolDefinition

    for fn in (*READ_TOOLS, *PLAYLIST_TOOLS, *ADMIN_TOOLS, admin_only):
        module = vars(sys.modules[fn.__module__])
        module.setdefault("RunContext", RunContext)
        module.setdefault("ToolDefinition", ToolDefinition)


def build_tools() -> list[Tool[AgentDeps]]:
    """Every tool, admin ones wrapped with ``prepare=admin_only``. Playlist tools are offered to everyone (the
    playlist service checks creator / group admin / bot admin on every change) and run one at a time, in order."""
    from pydantic_ai import Tool

    _bind_annotations()
    tools: list[Tool[AgentDeps]] = [Tool(fn, takes_ctx=True, docstring_format="google") for fn in READ_TOOLS]
    # sequential: "create X" then "add to X" (or "add" then "show") in one model response run in the order emitted
    tools += [Tool(fn, takes_ctx=True, docstring_format="google", sequential=True) for fn in PLAYLIST_TOOLS]
    tools += [Tool(fn, takes_ctx=True, docstring_format="google", prepare=admin_only) for fn in ADMIN_TOOLS]
    return tools


TOOL_NAMES = frozenset(fn.__name__ for fn in (*READ_TOOLS, *PLAYLIST_TOOLS, *ADMIN_TOOLS))
#: Tools only admins are offered (a non-admin whose turn involved one gets a plain refusal).
ADMIN_TOOL_NAMES = frozenset(fn.__name__ for fn in ADMIN_TOOLS)
#: Tool functions by name (what :mod:`core.agent.direct` calls).
TOOL_FUNCTIONS = {fn.__name__: fn for fn in (*READ_TOOLS, *PLAYLIST_TOOLS, *ADMIN_TOOLS)}
#: Tools that change group playlists or the user's feedback (a turn that ran one is never replayed).
CHANGE_TOOL_NAMES = frozenset(
    {"create_playlist", "add_to_playlist", "remove_from_playlist", "rename_playlist", "delete_playlist", "like_track",
     "dislike_track"}
)

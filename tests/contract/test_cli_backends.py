"""The command line on both backends (SQLite file and PostgreSQL URL, :func:`tests.contract.conftest.db_url`):
``import``, ``seed``, ``ask`` and one ``musicbot chat`` session — the same commands, the same answers' shape, the
conversation kept in the database between separate commands."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from core.engine import Engine

runner = CliRunner()


def cli(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=stdin, env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_import_seed_ask_and_chat_on_each_backend(db_url: str, small_csv: Path) -> None:
    code, out = cli("import", str(small_csv), "--db", db_url)
    assert code == 0, out
    assert "120 tracks" in out.replace(",", "")
    code, out = cli("seed", "--db", db_url)
    assert code == 0 and "already present" in out, out  # the import marked the catalog as seeded

    code, out = cli("ask", "/recommend upbeat dance music", "--db", db_url, "--json", "--conversation", "cli:t")
    assert code == 0, out
    listed = json.loads(out)
    assert len(listed) >= 2
    # a second process (command) continues the same conversation: "#2" is read from the database
    code, out = cli("ask", "more like #2", "--db", db_url, "--conversation", "cli:t")
    assert code == 0, out
    assert f"Tracks like {listed[1]['track_name']}" in " ".join(out.split()), out

    # one console chat session: a free-text turn through the agent, then "#2" of the list it showed
    code, out = cli("chat", "--db", db_url, stdin="something chill for studying\nmore like #2\n/quit\n")
    assert code == 0, out
    assert re.search(r"│\s+1 │", out) and "Tracks like" in out and "Bye!" in out, out[-3000:]

    async def stored() -> list[str]:
        engine = await Engine.open(db_url, seed=False)
        try:
            store = await engine.app.sessions.conversation_store()
            return (await store.load_state("console:local")).last_page
        finally:
            await engine.close()

    assert asyncio.run(stored())  # the chat's list on screen lives in the database

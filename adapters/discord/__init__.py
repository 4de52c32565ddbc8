"""Discord adapter (discord.py 2.x): slash commands, autocomplete, embeds and persistent buttons over the engine,
shared playlists per server (``/playlist …``), likes/dislikes and 30-second previews.

Entry points: :func:`adapters.discord.app.build_bot` and :func:`adapters.discord.app.run_discord`; setup in
README.md ("Discord bot").
"""

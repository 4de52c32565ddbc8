"""Telegram adapter (python-telegram-bot v22): commands, free text to the agent, inline keyboards, inline mode.

Entry points: :func:`adapters.telegram.app.build_app` (wiring) and :func:`adapters.telegram.app.run_telegram`
(``musicbot telegram``). See README.md ("Telegram bot").
"""

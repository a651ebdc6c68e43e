"""Telegram side of `core.organization`: /bind, /unbind, the roster, members joining and
leaving, /start, /help, /join, and the guard that enforces the command table."""

"""Telegram side of `core.scheduling`: the JobQueue round, the 学完了 button and 补发."""

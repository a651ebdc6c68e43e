"""Telegram side of `core.reports`: /report, /export, /me, /top, /branches, /stats and the
buttons under a report."""

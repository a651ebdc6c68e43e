"""Telegram side of `core.config.changes`: /reload and YAML files sent by admins."""

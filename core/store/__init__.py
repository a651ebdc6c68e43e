"""Persistence: the record types and `database.Store`, the one class that owns TinyDB
and writes `data/` (every write atomic, every change of a stored record one locked step).
Imports nothing of the bot but `core.errors` and `core.clock`."""

"""Thin Telegram adapters, grouped like `core/`: each module turns updates into core calls
and core results into Bot API calls, and exports its handlers as `HANDLERS`. The modules
directly here serve them all: polling (confirm an update once handled), the error handler,
notices to admins, the services in `bot_data`, the `Messenger` on the Bot API and the
answer to a button nobody else took."""

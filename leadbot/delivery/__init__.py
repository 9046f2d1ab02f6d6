"""The persisted Telegram delivery queue: services write outbox rows, the worker sends them."""

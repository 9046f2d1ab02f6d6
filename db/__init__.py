"""Persistence: SQLAlchemy models, engine and migrations. Knows nothing of Telegram."""

"""Alembic migrations of the indicator store (see data.db.ensure_schema)."""

"""Alembic migrations of smguard's database (applied by ``smguard db upgrade`` and on first use)."""

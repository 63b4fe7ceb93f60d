"""Alembic migrations: the core's own revisions and the runner for module branches."""

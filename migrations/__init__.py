"""Alembic migrations for Kit Share (run by the app on start and by ``kitshare-admin migrate``)."""

"""Loading the demo catalogue, and the demo database a newcomer starts on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.clock import now_utc
from app.database import Database, open_database
from app.errors import DatabaseNotEmpty
from models import AuditEvent, Base


def is_empty(db: Database) -> bool:
    """Whether no Kit Share table holds a single row."""
    with db.read() as session:
        for table in Base.metadata.tables.values():
            if session.scalar(select(func.count()).select_from(table).limit(1)):
                return False
    return True


def load_demo(db: Database, *, now: datetime | None = None) -> None:
    """Fill an empty database with the Cambridgeshire demo data, in one transaction."""
    from app.demo_data import populate_demo

    if not is_empty(db):
        raise DatabaseNotEmpty(
            f"The database ({db.location}) already holds records, so the demo data was not "
            "loaded. Use an empty database, or start Kit Share with --demo for the "
            "separate demo database."
        )
    moment = now or now_utc()
    with db.write() as session:
        populate_demo(session, moment)
        session.add(
            AuditEvent(
                occurred_at=moment,
                actor="kitshare-admin",
                action="demo.loaded",
                entity_type="database",
                note="Cambridgeshire demo catalogue loaded",
            )
        )


def open_demo_database(url: str) -> Database:
    """Open the demo database, creating and filling it on first use."""
    db = open_database(url)
    if is_empty(db):
        load_demo(db)
    return db

"""Loading the demo catalogue, and the demo database a newcomer starts on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.core.clock import now_utc
from app.core.errors import DatabaseNotEmpty
from app.core.permissions import with_article
from app.storage.database import Database, open_database
from models import Agency, AppUser, AuditEvent, Base

DEMO_LOADED = "demo.loaded"


@dataclass(frozen=True)
class DemoAccount:
    """A demo user a newcomer may sign in as, with the password the demo gave it."""

    username: str
    password: str
    who: str
    """What signing in as them lets you see, e.g. "a duty officer"."""


def is_empty(db: Database) -> bool:
    """Whether no Kit Share table holds a single row."""
    with db.read() as session:
        for table in Base.metadata.tables.values():
            if session.scalar(select(func.count()).select_from(table).limit(1)):
                return False
    return True


def load_demo(db: Database, *, now: datetime | None = None) -> None:
    """Fill an empty database with the Cambridgeshire demo data, in one transaction."""
    from app.demo.data import populate_demo
    from app.demo.history import loan_history

    if not is_empty(db):
        raise DatabaseNotEmpty(
            f"The database ({db.location}) already holds records, so the demo data was not "
            "loaded. Use an empty database, or start Kit Share with --demo for the "
            "separate demo database."
        )
    moment = now or now_utc()
    with db.write() as session:
        populate_demo(session, moment, loan_history)
        session.add(
            AuditEvent(
                occurred_at=moment,
                actor="kitshare-admin",
                action=DEMO_LOADED,
                entity_type="database",
                note="Cambridgeshire demo catalogue loaded",
            )
        )


def open_demo_database(url: str, *, empty_file_ok: bool = False) -> Database:
    """Open the demo database, creating and filling it on first use."""
    db = open_database(url, empty_file_ok=empty_file_ok)
    try:
        if is_empty(db):
            load_demo(db)
    except BaseException:
        db.dispose()
        raise
    return db


def demo_accounts(db: Database) -> list[DemoAccount]:
    """The demo's own accounts, for the sign-in page of the demo database, and only there.

    A database is the demo when the demo was loaded into it: its audit trail, which no
    one can change, says so. A real database never has that event, so it shows nothing.
    Accounts since disabled, removed or given another role are left out.
    """
    from app.demo.data import (
        KIT_MANAGER_PASSWORD,
        LENDER_CONTACT,
        USERS,
        kit_manager_username,
    )

    with db.read() as session:
        if session.scalar(select(AuditEvent.id).where(AuditEvent.action == DEMO_LOADED)) is None:
            return []
        users = {
            user.username: user
            for user in session.scalars(select(AppUser).where(AppUser.is_active.is_(True)))
        }
        accounts = [
            DemoAccount(username, password, with_article(role))
            for username, role, _person, password in USERS
            if username in users and users[username].role is role
        ]
        codes = set(session.scalars(select(Agency.code)))
        # In the demo's own order: the host force's first.
        kit_managers = [
            name
            for code in LENDER_CONTACT
            if code in codes and (name := kit_manager_username(code)) in users
        ]
    if kit_managers:
        accounts.append(
            DemoAccount(
                f"{kit_managers[0]}, …",
                KIT_MANAGER_PASSWORD,
                "each lending agency's equipment manager",
            )
        )
    return accounts

"""Working from the station copy while the server cannot be reached, and back.

The window and ``kitshare-admin`` hold one ``Database`` for the server. Going offline
points it at the station copy (``Database.use_copy``): every view and service reads the
copy through the same code paths as any SQLite station, and every write is refused with
a sentence, but the outbox's (``app.loans.outbox``). Coming back points it at the server
again (``Database.use_server``), opening the server for a station that started offline.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from app.core.clock import format_datetime, format_time, now_utc, today_uk
from app.core.errors import DatabaseUnavailable
from app.storage.config import describe_location, normalise_url, sqlite_url
from app.storage.database import Database, open_database, translate_errors
from app.storage.station_copy import REFRESH_HINT, CopyInfo, copy_info


class NoStationCopy(DatabaseUnavailable):
    """The server cannot be reached and there is no copy of it to work from."""


def is_server_url(url: str) -> bool:
    """Whether ``url`` names a shared server (a SQLite file is never offline)."""
    return make_url(normalise_url(url)).get_backend_name() == "postgresql"


def usable_copy(url: str, path: Path, unreachable: str) -> CopyInfo:
    """The copy at ``path``, if it is one of the server at ``url``; else raises
    ``NoStationCopy`` saying why the station cannot work offline."""
    info = copy_info(path)
    if info is None:
        raise NoStationCopy(
            f"{unreachable.rstrip('.')}. This station has no copy of it to work from "
            f"offline; once the server is back, {REFRESH_HINT}."
        )
    wanted = describe_location(normalise_url(url))
    if info.source != wanted:
        raise NoStationCopy(
            f"{unreachable.rstrip('.')}. The station copy at {path} is of {info.source}, "
            f"not {wanted}, so it cannot stand in for it."
        )
    return info


def _copy_database(info: CopyInfo) -> Database:
    return open_database(sqlite_url(info.path))


def go_offline(db: Database, info: CopyInfo, since: datetime | None = None) -> None:
    """Work from the copy ``info`` describes, from now on (or since ``since``)."""
    copy = _copy_database(info)
    db.use_copy(copy.engine, since or now_utc(), info.taken_at)


def open_offline(url: str, info: CopyInfo, since: datetime | None = None) -> Database:
    """The server at ``url`` as a station that cannot reach it sees it: its copy."""
    copy = _copy_database(info)
    # Offline from the start: no server connection to keep aside for later.
    return Database(
        url=normalise_url(url),
        engine=copy.engine,
        _reader=copy._reader,
        _writer=copy._writer,
        secured=info.secured,
        offline_since=since or now_utc(),
        copy_taken_at=info.taken_at,
    )


def reconnect(db: Database) -> None:
    """Work with the server again; raises ``EnvironmentFault`` if it cannot be used yet
    (the station stays offline then)."""
    if not db.offline:
        return
    if db.server_engine is not None:
        with translate_errors(db.url), db.server_engine.connect():
            pass  # reachable again: the kept connection can serve
        db.use_server()
    else:
        db.use_server(open_database(db.url))
    if db.secured and db.offline_login is not None:
        # Whoever signed in offline works as their own login again (PasswordRefused if
        # the password changed meanwhile: they sign in again).
        login, db.offline_login = db.offline_login, None
        db.connect_as(*login)


def offline_banner(db: Database, waiting: int) -> str:
    """What a station working offline says at the top of the window."""
    assert db.offline_since is not None
    taken = db.copy_taken_at
    when = format_time(taken) if taken is not None else "its last copy"
    if taken is not None and today_uk(taken) != today_uk():
        when = format_datetime(taken)
    kept = (
        "Loans you log are kept on this PC and sent when the server is back."
        if waiting == 0
        else f"{waiting} logged here wait to be sent when the server is back."
    )
    return (
        f"Offline since {format_time(db.offline_since)}: showing the catalogue as it was at "
        f"{when}. {kept}"
    )

"""A PostgreSQL server set up as an alliance would run it: the tables belong to an owner
role no station holds, ``kitshare-admin setup-server`` has run, every person logs in as
themselves with a password (scram-sha-256), and the stations hold only the
``kitshare_station`` login. Started once per test module that uses it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.cli.main import main
from app.demo.loader import open_demo_database
from app.storage.server import STATION_ROLE, encrypt_password
from tests.pgserver import ClusterUnavailable, ThrowawayCluster, start_cluster

OWNER = "kitshare_owner"
OWNER_PASSWORD = "owner-secret-2026"
STATION_PASSWORD = "station-secret-2026"
DATABASE = "kitshare_alliance"
# The demo's accounts, each given a password of its own here.
PASSWORDS = {
    "duty": "duty-secret-2026",  # duty officer, Cambridgeshire Constabulary
    "manager": "manager-secret-2026",  # equipment manager, Cambridgeshire Fire and Rescue
    "admin": "admin-secret-2026",  # administrator
    "herts-pol-kit": "herts-secret-2026",  # equipment manager, Hertfordshire Constabulary
}


@dataclass(frozen=True)
class SecuredServer:
    cluster: ThrowawayCluster

    def url(self, user: str, password: str | None = None) -> str:
        where = f"127.0.0.1:{self.cluster.port}/{DATABASE}"
        secret = f":{password}" if password else ""
        return f"postgresql+psycopg://{user}{secret}@{where}"

    @property
    def owner_url(self) -> str:
        return self.url(OWNER, OWNER_PASSWORD)

    @property
    def station_url(self) -> str:
        return self.url(STATION_ROLE, STATION_PASSWORD)

    def connect(self, user: str, password: str) -> psycopg.Connection[tuple[object, ...]]:
        """A plain psycopg connection, as anyone with psql at a station would have."""
        url = make_url(self.url(user, password))
        return psycopg.connect(
            host=url.host,
            port=url.port,
            dbname=url.database,
            user=url.username,
            password=url.password,
        )

    def superuser(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            f"host=127.0.0.1 port={self.cluster.port} user=kitshare dbname={DATABASE}",
            autocommit=True,
        )


def _start() -> ThrowawayCluster:
    cluster = start_cluster()
    try:
        trusted = f"host=127.0.0.1 port={cluster.port} user=kitshare dbname=postgres"
        with psycopg.connect(trusted, autocommit=True) as admin:
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(
                    sql.Identifier(OWNER), sql.Literal(OWNER_PASSWORD)
                )
            )
            # Ending a disabled person's sessions: the one thing the owner needs from the DBA.
            admin.execute(f"GRANT pg_signal_backend TO {OWNER}")
            admin.execute(f"CREATE DATABASE {DATABASE} OWNER {OWNER}")
            hba = cluster.data_dir / "pg_hba.conf"
            rules = (
                "host all kitshare 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
            )
            hba.write_text(rules + hba.read_text())
            admin.execute("SELECT pg_reload_conf()")
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _set_up(server: SecuredServer) -> None:
    open_demo_database(server.owner_url).dispose()
    os.environ["KITSHARE_STATION_PASSWORD"] = STATION_PASSWORD
    os.environ["KITSHARE_NEW_PASSWORD"] = PASSWORDS["admin"]
    try:
        assert main(["--database", server.owner_url, "setup-server", "--admin", "admin"]) == 0
    finally:
        del os.environ["KITSHARE_STATION_PASSWORD"]
        del os.environ["KITSHARE_NEW_PASSWORD"]
    db = open_demo_database(server.owner_url)
    try:
        with db.engine.begin() as connection:
            for name, password in PASSWORDS.items():
                connection.execute(
                    text(
                        "SELECT kitshare_sync_login("
                        "(SELECT id FROM app_users WHERE username = :name), :verifier)"
                    ),
                    {"name": name, "verifier": encrypt_password(connection, name, password)},
                )
    finally:
        db.dispose()


@pytest.fixture(scope="module", name="secured_server")
def secured_server_fixture() -> Iterator[SecuredServer]:
    try:
        cluster = _start()
    except ClusterUnavailable as exc:
        reason = f"PostgreSQL tests not run: {exc}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason} (CI=true requires them)")
        pytest.skip(reason)
    server = SecuredServer(cluster)
    try:
        _set_up(server)
        yield server
    finally:
        cluster.stop()

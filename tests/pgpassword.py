"""A PostgreSQL server of a test module's own that asks for a password (scram-sha-256).

The session's cluster trusts every local connection, so it never asks for a password;
this one does, for one role, so that ``.pgpass``, ``PGPASSWORD`` and the window's
password box are tested against a server that really checks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from tests.pgserver import ClusterUnavailable, ThrowawayCluster, start_cluster

ROLE = "station"
DATABASE = "kitshare_pw"
# A colon and an at sign: .pgpass escapes the first, a URL the second.
PASSWORD = "horse:battery@staple-9"


@dataclass(frozen=True)
class PasswordServer:
    cluster: ThrowawayCluster

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return self.cluster.port

    @property
    def url(self) -> str:
        """The database's URL without a password, as the README now shows."""
        return f"postgresql://{ROLE}@{self.host}:{self.port}/{DATABASE}"

    def pgpass_line(self) -> str:
        escaped = PASSWORD.replace("\\", "\\\\").replace(":", "\\:")
        return f"{self.host}:{self.port}:{DATABASE}:{ROLE}:{escaped}\n"


def start_password_server() -> ThrowawayCluster:
    cluster = start_cluster()
    try:
        trusted = f"host=127.0.0.1 port={cluster.port} user=kitshare dbname=postgres"
        with psycopg.connect(trusted, autocommit=True) as admin:
            admin.execute(
                psycopg.sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    psycopg.sql.Identifier(ROLE), psycopg.sql.Literal(PASSWORD)
                )
            )
            admin.execute(f"CREATE DATABASE {DATABASE} OWNER {ROLE}")
            hba = cluster.data_dir / "pg_hba.conf"
            rule = f"host all {ROLE} 127.0.0.1/32 scram-sha-256\n"
            hba.write_text(rule + hba.read_text())
            admin.execute("SELECT pg_reload_conf()")
    except BaseException:
        cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="module", name="password_server")
def password_server_fixture() -> Iterator[PasswordServer]:
    """A server that wants ``PASSWORD`` from ``ROLE``; trusted ``kitshare`` stays its admin."""
    try:
        cluster = start_password_server()
    except ClusterUnavailable as exc:
        reason = f"PostgreSQL tests not run: {exc}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason} (CI=true requires them)")
        pytest.skip(reason)
    try:
        yield PasswordServer(cluster)
    finally:
        cluster.stop()


@pytest.fixture(name="no_password_anywhere")
def no_password_anywhere_fixture(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Neither ``PGPASSWORD`` nor a ``.pgpass`` file of the person running the tests."""
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path_factory.mktemp("nopass") / "none"))

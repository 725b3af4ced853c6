"""A PostgreSQL URL without the password: it comes from .pgpass, PGPASSWORD, or (in the
window, see tests/ui/test_main.py) a password box, and is never shown."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.storage.config import masked_url
from app.storage.database import PasswordNeeded, PasswordRefused, open_database
from tests.pgpassword import (  # noqa: F401 - the fixtures are used by name
    PASSWORD,
    PasswordServer,
    no_password_anywhere_fixture,
    password_server_fixture,
)

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parent.parent


def shows_no_password(text: str) -> None:
    assert PASSWORD not in text
    assert "battery" not in text


@pytest.mark.usefixtures("no_password_anywhere")
def test_a_server_asking_for_a_password_says_where_to_put_it(
    password_server: PasswordServer,
) -> None:
    with pytest.raises(PasswordNeeded) as caught:
        open_database(password_server.url)
    assert not isinstance(caught.value, PasswordRefused)
    assert "asks for the password of “station”" in caught.value.message
    assert ".pgpass" in caught.value.message


@pytest.mark.usefixtures("no_password_anywhere")
def test_the_password_in_pgpassword_opens_the_database(
    password_server: PasswordServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    db = open_database(password_server.url)
    try:
        assert db.dialect == "postgresql"
        shows_no_password(db.url)
        shows_no_password(db.location)
    finally:
        db.dispose()


@pytest.mark.usefixtures("no_password_anywhere")
def test_the_password_in_a_pgpass_file_opens_the_database(
    password_server: PasswordServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(password_server.pgpass_line())
    # libpq ignores a password file that other accounts can read.
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    db = open_database(password_server.url)
    db.dispose()


@pytest.mark.usefixtures("no_password_anywhere")
def test_a_wrong_password_is_refused_without_being_shown(
    password_server: PasswordServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", "horse:battery@wrong")
    with pytest.raises(PasswordRefused) as caught:
        open_database(password_server.url)
    assert "refused the user name or password for “station”" in caught.value.message
    shows_no_password(caught.value.message)
    assert "wrong" not in caught.value.message


@pytest.mark.usefixtures("no_password_anywhere")
def test_the_command_line_uses_pgpass_and_shows_no_password(
    password_server: PasswordServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(password_server.pgpass_line())
    pgpass.chmod(0o600)
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "--database", password_server.url, "migrate"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
        | {"PGPASSFILE": str(pgpass)},
    )
    assert result.returncode == 0, result.stderr
    shows_no_password(result.stdout + result.stderr)
    # And in-process, without a password anywhere, the sentence says where to put one.
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    assert main(["--database", password_server.url, "info"]) == 1
    err = capsys.readouterr().err
    assert "asks for the password of “station”" in err
    shows_no_password(err)
    shows_no_password(masked_url(password_server.url))

"""A throwaway PostgreSQL cluster for the tests, started from the installed server binaries.

PostgreSQL refuses to run as root, so when the tests run as root (as CI does) the
cluster belongs to an unprivileged user and its commands run through ``runuser``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


class ClusterUnavailable(Exception):
    """No PostgreSQL server binaries here, or the cluster would not start."""


def find_server_binaries() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``."""
    candidates: list[Path] = []
    # Debian keeps the server binaries off PATH, one folder per major version.
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(versions)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        if all((folder / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    raise ClusterUnavailable(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) were found; install the "
        "postgresql package or set KITSHARE_TEST_POSTGRES_URL"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise ClusterUnavailable("running as root and no unprivileged user to run PostgreSQL as")


@dataclass
class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only."""

    bin_dir: Path
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="kitshare-pg-")))
    port: int = field(default_factory=free_port)
    user: str | None = None

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://kitshare@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        full = list(command)
        if self.user is not None:
            full = ["runuser", "-u", self.user, "--", *full]
        result = subprocess.run(full, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise ClusterUnavailable(
                f"{Path(command[0]).name} failed: {result.stderr.strip()[-1500:]} {tail}"
            )

    def start(self) -> ThrowawayCluster:
        if os.geteuid() == 0:
            self.user = _unprivileged_user()
            account = pwd.getpwnam(self.user)
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            "kitshare",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        # Durability settings off: this cluster lives for one test run.
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=120"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        return self

    def stop(self) -> None:
        with contextlib.suppress(ClusterUnavailable):
            self._run(
                str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "stop"
            )
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> ThrowawayCluster:
    return ThrowawayCluster(bin_dir=find_server_binaries()).start()

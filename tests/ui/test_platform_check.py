"""Before the window opens: a desktop that lacks Qt's X libraries gets one sentence
naming the packages to install, not Qt's abort and a core dump."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ui.platform_check import check_platform, missing_libraries, package_for

ROOT = Path(__file__).resolve().parents[2]
LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /opt/Qt/lib/libQt6XcbQpa.so.6 (0x00007f97)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007f97)
\tlibxcb-icccm.so.4 => not found
\tlibfoo2.so.0 => not found
"""
DESKTOP = {"DISPLAY": ":0"}


def fake_ldd(_path: Path) -> str:
    return LDD_OUTPUT


@pytest.fixture
def plugin(tmp_path: Path) -> Path:
    path = tmp_path / "libqxcb.so"
    path.write_bytes(b"\x7fELF")
    return path


def test_each_missing_library_is_named_once_in_order(plugin: Path) -> None:
    assert missing_libraries(plugin, fake_ldd) == [
        "libxcb-cursor.so.0",
        "libxcb-icccm.so.4",
        "libfoo2.so.0",
    ]


def test_packages_are_named_as_debian_names_them() -> None:
    assert package_for("libxcb-cursor.so.0") == "libxcb-cursor0"
    assert package_for("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    # Not in the table: Debian's rule for a library package.
    assert package_for("libfoo.so.3") == "libfoo3"
    assert package_for("libfoo2.so.0") == "libfoo2-0"


def test_missing_libraries_give_one_sentence_with_the_install_line(plugin: Path) -> None:
    problem = check_platform(DESKTOP, ldd=fake_ldd, plugin=plugin, system="linux")
    assert problem is not None
    assert problem.packages == ("libxcb-cursor0", "libxcb-icccm4", "libfoo2-0")
    assert "libxcb-cursor.so.0, libxcb-icccm.so.4, libfoo2.so.0" in problem.message
    assert "apt-get install libxcb-cursor0 libxcb-icccm4 libfoo2-0`" in problem.message
    assert problem.message.endswith("and start Kit Share again.")


def test_nothing_missing_or_no_desktop_needed_is_no_problem(plugin: Path) -> None:
    assert check_platform(DESKTOP, ldd=lambda _path: "", plugin=plugin, system="linux") is None
    offscreen = {"QT_QPA_PLATFORM": "offscreen"}
    assert check_platform(offscreen, ldd=fake_ldd, plugin=plugin) is None
    assert check_platform(DESKTOP, ldd=fake_ldd, plugin=plugin, system="win32") is None


def test_no_display_is_said_before_qt_aborts(plugin: Path) -> None:
    problem = check_platform({}, ldd=fake_ldd, plugin=plugin, system="linux")
    assert problem is not None
    assert "DISPLAY is not set" in problem.message


def test_the_window_command_stops_with_the_sentence_not_a_core_dump(tmp_path: Path) -> None:
    """``kitshare`` itself, with an ``ldd`` on PATH that reports a library missing."""
    tools = tmp_path / "bin"
    tools.mkdir()
    ldd = tools / "ldd"
    ldd.write_text(f"#!/bin/sh\ncat <<'EOF'\n{LDD_OUTPUT}EOF\n")
    ldd.chmod(ldd.stat().st_mode | stat.S_IXUSR)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")
    }
    env.update(
        PATH=f"{tools}{os.pathsep}{env.get('PATH', '')}",
        DISPLAY=":97",
        KITSHARE_DATABASE_URL=f"sqlite:///{(tmp_path / 'never.db').as_posix()}",
    )
    result = subprocess.run(
        [sys.executable, "-m", "ui.main"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 1, result.stderr
    assert "apt-get install libxcb-cursor0 libxcb-icccm4 libfoo2-0" in result.stderr
    assert "Traceback" not in result.stderr
    assert "could not load the Qt platform plugin" not in result.stderr
    assert not (tmp_path / "never.db").exists()

"""Before the window opens on Linux: can Qt draw on this screen at all?

Qt 6.5 and later need a dozen X libraries (``libxcb-cursor0`` and friends) that many
desktops lack. Without them Qt prints "could not load the Qt platform plugin" and aborts
the process: a core dump instead of Kit Share. So ``kitshare`` asks ``ldd`` first what
the platform plugin would fail to load, and says in one sentence which Debian/Ubuntu
packages to install. ``make run`` installs them itself where it runs as root
(``python -m ui.platform_check --install``), as ``.ci/run`` does for its own needs.

Nothing here imports Qt's widgets: this runs before a ``QApplication`` exists.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

# What Debian and Ubuntu call the package holding each library Qt's xcb plugin needs.
PACKAGE_OF = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libEGL.so.1": "libegl1",
    "libOpenGL.so.0": "libopengl0",
    "libGLdispatch.so.0": "libglvnd0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)
_SONAME = re.compile(r"^(lib[\w.+-]+?)\.so\.(\d+)$")

Ldd = Callable[[Path], str]


@dataclass(frozen=True)
class PlatformProblem:
    """Why Qt could not open a window here, and the packages that would fix it."""

    message: str
    packages: tuple[str, ...] = ()


def package_for(library: str) -> str:
    """The Debian package that ships ``library`` (a soname such as libfoo.so.1)."""
    known = PACKAGE_OF.get(library)
    if known:
        return known
    # Debian's own rule: the soname's version is appended, after a hyphen if the name
    # already ends in a digit (libfoo.so.1 → libfoo1, libfoo2.so.0 → libfoo2-0).
    match = _SONAME.match(library)
    if not match:
        return library
    name, version = match.groups()
    return f"{name.lower()}{'-' if name[-1].isdigit() else ''}{version}"


def run_ldd(path: Path) -> str:
    """What ``ldd`` says of ``path``; "" where there is no ``ldd`` to ask."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return ""
    try:
        result = subprocess.run(
            [ldd, str(path)], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout


def missing_libraries(plugin: Path, ldd: Ldd = run_ldd) -> list[str]:
    """The shared libraries ``plugin`` needs and the system cannot find, in order."""
    found: list[str] = []
    for library in _NOT_FOUND.findall(ldd(plugin)):
        if library not in found:
            found.append(library)
    return found


def chosen_platform(environ: Mapping[str, str]) -> str:
    """The platform plugin Qt will try first, as Qt itself decides it."""
    given = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if given:
        return given
    if environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY"):
        return "wayland"
    return "xcb"


def plugin_path(platform: str) -> Path:
    from PySide6.QtCore import QLibraryInfo

    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    return plugins / "platforms" / f"libq{platform}.so"


def apt_command(packages: tuple[str, ...], *, as_root: bool) -> str:
    prefix = "" if as_root else "sudo "
    return f"{prefix}apt-get install {' '.join(packages)}"


def check_platform(
    environ: Mapping[str, str] | None = None,
    *,
    ldd: Ldd = run_ldd,
    plugin: Path | None = None,
    system: str = sys.platform,
) -> PlatformProblem | None:
    """What would stop Qt opening a window on this Linux desktop, or None if nothing."""
    env = os.environ if environ is None else environ
    if not system.startswith("linux"):
        return None
    platform = chosen_platform(env)
    if platform not in ("xcb", "wayland"):
        return None  # offscreen, vnc…: nothing of the desktop's to check
    if platform == "xcb" and not env.get("DISPLAY"):
        return PlatformProblem(
            "Kit Share needs a desktop to open its window, and there is none here "
            "(DISPLAY is not set). Start it from a desktop session, or over SSH with -X."
        )
    path = plugin or plugin_path(platform)
    if not path.exists():
        return None  # a Qt without this plugin: let Qt say so
    missing = missing_libraries(path, ldd)
    if not missing:
        return None
    packages = tuple(dict.fromkeys(package_for(library) for library in missing))
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    return PlatformProblem(
        "Kit Share cannot open its window: this PC lacks libraries that Qt needs to draw "
        f"on the screen ({', '.join(missing)}). Install them with "
        f"`{apt_command(packages, as_root=as_root)}` and start Kit Share again.",
        packages,
    )


def install(packages: tuple[str, ...]) -> bool:
    """Install ``packages`` with apt-get, as root; whether it worked."""
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    commands = [
        [apt, "update", "-qq"],
        [apt, "install", "-y", "-qq", "--no-install-recommends", *packages],
    ]
    for command in commands:
        if subprocess.run(command, env=env, check=False).returncode != 0:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m ui.platform_check [--install]``: 0 when Qt can open a window here."""
    parser = argparse.ArgumentParser(
        prog="python -m ui.platform_check",
        description="Check that Qt can open Kit Share's window on this Linux desktop.",
    )
    parser.add_argument(
        "--install",
        action="store_true",
        help="install missing system libraries with apt-get when running as root",
    )
    args = parser.parse_args(argv)
    problem = check_platform()
    if problem is not None and args.install and problem.packages and install(problem.packages):
        problem = check_platform()
    if problem is None:
        return 0
    print(problem.message, file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())

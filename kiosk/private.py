"""Files that hold personal data or PIN hashes: a folder only the kiosk's user may enter,
files only it may read (0700 / 0600), whatever the process umask."""
from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Make the folder (and missing parents) and keep it to this user; a shared folder such
    as /tmp (sticky, or someone else's) is left as it is."""
    path.mkdir(parents=True, exist_ok=True)
    mode = os.stat(path).st_mode
    if not mode & stat.S_ISVTX:
        tighten(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create the file empty if it is missing, and keep it to this user."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    tighten(path, FILE_MODE)
    return path


def tighten(path: Path, mode: int = FILE_MODE) -> None:
    """Narrow an existing file or folder of this user's to `mode`; others' are left alone."""
    try:
        found = os.stat(path)
        if found.st_uid == os.getuid() and stat.S_IMODE(found.st_mode) != mode:
            os.chmod(path, mode)
    except FileNotFoundError:
        pass

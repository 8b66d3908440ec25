"""A model directory on disk: its three file names, the version folders and the `.current` symlink that
make a save switch all three at once, and the clean-up of what a killed save left behind.

    model.safetensors -> .current/model.safetensors      .current -> .model-<pid>-<hex time>/
    config.json       -> .current/config.json            (a save writes a new version folder, then
    vocab.txt         -> .current/vocab.txt               renames a new .current over the old one)

Directories of three plain files (the bundled models, older saves) are read as they are.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

WEIGHTS, CONFIG, VOCAB = "model.safetensors", "config.json", "vocab.txt"
FILES = (WEIGHTS, VOCAB, CONFIG)
CURRENT = ".current"  # symlink to the version folder whose three files the names above show
VERSION_PREFIX = ".model-"  # version folders: .model-<pid>-<hex time>


def fsync_write(path: Path, write) -> None:
    with open(path, "wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


WRITING: set[str] = set()  # version folders this process is writing now (a save in another thread)


def version_name() -> str:
    """A new version folder's name: hidden, and carrying the writer's pid so clean-up can tell a live save."""
    return f"{VERSION_PREFIX}{os.getpid()}-{time.time_ns():x}"


def swap_link(link: Path, target: str) -> None:
    """Point the symlink `link` at `target` in one step: a new link under a staged name, renamed over it."""
    staged = link.with_name(f"{link.name}.tmp-{os.getpid()}")
    staged.unlink(missing_ok=True)
    try:
        os.symlink(target, staged)
        os.replace(staged, link)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise


def current_version(directory: str | os.PathLike) -> Path:
    """The folder whose files the model directory's names show: the target of `.current` when the model
    was saved by this lstmlm, else the directory itself (a model written as three plain files)."""
    directory = Path(directory)
    link = directory / CURRENT
    if link.is_symlink():
        return directory / os.readlink(link)
    return directory


def adopt_copied_current(directory: Path) -> None:
    """A model directory copied by a tool that follows symlinks (shutil.copytree, a zip, an upload) has a
    real folder named `.current`: rename it to a version folder and point a new `.current` link at it, so the
    save below proceeds as over any saved model (names that were copied as plain files keep their content)."""
    link = directory / CURRENT
    if link.is_dir() and not link.is_symlink():
        adopted = version_name()
        os.rename(link, directory / adopted)
        os.symlink(adopted, link)


def move_behind_current(directory: Path) -> None:
    """Make each of the three names a symlink to `.current/<name>`, each keeping what it shows.

    Three plain files (a model saved by an older lstmlm) are first hard-linked into a version folder that
    `.current` then names; a name that does not exist yet becomes a link that points nowhere until the
    first commit. A kill between two steps leaves every name showing the same model as before."""
    link = directory / CURRENT
    plain = [name for name in FILES if (directory / name).is_file() and not (directory / name).is_symlink()]
    if not link.is_symlink() and len(plain) == len(FILES):
        adopted = directory / version_name()
        WRITING.add(adopted.name)
        try:
            adopted.mkdir()
            for name in FILES:
                link_or_copy(directory / name, adopted / name)
            fsync_dir(adopted)
            swap_link(link, adopted.name)
        except BaseException:
            if not link.is_symlink():
                shutil.rmtree(adopted, ignore_errors=True)
            raise
        finally:
            WRITING.discard(adopted.name)
    for name in FILES:
        path, target = directory / name, f"{CURRENT}/{name}"
        if not (path.is_symlink() and os.readlink(path) == target):
            swap_link(path, target)


def remove_stale_staged(directory: Path) -> None:
    """Delete what a save whose process is gone (killed mid-save) left: files and links staged as
    `<name>.tmp-<pid>...`, and model version folders `.model-<pid>-<id>` that `.current` does not name."""
    for path in directory.glob("*.tmp-*"):
        pid = path.name.rsplit(".tmp-", 1)[1].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not process_exists(int(pid)):
            path.unlink(missing_ok=True)
    current = current_version(directory).name
    for path in directory.glob(VERSION_PREFIX + "*"):
        pid = path.name.removeprefix(VERSION_PREFIX).split("-", 1)[0]
        if path.name == current or not pid.isdigit() or path.is_symlink() or not path.is_dir():
            continue
        mine = int(pid) == os.getpid()
        if (mine and path.name not in WRITING) or (not mine and not process_exists(int(pid))):
            shutil.rmtree(path, ignore_errors=True)


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by someone else
        return True
    return True


def link_or_copy(src: Path, dst: Path) -> None:
    """A second name for src (a hard link; a copy where the file system has none)."""
    dst.unlink(missing_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def file_in_version(directory: Path, source: Path, name: str) -> Path:
    """Where to read `directory/name` from: in `source` while the name points through `.current` (so all
    three files come from the version resolved once), else the name itself (a plain file)."""
    path = directory / name
    if path.is_symlink() and os.readlink(path) == f"{CURRENT}/{name}":
        return source / name
    return path

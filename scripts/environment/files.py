"""Small file helpers every stage shares: write a file only when its content
changes, and digest files or a folder so a stage can tell whether its inputs
changed since it last ran."""
from __future__ import annotations

import hashlib
from pathlib import Path


def write_if_changed(path: Path, content: bytes) -> bool:
    """Write `content` unless the file already holds it; return whether it
    wrote. Unchanged files keep their mtime so Sphinx rebuilds only what
    changed."""
    if path.exists() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def paths_digest(paths, root: Path) -> str:
    """SHA-256 of files, each named by its path relative to `root`, in path
    order."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(Path(path).relative_to(root).as_posix().encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def folder_digest(folder: Path) -> str:
    """A short digest of every file under a folder (names and content),
    `__pycache__` aside."""
    files = (p for p in Path(folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return paths_digest(files, Path(folder))[:16]

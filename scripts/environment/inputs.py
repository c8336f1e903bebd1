"""What the build's stages depend on, digested cheaply, and the stamp that
lets a stage skip its work when all of it is as it was the last time the
stage succeeded.

The digest is conservative: it changes with every file of the book's
sources, the `d2l` package and the build's own code (by content), with the
environments' installed packages and the executed notebooks and outputs (by
name, size and modification time: reading them whole is the cost a skip
saves). A stage that finds its stamp current has nothing to do; any change
sends it through its own finer checks (execute's cache keys, write-if-changed,
the PDFs' digests), which decide what to redo.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from scripts.environment import book, machine
from scripts.environment.files import folder_digest, paths_digest


def tree_state(folder: Path, pattern: str = "*") -> str:
    """Names, sizes and modification times of the files matching `pattern`
    under `folder` (none: an empty digest)."""
    digest = hashlib.sha256()
    if folder.exists():
        for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
            stat = path.stat()
            digest.update(f"{path.relative_to(folder).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def environments() -> str:
    """The packages installed in the build's environment and each
    framework's: their site-packages folders change (mtime) when a package
    is added, removed or upgraded."""
    folders = sorted([*book.ROOT.glob(".venv/lib/python3*/site-packages"),
                      *book.ROOT.glob(".venvs/*/lib/python3*/site-packages")])
    return hashlib.sha256("".join(f"{p}\0{p.stat().st_mtime_ns}\n" for p in folders).encode()).hexdigest()[:16]


def edition_sources(lang: str) -> str:
    """What of the book's sources one edition's pages are made from: its own
    tree and what the editions share (the bibliography), not the other
    editions' trees. Its merged pages and PDFs stand for `sources` in
    book_state: an edit in one edition leaves the other's as they were."""
    others = set(book.editions()) - {lang}
    shared = [p for p in book.BOOK.rglob("*")
              if p.is_file() and p.relative_to(book.BOOK).parts[0] not in others]
    return paths_digest(shared, book.BOOK)[:16]


def book_state(request: str, sources: str | None = None) -> list[str]:
    """Everything every stage reads: the request, configuration, sources,
    figures and bibliography of every edition (or `sources` standing for
    them: what of them a stage reads), the `d2l` package and the build's
    code, the environments and the GPU, the data's verification stamp, the
    executed notebooks and the kept records."""
    return [request, paths_digest([book.ROOT / "_config.yml", book.ROOT / "_toc.yml"], book.ROOT),
            sources or folder_digest(book.BOOK), folder_digest(book.D2L),
            folder_digest(book.ROOT / "scripts"),
            environments(), machine.cuda_gpu_name() or "no GPU", tree_state(book.BUILD / "data"),
            tree_state(book.BUILD / "exec", "*.ipynb"), tree_state(book.ROOT / "records")]


class Stamp:
    """The digest of a stage's inputs at its last success, kept in `path`."""

    def __init__(self, path: Path):
        self.path = path

    @staticmethod
    def digest(parts: list[str]) -> str:
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def current(self, parts: list[str]) -> bool:
        """Whether the inputs are those of the last success."""
        return self.path.exists() and self.path.read_text(encoding="utf-8") == self.digest(parts)

    def keep(self, parts: list[str]) -> None:
        """Record a success with these inputs."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(self.digest(parts), encoding="utf-8")

    def drop(self) -> None:
        """Forget the last success (a failure or a partial run follows)."""
        self.path.unlink(missing_ok=True)

"""Which `d2l` the Colab notebooks install: not the moving `main` branch but
the commit that holds the package they were generated and checked with, so
that a notebook saved long ago still runs with its own `d2l`.

notebooks/d2l.json records d2l's version (`__version__` in d2l/__init__.py),
that commit, and a digest of the package's sources (d2l/*.py and
pyproject.toml). `make notebooks` writes it: when the sources changed since
the record, their version must be new and they must be committed, and the
record then names the last commit that changed them. The tests fail, naming
that fix, while the sources and the record disagree.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from scripts.environment import book

RECORD = "d2l.json"   # under notebooks/
FIX = ("raise `__version__` in d2l/__init__.py, commit d2l/ and pyproject.toml, "
       "then run `make notebooks` and commit notebooks/")


class ReleaseError(RuntimeError):
    """The sources and the version or the commit do not fit; says the fix."""


def source_files(root: Path = book.ROOT) -> list[str]:
    """The package's sources, relative to the repository root, sorted."""
    return ["pyproject.toml", *sorted(p.relative_to(root).as_posix() for p in (root / "d2l").glob("*.py"))]


def digest(contents: dict[str, bytes]) -> str:
    """One SHA-256 over {relative path: bytes}."""
    sha = hashlib.sha256()
    for name in sorted(contents):
        sha.update(name.encode() + b"\0" + contents[name] + b"\0")
    return sha.hexdigest()


def sources_digest(root: Path = book.ROOT) -> str:
    return digest({name: (root / name).read_bytes() for name in source_files(root)})


def read(notebooks: Path = book.NOTEBOOKS) -> dict | None:
    path = notebooks / RECORD
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def problems(root: Path = book.ROOT, notebooks: Path = book.NOTEBOOKS) -> list[str]:
    """What keeps the record from describing the package here, each with the fix."""
    record = read(notebooks)
    if record is None:
        return [f"{book.shown(notebooks / RECORD)} is missing: run `make notebooks` and commit it"]
    # The digest covers d2l/__init__.py, and so the version.
    if record["sources"] != sources_digest(root):
        return [f"d2l's sources changed after d2l {record['version']} was recorded "
                f"(commit {record['commit'][:12]}): {FIX}"]
    return []


def git(root: Path, *args: str) -> str:
    out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    if out.returncode:
        raise ReleaseError(f"git {' '.join(args)} failed: {out.stderr.strip()}")
    return out.stdout


def sources_at(root: Path, commit: str) -> str:
    """The digest of the package's sources as `commit` holds them."""
    listed = git(root, "ls-tree", "--name-only", commit, "d2l/", "pyproject.toml").split()
    names = [n for n in listed if n == "pyproject.toml" or (n.endswith(".py") and n.count("/") == 1)]
    return digest({name: subprocess.run(["git", "-C", str(root), "show", f"{commit}:{name}"],
                                        capture_output=True, check=True).stdout for name in names})


def update(root: Path = book.ROOT, notebooks: Path = book.NOTEBOOKS) -> dict:
    """The record the notebooks should carry, written when it changed:
    the current one while the sources match it, else a new one for the
    commit that last changed them (which must hold them exactly, under a
    version not recorded before)."""
    record, current, version = read(notebooks), sources_digest(root), book.d2l_version(root)
    if record and record["sources"] == current:
        return record
    if record and record["version"] == version:
        raise ReleaseError(f"d2l's sources changed, but their version is still {version}, "
                           f"which names those of commit {record['commit'][:12]}: {FIX}")
    commit = git(root, "log", "-1", "--format=%H", "--", "d2l", "pyproject.toml").strip()
    if not commit or sources_at(root, commit) != current:
        raise ReleaseError("d2l/ or pyproject.toml has changes that are not committed; the notebooks "
                           "install d2l from a commit: commit them, then run `make notebooks` again")
    record = {"version": version, "commit": commit, "sources": current}
    (notebooks / RECORD).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record

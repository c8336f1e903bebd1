"""Check what each chapter source points to outside itself, before anything
executes: the file of every `{figure}` and `{image}`, and every `{cite}` key
in `book/references.bib`. Each problem names file:line and how to fix it;
Sphinx would report them only after every notebook had run.
scripts/pipeline/source_checks.py runs it."""
from __future__ import annotations

import difflib
import re
from pathlib import Path

from scripts.environment import book

FIGURE = re.compile(r"^\s*(?:`{3,}|:{3,})\{(figure|image)\}\s+(\S+)")
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
BIB_ENTRY = re.compile(r"^@\w+\s*\{\s*([^,\s]+)\s*,", re.M)


def bibliography() -> Path:
    return book.BOOK / "references.bib"


def bib_keys() -> set[str]:
    path = bibliography()
    return set(BIB_ENTRY.findall(path.read_text(encoding="utf-8"))) if path.exists() else set()


def problems(path: Path, keys: set[str]) -> list[str]:
    """What `path` points to that is not there, one message per place."""
    found = []
    shown = book.shown(path)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{shown}:{number}"
        figure = FIGURE.match(line)
        if figure and "://" not in figure[2]:
            target = (path.parent / figure[2]).resolve()
            if not target.is_file():
                found.append(f"{where}: the {figure[1]} file {figure[2]} does not exist (looked for "
                             f"{book.shown(target)}): add it there or correct the path")
        for group in CITE.findall(line):
            for key in (k.strip() for k in group.split(",")):
                if key and key not in keys:
                    close = difflib.get_close_matches(key, keys, n=1)
                    hint = f" (did you mean {close[0]}?)" if close else ""
                    found.append(f"{where}: citation key {key} is not in "
                                 f"{book.shown(bibliography())}{hint}: add its entry there or "
                                 "correct the key")
    return found

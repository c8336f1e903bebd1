"""The book's table of contents as the landing page lists it: for each part
of `_toc.yml` that has sections (one per part of the book), its title and
its sections' titles, read from each edition's sources, so that the list
grows with the book."""
from __future__ import annotations

import re

import yaml

from scripts.environment import book

HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
ROLE = re.compile(r"\{[a-z:-]+\}`([^`]*)`")


def title(lang: str, page: str) -> str:
    """The page's first level-1 heading, as plain text."""
    text = FRONT_MATTER.sub("", book.source_path(lang, page).read_text(encoding="utf-8"))
    # Headings inside code fences are code, not titles.
    text = re.sub(r"^(```|~~~).*?^\1", "", text, flags=re.M | re.S)
    found = HEADING.search(text)
    if not found:
        raise ValueError(f"{book.shown(book.source_path(lang, page))}: no '# ' title")
    plain = ROLE.sub(r"\1", found.group(1))
    return re.sub(r"[`*_]", "", plain).strip()


def toc_entries() -> list[dict]:
    """The top-level entries of `_toc.yml` (chapters, or the chapters of its parts)."""
    toc = yaml.safe_load((book.ROOT / "_toc.yml").read_text(encoding="utf-8"))
    entries = list(toc.get("chapters") or ())
    for part in toc.get("parts") or ():
        entries += part.get("chapters") or ()
    return entries


def sections(entry: dict) -> list[str]:
    """The pages under a toc entry, depth first."""
    found = []
    for child in entry.get("sections") or ():
        if "file" in child:
            found.append(child["file"])
        found += sections(child)
    return found


def parts(lang: str) -> list[dict]:
    """`[{'page', 'title', 'chapters': [{'page', 'title'}]}]` for every toc
    entry with sections, titles in the edition's language."""
    return [{"page": entry["file"], "title": title(lang, entry["file"]),
             "chapters": [{"page": page, "title": title(lang, page)} for page in sections(entry)]}
            for entry in toc_entries() if "file" in entry and sections(entry)]

"""Reading the book's sources and executed notebooks, for the chapter tests."""
import re

import nbformat

from d2l import _core
from scripts import book
from scripts.source import parse


def headings(lang, page):
    """(level, label) of each heading, in order; labels stand on the line before."""
    found, label = [], None
    for cell in parse(book.source_path(lang, page)).cells:
        if cell.kind != "markdown":
            continue
        for line in cell.source.splitlines():
            m = re.match(r"^\((.+)\)=$", line.strip())
            if m:
                label = m.group(1)
                continue
            h = re.match(r"^(#{1,6})\s", line)
            if h:
                found.append((len(h.group(1)), label))
            if line.strip():
                label = None
    return found


def printed(executed_book, page, framework, marker):
    """What the one code cell whose source contains `marker` printed in the
    page's executed notebook (text that `d2l` says in every edition's
    language counts in the first one's)."""
    nb = nbformat.read(executed_book / page / f"{framework}.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    assert len(cells) == 1, f"{page} {framework}: {len(cells)} cells contain {marker!r}"
    return "".join(o.text if o.output_type == "stream" else o.data["text/plain"]
                   for o in cells[0].outputs
                   if o.output_type == "stream" or _core.LOCALIZED_MIME in o.get("data", {}))

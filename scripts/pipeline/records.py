"""Full-profile results kept in the repository, shown by builds that cannot
run them.

The chapter's numbers are about the full profile (all of Fashion-MNIST, every
epoch, on a GPU), but most builds (CI, a laptop) run the quick one. `make
record` copies each executed full-profile notebook to
`records/full/<page>/<framework>.ipynb`, to be committed. Every later build
shows a record in place of quick outputs while it still matches: the same
code cells, `d2l` package and dataset as when it ran. A record that no longer
matches is not shown: the page shows the quick outputs and its stamp says
that the full results are out of date.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from scripts.environment import book, data
from scripts.pipeline import code_parity
from scripts.pipeline.execute import cache_key, library_hash
from scripts.pipeline.source import parse
from scripts.pipeline.split import ALL, notebooks_for, split

RECORDS = book.ROOT / "records" / "full"


def record_path(page: str, notebook: str) -> Path:
    return RECORDS / page / f"{notebook}.ipynb"


def record_key(nb, notebook: str) -> str:
    """What a full-profile result depends on, whatever machine shows it: the
    code cells, the `d2l` package (and, for ALL, the build's checks) and the
    dataset. Versions and device are part of its stamp, not of its validity."""
    inputs = {"code": [code_parity.program(c.source) for c in nb.cells if c.cell_type == "code"],
              "library": library_hash(notebook, nb.metadata.get("d2l_reads"),
                                      [c.source for c in nb.cells if c.cell_type == "code"]),
              "data": data.checksums()}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


@dataclass
class Record:
    notebook: nbformat.NotebookNode | None   # the record, when it still matches
    stale: dict | None                       # the stamp of one that no longer does


def lookup(nb, notebook: str, path: Path) -> Record:
    """The record at `path` for a notebook split from the page as it is now."""
    try:
        kept = nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return Record(None, None)
    meta = kept.metadata.get("d2l", {})
    if meta.get("record_key") == record_key(nb, notebook):
        return Record(kept, None)
    return Record(None, meta.get("stamp", {}))


def keep(page: str, notebook: str) -> Path | None:
    """Copy the page's executed full-profile notebook to the records; None
    when there is none or it is not current (run `make book PROFILE=full`)."""
    return keep_source(book.source_path(book.executed_edition(), page),
                       book.executed_path("full", page, notebook), record_path(page, notebook), notebook)


def keep_source(source: Path, executed: Path, target: Path, notebook: str) -> Path | None:
    """Copy `executed`, the full-profile run of `source` for one notebook, to
    `target` with the key it stays valid for."""
    parsed = parse(source)
    if notebook not in notebooks_for(parsed):
        return None
    nb, _ = split(parsed, notebook)
    try:
        done = nbformat.read(executed, as_version=4)
    except (OSError, ValueError):
        return None
    if done.metadata.get("d2l", {}).get("cache_key") != cache_key(nb, notebook, "full"):
        return None
    done.metadata["d2l"]["record_key"] = record_key(nb, notebook)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    nbformat.write(done, partial)
    shutil.move(partial, target)
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--page", action="append", help="page name(s) (default: every page)")
    parser.add_argument("--framework", choices=(*book.FRAMEWORKS, ALL), action="append")
    args = parser.parse_args(argv)
    kept = 0
    for page in args.page or book.pages():
        for notebook in args.framework or book.FRAMEWORKS:
            path = keep(page, notebook)
            if path:
                kept += 1
                print(f"kept {page} {notebook}: {book.shown(path)}")
    print(f"{kept} full-profile result(s) kept under {book.shown(RECORDS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

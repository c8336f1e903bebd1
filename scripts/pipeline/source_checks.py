"""Check every edition's source of the given pages before anything
executes, so that a fault the renderers would meet only after every notebook
ran stops the build at once, naming file:line: what a source points to
(`references`: figure files, citation keys) and formulas the PDFs cannot set
(`formulas`).

    python -m scripts.pipeline.source_checks     (every page of _toc.yml)
"""
from __future__ import annotations

import argparse
import sys

from scripts.environment import book
from scripts.pipeline import formulas, references


def problems(pages) -> list[str]:
    """Every problem of every edition's source of `pages`, in page order."""
    keys = references.bib_keys()
    found = []
    for page in pages:
        for lang in book.editions():
            path = book.source_path(lang, page)
            if path.exists():
                found += references.problems(path, keys) + formulas.problems(path)
    return found


def main(argv=None) -> int:
    argparse.ArgumentParser(description=__doc__).parse_args(argv)
    found = problems(book.pages())
    for problem in found:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

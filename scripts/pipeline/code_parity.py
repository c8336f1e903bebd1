"""Code parity: every edition of a page carries the same code, cell for cell.

The build executes each page once per framework and shows that execution in
every edition, so the editions' code cells must be the same program: the same
tokens and cell tags. Only comments may differ, so that each edition explains
its code in its own language. A difference names the page, the framework and
the first differing cell with file:line in both editions; `make book` checks
this before it executes anything.
"""
from __future__ import annotations

import argparse
import io
import sys
import tokenize

from scripts.environment import book
from scripts.pipeline.source import SourceError, parse
from scripts.pipeline.split import ALL, notebooks_for


IGNORED = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING}


def program(source: str) -> str:
    """A code cell's source without its comments and blank lines: what runs.
    Cells Python cannot tokenize (IPython magics) count as written."""
    try:
        tokens = [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(source + "\n").readline)
                  if t.type not in IGNORED]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source
    return repr(tokens)


def _code_cells(page, framework: str):
    return [cell for cell in page.cells if cell.kind == "code"
            and (framework == ALL or framework in cell.frameworks)]


def _where(page, cell) -> str:
    return f"{book.shown(page.path)}:{cell.line}" if cell else f"{book.shown(page.path)} (no such cell)"


def page_differences(name: str, langs=None) -> list[str]:
    """One message per framework whose code differs between the editions."""
    langs = list(langs or book.editions())
    parsed = {}
    for lang in langs:
        path = book.source_path(lang, name)
        if not path.exists():
            return [f"page {name}: {book.shown(path)} is missing (every edition has every page)"]
        parsed[lang] = parse(path)
    first, *others = langs
    reference = parsed[first]
    problems = []
    for lang in others:
        page = parsed[lang]
        frameworks = dict.fromkeys((*notebooks_for(reference), *notebooks_for(page)))
        for framework in frameworks:
            mine, theirs = _code_cells(reference, framework), _code_cells(page, framework)
            for index in range(max(len(mine), len(theirs))):
                a = mine[index] if index < len(mine) else None
                b = theirs[index] if index < len(theirs) else None
                if a and b and (program(a.source), a.tags) == (program(b.source), b.tags):
                    continue
                problems.append(
                    f"page {name}, framework {framework}: code cell {index + 1} differs between "
                    f"the editions: {_where(reference, a)} and {_where(page, b)}")
                break
    return problems


def differences(pages=None) -> list[str]:
    """Every page's differences (default: every page in _toc.yml)."""
    return [problem for name in pages or book.pages() for problem in page_differences(name)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--page", action="append", help="page name(s) (default: every page)")
    args = parser.parse_args(argv)
    try:
        problems = differences(args.page)
    except SourceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"code parity: every edition has the same code ({len(args.page or book.pages())} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Split a chapter source into one Jupyter notebook per framework.

The notebook for a framework holds the cells common to all frameworks and the
cells marked for it, in source order, with the framework marks removed. The
same split feeds execution and the notebooks readers open in Colab.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import nbformat

from scripts.environment.book import FRAMEWORKS
from scripts.pipeline.source import Page, parse

# The notebook name of a page executed once with every framework in one kernel.
ALL = "all"

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def notebooks_for(page: Page) -> tuple[str, ...]:
    """Names of the notebooks a page is split into: one per framework, or ALL."""
    if not page.has_code:
        return ()
    return (ALL,) if page.all_in_one else FRAMEWORKS


def new_cell(kind: str, source: str) -> nbformat.NotebookNode:
    """A v4 cell as nbformat.v4.new_code_cell or new_markdown_cell makes it,
    without validating each one against the schema (a third of a merge's
    time); nbformat validates the notebook where it is written."""
    cell = nbformat.NotebookNode(cell_type=kind, metadata=nbformat.NotebookNode(), source=source)
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def split(page: Page, framework: str) -> tuple[nbformat.NotebookNode, list[int]]:
    """Return the framework's notebook and, for each of its cells, the index of
    the source cell it came from (so errors and outputs map back to the page)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    if framework == ALL and page.reads:
        nb.metadata["d2l_reads"] = page.reads   # what its cache key follows (scripts/pipeline/execute.py)
    origin = []
    for index, cell in enumerate(page.cells):
        if framework != ALL and framework not in cell.frameworks:
            continue
        tags = [t for t in cell.tags if t not in FRAMEWORKS]
        new = new_cell(cell.kind, cell.source)
        # Stable ids keep regenerated notebooks byte-identical.
        new.id = f"{framework}-{len(origin)}"
        if tags:
            new.metadata["tags"] = tags
        nb.cells.append(new)
        origin.append(index)
    return nb, origin


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path, help="chapter source (.md)")
    parser.add_argument("framework", choices=(*FRAMEWORKS, ALL))
    parser.add_argument("output", type=Path, help="notebook to write (.ipynb)")
    args = parser.parse_args(argv)
    nb, _ = split(parse(args.source), args.framework)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, args.output)


if __name__ == "__main__":
    main()

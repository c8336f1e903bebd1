"""What holds for every chapter of the part, read from the one execution of
each page and framework: every training run reports its results, and in the
quick profile says so."""
import re

import nbformat
import pytest

from scripts.environment import book
from scripts.pipeline.source import parse
from scripts.pipeline.split import notebooks_for
from tests.chapter import executed

TRAINED = [(page, fw) for page in book.pages() for fw in book.FRAMEWORKS
           if fw in notebooks_for(parse(book.source_path(book.executed_edition(), page)))
           and any("d2l.train_ch6(" in cell.source
                   for cell in parse(book.source_path(book.executed_edition(), page)).cells
                   if cell.kind == "code" and fw in cell.frameworks)]


@pytest.mark.parametrize("page, framework", TRAINED)
def test_every_training_reports_its_results(executed_book, page, framework):
    nb = nbformat.read(executed_book / page / f"{framework}.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and "d2l.train_ch6(" in c.source]
    assert cells, f"{page} {framework}: no training cell ran"
    for cell in cells:
        report = executed.shown(cell)
        assert re.search(r"loss \d\.\d{3}, train acc \d\.\d{3}, test acc \d\.\d{3}", report), report
        assert re.search(r"[\d.]+ examples/sec on ", report)
        assert "quick" in report  # the quick profile says so in the training output
        meta = nb.metadata["d2l"]
        assert meta["results"], f"{page} {framework}: no training result recorded"

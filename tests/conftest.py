"""The built book, shared by every test that needs executed pages, the PDFs
or the site.

The fixtures go through the build's own entry points, so a test run on a
fresh clone executes, typesets and renders the whole book once (quick
profile), and a run after `make book PROFILE=quick` reuses its cache.
"""
import pytest

from scripts.environment import book
from scripts.render import html as build_html, pdf as build_pdf
from scripts.pipeline import execute, merge


@pytest.fixture(scope="session")
def executed_book():
    """Every page executed in every framework and edition (quick profile)."""
    assert execute.main(["--profile", "quick"]) == 0, "executing the book failed (see the log above)"
    return book.exec_dir("quick")


@pytest.fixture(scope="session")
def built_pdfs(executed_book):
    """The PDF of every edition and framework: {(edition, framework): path}."""
    assert build_pdf.main(["--profile", "quick"]) == 0, "typesetting the PDFs failed (see the log above)"
    return {(lang, fw): book.pdf_path(lang, fw) for lang in book.editions() for fw in book.FRAMEWORKS}


@pytest.fixture(scope="session")
def built_site(executed_book, built_pdfs):
    """Both editions merged and rendered with warnings as errors, their
    download menus offering the PDFs."""
    assert merge.main(["--profile", "quick"]) == 0
    assert build_html.main([]) == 0, "the HTML build failed (warnings are errors)"
    return book.html_dir()

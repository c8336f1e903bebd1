"""The built book, shared by every test that needs executed pages or the site.

Both fixtures go through the build's own entry points, so a test run on a
fresh clone executes and renders the whole book once (quick profile), and a
run after `make book PROFILE=quick` reuses its cache.
"""
import pytest

from scripts import book, build_html, execute, merge


@pytest.fixture(scope="session")
def executed_book():
    """Every page executed in every framework and edition (quick profile)."""
    assert execute.main(["--profile", "quick"]) == 0, "executing the book failed (see the log above)"
    return book.exec_dir("quick")


@pytest.fixture(scope="session")
def built_site(executed_book):
    """Both editions merged and rendered with warnings as errors."""
    assert merge.main(["--profile", "quick"]) == 0
    assert build_html.main([]) == 0, "the HTML build failed (warnings are errors)"
    return book.html_dir()

"""The built book, shared by every test that needs executed pages, the PDFs
or the site.

The fixtures go through the build's own entry points, so a test run on a
fresh clone executes, typesets and renders the whole book once (quick
profile), and a run after `make book PROFILE=quick` reuses its cache.

The pages that train in full on a CPU (`_config.yml`'s full_on_cpu) take
longer than all the rest: they execute in a process of their own, started
as soon as the quick book is executed, while the other tests run; the tests
that read them run last and wait for it.
"""
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.environment import book, profiles
from scripts.render import html as build_html, pdf as build_pdf
from scripts.pipeline import execute, merge

FULL_ON_CPU = "full_on_cpu_book"


def pytest_collection_modifyitems(items):
    """The tests of the full runs last (a stable sort keeps the order of the rest)."""
    items.sort(key=lambda item: FULL_ON_CPU in getattr(item, "fixturenames", ()))


class FullRuns:
    """`python -m scripts.pipeline.execute --profile auto` for the pages that
    run in full on a CPU, in the background, its output in a log. Two
    notebooks at a time, a thread each: with the tests beside them, the
    cores stay busy without more threads than cores."""

    LOG = book.BUILD / "exec" / "full-on-cpu.log"

    def __init__(self):
        pages = [arg for page in profiles.full_on_cpu() for arg in ("--page", page)]
        self.command = [sys.executable, "-m", "scripts.pipeline.execute", "--profile", "auto",
                        "--full-jobs", "2", *pages]
        self.process = None

    def start(self):
        if self.process is None:
            self.LOG.parent.mkdir(parents=True, exist_ok=True)
            with self.LOG.open("w") as log:
                self.process = subprocess.Popen(self.command, cwd=book.ROOT, stdout=log,
                                                stderr=subprocess.STDOUT)

    def wait(self) -> Path:
        self.start()
        status = self.process.wait()
        log = self.LOG.read_text(errors="replace")
        assert status == 0, (f"executing the full pages failed ({' '.join(self.command[1:])}, "
                             f"exit {status}); its log, {book.shown(self.LOG)}:\n{log[-6000:]}")
        return book.exec_dir("full")

    def stop(self):
        """Ctrl-C, as a reader would: the notebook it stops is not written."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def full_runs():
    runs = FullRuns()
    yield runs
    runs.stop()


@pytest.fixture(scope="session")
def executed_book(request):
    """Every page executed in every framework and edition (quick profile);
    then the full runs start, if a test will read them."""
    assert execute.main(["--profile", "quick"]) == 0, "executing the book failed (see the log above)"
    if any(FULL_ON_CPU in getattr(item, "fixturenames", ()) for item in request.session.items):
        request.getfixturevalue("full_runs").start()
    return book.exec_dir("quick")


@pytest.fixture(scope="session")
def full_on_cpu_book(full_runs):
    """The pages of `_config.yml`'s full_on_cpu executed under PROFILE=auto:
    in full, on this CPU (with the tests beside them, so their examples/sec
    are not the CPU's)."""
    return full_runs.wait()


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

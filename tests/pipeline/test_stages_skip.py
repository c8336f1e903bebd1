"""The writer's loop: the HTML stage renders an edition only when its inputs
changed (scripts/render/html.py), and the PDF stage typesets the PDFs that
need it in parallel, saying which were up to date (scripts/render/pdf.py).
Sphinx and LaTeX are replaced by stand-ins: this is about what runs when."""
import threading
import time

import pytest

from scripts.environment import book, inputs
from scripts.render import html, latex, pdf


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setattr(book, "BUILD", tmp_path / "_build")
    monkeypatch.setattr(html, "configure", lambda lang: book.site_source(lang))
    runs = []

    def sphinx(builder, src, out, doctrees):
        runs.append(src)
        out.mkdir(parents=True, exist_ok=True)
        (out / "index.html").write_text("<html></html>")
        return 0 if (src / "page.md").read_text() != "broken" else 1

    monkeypatch.setattr(html, "sphinx", sphinx)
    page = book.site_source("ko") / "page.md"
    page.parent.mkdir(parents=True)
    page.write_text("# A page")
    return page, runs


def test_an_unchanged_edition_is_not_rendered_again(site):
    page, runs = site
    assert html.build("ko") == (0, True)
    assert (html.doctrees("ko") / "inputs.sha256").exists()
    assert html.build("ko") == (0, False) and len(runs) == 1
    page.write_text("# A page, edited")
    assert html.build("ko") == (0, True) and len(runs) == 2
    assert html.build("ko", force=True) == (0, True) and len(runs) == 3


def test_a_failed_render_is_rendered_again(site):
    page, runs = site
    page.write_text("broken")
    assert html.build("ko") == (1, True)
    assert not (html.doctrees("ko") / "inputs.sha256").exists()
    assert html.build("ko") == (1, True) and len(runs) == 2


def test_a_new_pdf_in_the_download_menu_renders_the_edition_again(site):
    page, runs = site
    html.build("ko")
    target = book.pdf_path("ko", "pytorch")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"%PDF")
    assert html.build("ko") == (0, True)


def test_beside_the_pdfs_an_edition_renders_once_they_all_exist_and_not_again_for_their_content(site, capsys):
    # make book renders an edition while `make pdf` typesets, when its
    # download menu is final; the PDFs' content is copied afterwards.
    page, runs = site
    assert html.main(["--lang", "ko", "--beside-pdf"]) == 0 and runs == []
    assert "html: ko (rendered after the PDFs: mxnet, pytorch, tensorflow not built yet)" in capsys.readouterr().out
    for framework in book.FRAMEWORKS:
        target = book.pdf_path("ko", framework)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"%PDF typeset once")
    assert html.main(["--lang", "ko", "--beside-pdf"]) == 0 and len(runs) == 1
    assert not list(book.html_dir("ko").rglob("*.pdf")), "a PDF being typeset was copied"
    book.pdf_path("ko", "pytorch").write_bytes(b"%PDF typeset again")
    assert html.build("ko") == (0, False)


def test_pdfs_are_merged_in_turn_typeset_in_parallel_and_each_says_whether_it_was(monkeypatch, capsys, tmp_path):
    # Merging parses code with `ast`, which CPython 3.11 corrupts when
    # threads build trees at once (a fresh-clone CI failed so): merges run
    # in the calling thread; typesetting runs in other processes, side by side.
    monkeypatch.setattr(pdf, "missing_tools", lambda: [])
    monkeypatch.setattr(latex, "page_count", lambda path: 7)
    running, most, merged_in = set(), [0], set()
    lock = threading.Lock()

    def merged(lang, framework, request, state=None):
        merged_in.add(threading.current_thread())
        return None if framework == "mxnet" else tmp_path / framework   # mxnet: up to date

    def typeset_merged(lang, framework, request, src, state=None):
        with lock:
            running.add(framework)
            most[0] = max(most[0], len(running))
        time.sleep(0.2)
        with lock:
            running.discard(framework)
        return tmp_path / f"d2l-{lang}-{framework}.pdf"

    monkeypatch.setattr(pdf, "merged", merged)
    monkeypatch.setattr(pdf, "typeset_merged", typeset_merged)
    monkeypatch.setattr(book, "pdf_path", lambda lang, framework: tmp_path / f"d2l-{lang}-{framework}.pdf")
    assert pdf.main(["--profile", "quick", "--lang", "ko", "--jobs", "3"]) == 0
    out = capsys.readouterr().out
    assert merged_in == {threading.current_thread()}
    assert most[0] == 2, "the PDFs were typeset one after the other"
    assert "d2l-ko-mxnet.pdf (7 pages, up to date)" in out
    assert "d2l-ko-pytorch.pdf (7 pages, typeset in 0 s)" in out
    # printed in the book's order, whatever order they finished in
    assert out.index("mxnet") < out.index("pytorch") < out.index("tensorflow")


def test_an_edit_in_one_edition_leaves_the_other_editions_sources_as_they_were(monkeypatch, tmp_path):
    # The merge and PDF stages digest only their edition's sources (and the
    # shared bibliography): a Korean prose edit does not merge or typeset
    # the Chinese edition again.
    monkeypatch.setattr(book, "BOOK", tmp_path / "book")
    for lang in ("ko", "zh"):
        (book.BOOK / lang / "img").mkdir(parents=True)
        (book.BOOK / lang / "page.md").write_text(f"# {lang}")
        (book.BOOK / lang / "img" / "figure.svg").write_text("<svg/>")
    (book.BOOK / "references.bib").write_text("@book{a,}")
    before = {lang: inputs.edition_sources(lang) for lang in ("ko", "zh")}
    (book.BOOK / "ko" / "page.md").write_text("# ko, edited")
    assert inputs.edition_sources("ko") != before["ko"] and inputs.edition_sources("zh") == before["zh"]
    (book.BOOK / "zh" / "img" / "figure.svg").write_text("<svg></svg>")
    assert inputs.edition_sources("zh") != before["zh"]
    after = {lang: inputs.edition_sources(lang) for lang in ("ko", "zh")}
    (book.BOOK / "references.bib").write_text("@book{b,}")
    assert all(inputs.edition_sources(lang) != after[lang] for lang in ("ko", "zh"))

"""One execution per page and framework for both editions: the editions'
code must be identical (checked before anything runs), prose in either
edition keeps the cache, and each edition shows its own language of what
`d2l` localizes."""
import shutil
from pathlib import Path

import pytest

from scripts.environment import book
from scripts.pipeline import code_parity, execute
from scripts.environment.book import FRAMEWORKS
from scripts.pipeline.execute import execute_source
from scripts.pipeline.merge import merge_source
from scripts.pipeline.source import parse
from scripts.pipeline.split import split

FIXTURES = Path(__file__).parent / "fixtures"
PAGE = "chapter/page"


@pytest.fixture
def two_editions(tmp_path, monkeypatch):
    """A book of one page in ko and zh with the same code and other prose."""
    text = (FIXTURES / "good.md").read_text()
    sources = {"ko": text.replace("Common prose.", "공통 본문."),
               "zh": text.replace("Common prose.", "共同的正文。")}
    for lang, content in sources.items():
        path = tmp_path / "book" / lang / f"{PAGE}.md"
        path.parent.mkdir(parents=True)
        path.write_text(content)
    monkeypatch.setattr(book, "BOOK", tmp_path / "book")
    monkeypatch.setattr(book, "BUILD", tmp_path / "_build")
    monkeypatch.setattr(book, "pages", lambda: [PAGE])
    return tmp_path


def test_same_code_other_prose_is_parity(two_editions):
    assert code_parity.page_differences(PAGE) == []


def test_code_that_differs_names_page_framework_and_both_lines(two_editions):
    zh = book.source_path("zh", PAGE)
    zh.write_text(zh.read_text().replace("print('pt')", "print('pt!')"))
    problems = code_parity.page_differences(PAGE)
    assert problems == [f"page {PAGE}, framework pytorch: code cell 2 differs between the editions: "
                        f"{book.source_path('ko', PAGE)}:25 and {zh}:25"]
    # A cell only one edition has is a difference too, named where it is.
    zh.write_text(zh.read_text() + "\n```{code-cell} ipython3\n:tags: [mxnet]\nprint(1)\n```\n")
    problems = code_parity.page_differences(PAGE)
    assert any("framework mxnet: code cell 4" in p and "(no such cell)" in p for p in problems)


def test_comments_are_each_editions_own(two_editions):
    """Comments explain the code in the edition's language: they are not
    what runs, so they neither break parity nor execute anything."""
    ko, zh = book.source_path("ko", PAGE), book.source_path("zh", PAGE)
    target = book.executed_path("quick", PAGE, "pytorch")
    assert execute_source(ko, target, PAGE, "pytorch", "quick", two_editions).executed
    ko.write_text(ko.read_text().replace("print('pt')", "print('pt')  # 파이토치만"))
    zh.write_text(zh.read_text().replace("print('pt')", "# 只有 PyTorch\nprint('pt')"))
    assert code_parity.page_differences(PAGE) == []
    assert not execute_source(zh, target, PAGE, "pytorch", "quick", two_editions).executed
    # A comment sign inside a string is code, not a comment.
    zh.write_text(zh.read_text().replace("print('pt')", "print('pt  # !')"))
    assert len(code_parity.page_differences(PAGE)) == 1


def read_first_cell():
    """What the check page below reads of the book: the page's first code cell."""
    return [next(c.source for c in parse(book.source_path("ko", PAGE)).cells if c.kind == "code")]


def test_a_page_run_once_follows_only_the_code_it_reads(two_editions):
    """The equivalence appendix runs model code of the chapters: its cache
    follows that code (front matter `reads`), not every cell of the book."""
    checks = parse("checks.md", "---\nd2l:\n  execute: once\n  reads: "
                   "tests.pipeline.test_editions:read_first_cell\n---\n# Checks\n\n"
                   "```{code-cell} ipython3\nprint(1)\n```\n")
    nb, _ = split(checks, "all")
    before = execute.cache_key(nb, "all", "quick")
    for lang in ("ko", "zh"):  # a cell it does not read, in both editions
        path = book.source_path(lang, PAGE)
        path.write_text(path.read_text().replace("print('pt')", "print('pt!')"))
    assert execute.cache_key(nb, "all", "quick") == before
    for lang in ("ko", "zh"):  # the cell it reads
        path = book.source_path(lang, PAGE)
        path.write_text(path.read_text().replace("x = 6 * 7", "x = 7 * 6"))
    assert execute.cache_key(nb, "all", "quick") != before


def test_a_page_run_once_follows_only_the_build_modules_it_imports(tmp_path, monkeypatch):
    """The appendix imports scripts.checks.equivalence: a change in another build
    module (the PDF's, say) executes nothing."""
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "check.py").write_text("from scripts.table import ROWS\n\ndef run():\n"
                                      "    from scripts import helper\n")
    (scripts / "table.py").write_text("ROWS = 1\n")
    (scripts / "helper.py").write_text("import os\n")
    (scripts / "typeset.py").write_text("from scripts import check\n")
    monkeypatch.setattr(book, "ROOT", tmp_path)
    monkeypatch.setattr(book, "D2L", tmp_path / "d2l")
    monkeypatch.setattr(book, "pages", lambda: [])
    code = ["from scripts import check as c  # the page's cell\nc.run()"]
    assert execute.scripts_read(code) == [scripts / "check.py", scripts / "helper.py", scripts / "table.py"]
    before = execute.library_hash("all", code=code)
    (scripts / "typeset.py").write_text("from scripts import check, table\n")
    assert execute.library_hash("all", code=code) == before
    (scripts / "table.py").write_text("ROWS = 2\n")
    assert execute.library_hash("all", code=code) != before


def test_a_page_run_once_follows_a_build_package_and_its_relative_imports(tmp_path, monkeypatch):
    """The appendix imports a package (scripts/checks/equivalence/): its
    modules, reached by absolute or relative imports, are what it runs."""
    package = tmp_path / "scripts" / "checks" / "eq"
    (package / "adapters").mkdir(parents=True)
    (package / "__init__.py").write_text("from scripts.checks.eq.compare import run\n")
    (package / "compare.py").write_text("from .adapters import ADAPTERS\nfrom . import table\n")
    (package / "table.py").write_text("ROWS = 1\n")
    (package / "adapters" / "__init__.py").write_text("from .torch import Torch\nADAPTERS = [Torch]\n")
    (package / "adapters" / "torch.py").write_text("from ..table import ROWS\nclass Torch: pass\n")
    (package / "unused.py").write_text("x = 1\n")
    monkeypatch.setattr(book, "ROOT", tmp_path)
    monkeypatch.setattr(book, "D2L", tmp_path / "d2l")
    read = execute.scripts_read(["from scripts.checks import eq"])
    assert [p.relative_to(package).as_posix() for p in read if package in p.parents] == [
        "__init__.py", "adapters/__init__.py", "adapters/torch.py", "compare.py", "table.py"]


def test_build_refuses_to_execute_editions_whose_code_differs(two_editions, capsys):
    zh = book.source_path("zh", PAGE)
    zh.write_text(zh.read_text().replace("x = 6 * 7", "x = 7 * 6"))
    assert execute.main(["--profile", "quick"]) == 2
    err = capsys.readouterr().err
    assert f"{book.source_path('ko', PAGE)}:15 and {zh}:15" in err
    assert "nothing was executed" in err
    assert not (two_editions / "_build" / "exec").exists()


def test_prose_of_either_edition_keeps_the_one_execution(two_editions):
    target = book.executed_path("quick", PAGE, "mxnet")
    ko, zh = book.source_path("ko", PAGE), book.source_path("zh", PAGE)
    assert execute_source(ko, target, PAGE, "mxnet", "quick", two_editions).executed
    assert not execute_source(zh, target, PAGE, "mxnet", "quick", two_editions).executed
    ko.write_text(ko.read_text().replace("공통 본문.", "다른 문장."))
    assert not execute_source(ko, target, PAGE, "mxnet", "quick", two_editions).executed


def test_each_edition_shows_its_language_of_one_execution(tmp_path):
    sources = {}
    for lang, prose in (("ko", "d2l이 지역화하는 출력."), ("zh", "d2l 本地化的输出。")):
        sources[lang] = tmp_path / lang / "localized.md"
        sources[lang].parent.mkdir()
        sources[lang].write_text((FIXTURES / "localized.md").read_text()
                                 .replace("What `d2l` localizes is made once for every edition.", prose))
    paths = {fw: tmp_path / f"{fw}.ipynb" for fw in FRAMEWORKS}
    for fw in FRAMEWORKS:
        outcome = execute_source(sources["ko"], paths[fw], "localized", fw, "quick", tmp_path)
        assert outcome.error is None
    words = {"ko": ("에포크", "훈련 손실"), "zh": ("迭代周期", "训练损失")}
    for lang, (epoch, loss) in words.items():
        out = tmp_path / "site" / lang / "localized.md"
        files = merge_source(sources[lang], paths, out, lang, "quick")
        page = files[out].decode()
        # Said, drawn, printed, in that order (under tabs where the frameworks'
        # kernels, on numpy 1 and 2, wrote the SVG's numbers differently).
        assert page.index(epoch) < page.index("_outputs/") < page.index("\nloss 0.500\n")
        svgs = [content.decode() for path, content in files.items() if path.suffix == ".svg"]
        assert svgs and all(f">{loss}</text>" in svg and f">{epoch}</text>" in svg for svg in svgs)
        other = words["zh" if lang == "ko" else "ko"]
        assert not any(word in text for word in other for text in (page, *svgs))

"""Malformed sources are reported by `scripts.pipeline.execute` with file:line and a
fix before anything executes: a code fence left open in one edition or both,
front matter that is not YAML, a figure whose file is missing and a citation
key that is not in the bibliography. The bibliography's own labels are
initials and years."""
import re
from pathlib import Path

import pytest

from scripts.environment import book
from scripts.pipeline import execute

FIXTURES = Path(__file__).parent / "fixtures"
PAGE = "chapter/page"


@pytest.fixture
def two_editions(tmp_path, monkeypatch):
    """A book of one page in ko and zh, a figure and a bibliography of one entry."""
    text = (FIXTURES / "good.md").read_text()
    for lang in ("ko", "zh"):
        path = tmp_path / "book" / lang / f"{PAGE}.md"
        path.parent.mkdir(parents=True)
        path.write_text(text + "\n```{figure} ../img/net.svg\n:name: fig-net\n\nA net.\n```\n\n"
                        "As shown by {cite:p}`LeCun.Bottou.Bengio.ea.1998`.\n")
        (tmp_path / "book" / lang / "img").mkdir()
        (tmp_path / "book" / lang / "img" / "net.svg").write_text("<svg/>")
    (tmp_path / "book" / "references.bib").write_text(
        "@article{LeCun.Bottou.Bengio.ea.1998,\n  title = {Gradient-based learning},\n  year = {1998}\n}\n")
    monkeypatch.setattr(book, "BOOK", tmp_path / "book")
    monkeypatch.setattr(book, "BUILD", tmp_path / "_build")
    monkeypatch.setattr(book, "pages", lambda: [PAGE])
    return tmp_path


def edit(lang, old, new):
    path = book.source_path(lang, PAGE)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path, text[:text.index(old)].count("\n") + 1


def reported(capsys):
    """execute's exit status and what it printed, having executed nothing."""
    status = execute.main(["--profile", "quick"])
    assert not (book.BUILD / "exec").exists() or not list((book.BUILD / "exec").rglob("*.ipynb"))
    return status, capsys.readouterr().err


def test_the_valid_book_has_no_problem(two_editions):
    from scripts.pipeline import code_parity, source_checks
    assert code_parity.differences([PAGE]) == [] and source_checks.problems([PAGE]) == []


@pytest.mark.parametrize("editions", [("ko",), ("ko", "zh")])
def test_a_code_fence_left_open_is_named_with_its_line(two_editions, capsys, editions):
    for lang in editions:
        # The closing line of the first code cell is gone.
        path, line = edit(lang, "x = 6 * 7\nprint(x)\n```\n", "x = 6 * 7\nprint(x)\n")
    status, err = reported(capsys)
    assert status == 2
    first = book.source_path(editions[0], PAGE)
    assert f"{first}:{line - 1}: code cell opened here is not closed before the code cell at line" in err
    assert "add a line with ``` where it ends" in err
    assert "differs between the editions" not in err


def test_front_matter_that_is_not_yaml_names_its_line(two_editions, capsys):
    path, line = edit("zh", "  name: python3\n", "  name: python3: again\n")
    status, err = reported(capsys)
    assert status == 2
    assert f"{path}:{line}: front matter is not valid YAML" in err and "fix that line" in err


def test_a_missing_figure_file_names_its_line(two_editions, capsys):
    path, line = edit("ko", "{figure} ../img/net.svg", "{figure} ../img/nett.svg")
    status, err = reported(capsys)
    assert status == 2
    assert f"{path}:{line}: the figure file ../img/nett.svg does not exist" in err
    assert "add it there or correct the path" in err


def test_an_unknown_citation_key_names_its_line_and_the_closest(two_editions, capsys):
    path, line = edit("zh", "LeCun.Bottou.Bengio.ea.1998`", "LeCun.Bottou.Bengio.1998`")
    status, err = reported(capsys)
    assert status == 2
    assert f"{path}:{line}: citation key LeCun.Bottou.Bengio.1998 is not in" in err
    assert "did you mean LeCun.Bottou.Bengio.ea.1998?" in err


@pytest.mark.parametrize("lang, old, new, char", [
    # A Chinese comma left at the end of a display formula.
    ("zh", "As shown by", "$$\ny = x，\n$$\n\nAs shown by", "，"),
    # Hangul in an inline formula, outside \text{}.
    ("ko", "As shown by", "The size $n_{출력}$ follows.\n\nAs shown by", "출"),
])
def test_cjk_inside_a_formula_names_its_line(two_editions, capsys, lang, old, new, char):
    path, line = edit(lang, old, new)
    status, err = reported(capsys)
    assert status == 2
    offset = new.count("\n", 0, new.index(char))
    assert f"{path}:{line + offset}: {char!r} inside a formula" in err
    assert "math fonts have no glyph" in err


def test_cjk_in_text_of_a_formula_or_in_code_is_fine(two_editions):
    from scripts.pipeline import formulas
    path, _ = edit("ko", "As shown by", "$$\nn_{\\text{출력}} = 1\n$$\n\n```python\ncost = '$5，$6'\n```\n\nAs shown by")
    assert formulas.problems(path) == []


def test_order_last_on_a_page_split_per_framework_names_its_line(two_editions, capsys):
    # Only a page run once in one kernel can wait for the others' executions.
    path, line = edit("ko", "kernelspec:\n", "d2l:\n  order: last\nkernelspec:\n")
    status, err = reported(capsys)
    assert status == 2
    assert f"{path}:{line + 1}: only a page executed once (d2l: {{execute: once}}) can run last" in err


def test_the_bibliographys_labels_are_initials_and_years():
    # pybtex's alpha labels take a whole surname written with a TeX accent
    # ("Doll{\'a}r" gave [GDollarG+17] on the references pages): accented
    # names are written in UTF-8.
    from pybtex.database import parse_file
    from pybtex.style.labels.alpha import LabelStyle

    entries = parse_file(book.BOOK / "references.bib", "bibtex").entries.values()
    for label in LabelStyle().format_labels(entries):
        assert not re.search(r"[a-z]{3}", label), \
            f"label {label}: an accented surname written in TeX, not UTF-8?"

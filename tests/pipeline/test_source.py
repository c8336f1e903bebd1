"""Parsing chapter sources and splitting them per framework."""
from pathlib import Path

import pytest

from scripts.environment.book import FRAMEWORKS
from scripts.pipeline.source import SourceError, parse
from scripts.pipeline.split import split

FIXTURES = Path(__file__).parent / "fixtures"


def test_cells_keep_kind_line_and_frameworks():
    page = parse(FIXTURES / "good.md")
    summary = [(c.kind, c.line, c.frameworks) for c in page.cells]
    assert summary == [
        ("markdown", 11, FRAMEWORKS),
        ("code", 15, FRAMEWORKS),
        ("code", 20, ("mxnet",)),
        ("code", 25, ("pytorch",)),
        ("markdown", 32, ("pytorch",)),
        ("code", 36, ("tensorflow",)),
        ("markdown", 43, FRAMEWORKS),
        ("code", 51, ("mxnet", "pytorch")),
    ]
    assert "not a cell" in page.cells[6].source  # fenced example stays prose
    assert page.front_matter["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_split_keeps_common_and_own_cells(framework):
    page = parse(FIXTURES / "good.md")
    nb, origin = split(page, framework)
    expected = [i for i, c in enumerate(page.cells) if framework in c.frameworks]
    assert origin == expected
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    others = {"mxnet": "'mx'", "pytorch": "'pt'", "tensorflow": "'tf'"}
    for fw, marker in others.items():
        assert (marker in code) == (fw == framework)
    assert all(fw not in c.metadata.get("tags", []) for c in nb.cells for fw in FRAMEWORKS)
    if framework == "pytorch":
        assert nb.cells[origin.index(3)].metadata["tags"] == ["hide-output"]


def test_split_is_deterministic():
    page = parse(FIXTURES / "good.md")
    assert split(page, "pytorch")[0] == split(page, "pytorch")[0]


@pytest.mark.parametrize("name, line, words", [
    ("unknown_tag.md", 3, "unknown tag 'pytroch'"),
    ("unclosed.md", 5, "never closed"),
    ("heading_in_tab.md", 5, "heading cannot be marked"),
    ("bad_metadata.md", 3, "not valid JSON"),
    ("once_marked.md", 8, "executed once"),
])
def test_malformed_sources_name_file_and_line(name, line, words):
    with pytest.raises(SourceError) as err:
        parse(FIXTURES / name)
    assert str(err.value).startswith(f"{FIXTURES / name}:{line}: ")
    assert words in str(err.value)
    assert err.value.line == line


def test_code_options_block_must_be_a_mapping(tmp_path):
    source = tmp_path / "list_options.md"
    source.write_text("# Page\n\n```{code-cell} ipython3\n---\n- pytorch\n---\nx = 1\n```\n")
    with pytest.raises(SourceError, match=r"list_options.md:4: code-cell options must be a mapping"):
        parse(source)


def test_code_cell_closes_with_a_longer_fence(tmp_path):
    source = tmp_path / "long_fence.md"
    source.write_text("# Page\n\n```{code-cell} ipython3\nx = 1\n`````\n\nProse.\n")
    page = parse(source)
    assert [c.source for c in page.cells if c.kind == "code"] == ["x = 1"]

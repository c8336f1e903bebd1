"""The Colab notebooks under notebooks/: up to date with the chapter sources,
without outputs, and set up to install what Colab lacks."""
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from scripts.environment import book
from scripts.notebooks import export, release
from scripts.pipeline.source import parse
from scripts.pipeline.split import split

PAGE = "chapter_convolutional-modern/vgg"
NOTEBOOKS = sorted(export.expected())


def read(rel: Path):
    return nbformat.read(book.NOTEBOOKS / rel, as_version=4)


def describe(rel: Path) -> tuple[str, str, str]:
    """(lang, framework, page) of a notebook path relative to notebooks/."""
    lang, framework, *page = rel.with_suffix("").parts
    return lang, framework, "/".join(page)


def test_the_chapter_has_a_notebook_per_edition_and_framework():
    assert {describe(rel) for rel in NOTEBOOKS} >= {
        (lang, fw, PAGE) for lang in book.editions() for fw in book.FRAMEWORKS}


def test_committed_notebooks_are_up_to_date():
    problems = export.stale()
    assert not problems, export.check_message(problems)


def test_check_names_each_stale_notebook_and_the_command(tmp_path):
    sources, out = tmp_path / "book", tmp_path / "notebooks"
    shutil.copytree(book.BOOK, sources)
    export.export(sources, out)
    assert export.stale(sources, out) == []

    # Delete a PyTorch-only cell from the Korean source without regenerating.
    source = sources / "ko" / f"{PAGE}.md"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    cell = next(c for c in parse(source).cells if c.kind == "code" and c.frameworks == ("pytorch",))
    opening = cell.line - 1
    fence = re.match(r"`+", lines[opening]).group(0)
    closing = next(i for i in range(opening + 1, len(lines)) if lines[i].strip() == fence)
    source.write_text("".join(lines[:opening] + lines[closing + 1:]), encoding="utf-8")
    problems = export.stale(sources, out)
    stale_notebook = out / "ko" / "pytorch" / f"{PAGE}.ipynb"
    assert problems == [(stale_notebook, "out of date")]
    message = export.check_message(problems)
    assert str(stale_notebook) in message and "make notebooks" in message

    # A missing notebook and a left-over one are reported too; export fixes all.
    (out / "zh" / "mxnet" / f"{PAGE}.ipynb").unlink()
    (out / "zh" / "mxnet" / "old.ipynb").write_text("{}")
    reasons = {path.relative_to(out).as_posix(): why for path, why in export.stale(sources, out)}
    assert reasons == {f"ko/pytorch/{PAGE}.ipynb": "out of date", f"zh/mxnet/{PAGE}.ipynb": "missing",
                       "zh/mxnet/old.ipynb": "no page with code produces it"}
    export.export(sources, out)
    assert export.stale(sources, out) == []


def test_pages_executed_once_get_no_notebooks(tmp_path):
    sources = tmp_path / "book"
    shutil.copytree(book.BOOK, sources)
    (sources / "ko" / f"{PAGE}.md").write_text(
        "---\nd2l:\n  execute: once\n---\n# Checks\n\n```{code-cell} ipython3\nprint(1)\n```\n",
        encoding="utf-8")
    made = {describe(rel) for rel in export.expected(sources)}
    assert not {(lang, page) for lang, _, page in made} & {("ko", PAGE)}
    assert ("zh", "pytorch", PAGE) in made


@pytest.mark.parametrize("rel", NOTEBOOKS, ids=str)
def test_no_outputs_counts_or_volatile_metadata(rel):
    nb = read(rel)
    nbformat.validate(nb)
    for cell in nb.cells:
        assert set(cell.metadata) <= {"tags"}
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert set(nb.metadata) <= {"kernelspec", "language_info", "accelerator", "colab"}
    assert len({cell.id for cell in nb.cells}) == len(nb.cells)


@pytest.mark.parametrize("rel", NOTEBOOKS, ids=str)
def test_first_cell_links_to_the_website_page(rel):
    lang, framework, page = describe(rel)
    first = read(rel).cells[0]
    assert first.cell_type == "markdown"
    assert f"]({book.config()['html']['baseurl']}{lang}/{page}.html)" in first.source
    assert book.FRAMEWORK_LABELS[framework] in first.source


@pytest.mark.parametrize("rel", NOTEBOOKS, ids=str)
def test_install_cell_fits_the_framework(rel):
    lang, framework, page = describe(rel)
    nb = read(rel)
    install = nb.cells[1].source
    repo, record = book.config()["repository"], release.read()
    # The commit that holds the d2l the notebooks were made with, not a branch.
    assert f'"d2l @ git+{repo["url"]}@{record["commit"]}"' in install
    minutes = export.cpu_minutes(page, framework)
    if minutes is None:
        assert "gpu_notice" not in install
    else:
        module = "torch" if framework == "pytorch" else framework
        assert install.endswith(f'environment.gpu_notice("{module}", cpu_minutes={minutes})')
    assert f'os.environ["D2L_LANG"] = "{lang}"' in install
    # TensorFlow's oneDNN kernels, turned on before anything imports TensorFlow (gpu_notice does).
    lines = install.splitlines()
    if framework == "tensorflow":
        assert export.ONEDNN in lines
        if minutes is not None:
            assert lines.index(export.ONEDNN) < len(lines) - 1   # before the notice, the last line
    else:
        assert "ONEDNN" not in install
    pip = [line for line in install.splitlines() if line.lstrip().startswith("%pip install")]
    assert len(pip) == 1
    if framework == "mxnet":
        assert all(req in pip[0] for req in ('"numpy<2"', "mxnet==1.9.1", "setuptools"))
        # Restart only while numpy 2 is loaded, so a second run just continues.
        restart = install.index('if int(numpy.__version__.split(".")[0]) >= 2:')
        assert restart < install.index("print(") < install.index("    os.kill(os.getpid(), 9)")
        assert "accelerator" not in nb.metadata
        assert "CPU" in nb.cells[0].source and "CUDA 11" in nb.cells[0].source
    else:
        # Colab's own PyTorch or TensorFlow, on a GPU runtime.
        assert not re.search(r"\b(torch|tensorflow)\b", pip[0])
        assert nb.metadata["accelerator"] == "GPU" and nb.metadata["colab"]["gpuType"]


@pytest.mark.parametrize("rel", NOTEBOOKS, ids=str)
def test_cells_after_the_install_cell_are_the_split_of_the_source(rel):
    lang, framework, page = describe(rel)
    split_nb, _ = split(parse(book.source_path(lang, page)), framework)
    cells = read(rel).cells[2:]
    assert [c.source for c in cells if c.cell_type == "code"] == \
        [c.source for c in split_nb.cells if c.cell_type == "code"]
    assert [c.id for c in cells] == [c.id for c in split_nb.cells]
    prose = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    # MyST syntax that Colab would show raw is rewritten for it.
    assert not re.search(r"\{(ref|numref|figure|cite:[pt]|dropdown)\}|^\([\w-]+\)=", prose, re.MULTILINE)
    source = book.source_path(lang, page).read_text(encoding="utf-8")
    for image in re.findall(r"\{figure\}\s+\S*/(\S+)", source):   # the website serves the figures
        assert f"{lang}/_images/{image}" in prose
    assert prose.count("<details>") == prose.count("</details>") == source.count("{dropdown}")


def test_cross_references_and_citations_link_the_right_page():
    site = f"{book.config()['html']['baseurl']}ko/"
    where = export.Edition("ko", {"sec-vgg-block": ("chapter_convolutional-modern/vgg", "VGG 블록")},
                                     {"Lin.Chen.Yan.2013": ("Lin et al.", "2013")})
    text = export.colab_markdown(
        "See {ref}`sec-vgg-block` {cite:p}`Lin.Chen.Yan.2013`.\n\n"
        "1. Q?\n\n   :::{dropdown} 힌트\n   A.\n   :::\n", "chapter_convolutional-modern/nin", where)
    assert f"[VGG 블록]({site}chapter_convolutional-modern/vgg.html#sec-vgg-block)" in text
    assert f"([Lin et al., 2013]({site}references.html))" in text
    assert "   <details><summary>힌트</summary>\n\n   A.\n\n   </details>" in text


def test_the_repository_url_lives_only_in_the_config():
    assert "github.com" not in Path(export.__file__).read_text(encoding="utf-8")

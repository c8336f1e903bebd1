"""Executing fixture pages per framework, the cache, failures, and merging."""
import shutil
from pathlib import Path

import pytest

from scripts.environment import book
from scripts.environment.book import FRAMEWORKS
from scripts.pipeline.execute import execute_source
from scripts.pipeline.merge import MergeError, merge_source

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    root = tmp_path_factory.mktemp("exec")
    source = root / "good.md"
    shutil.copy(FIXTURES / "good.md", source)
    paths = {fw: root / f"{fw}.ipynb" for fw in FRAMEWORKS}
    outcomes = {fw: execute_source(source, paths[fw], "good", fw, "quick", root)
                for fw in FRAMEWORKS}
    return source, paths, outcomes


def test_every_framework_executes(executed):
    _, paths, outcomes = executed
    assert all(o.executed and o.error is None for o in outcomes.values())
    assert all(p.exists() for p in paths.values())


def test_second_run_is_cached_and_code_change_is_not(executed, tmp_path):
    source, paths, _ = executed
    again = execute_source(source, paths["mxnet"], "good", "mxnet", "quick", tmp_path)
    assert not again.executed
    # Another profile is another cache entry.
    other = tmp_path / "full.ipynb"
    shutil.copy(paths["mxnet"], other)
    assert execute_source(source, other, "good", "mxnet", "full", tmp_path).executed
    changed = tmp_path / "good.md"
    changed.write_text(source.read_text().replace("print('mx')", "print('mx!')"))
    copy = tmp_path / "mx.ipynb"
    shutil.copy(paths["mxnet"], copy)
    assert execute_source(changed, copy, "good", "mxnet", "quick", tmp_path).executed
    # A prose-only or other-framework change leaves this framework's cache valid.
    prose = tmp_path / "prose.md"
    prose.write_text(source.read_text().replace("Common prose.", "Other prose.")
                     .replace("print('tf')", "print('tf!')"))
    shutil.copy(paths["mxnet"], copy)
    assert not execute_source(prose, copy, "good", "mxnet", "quick", tmp_path).executed


def test_truncated_cache_is_executed_again(executed, tmp_path):
    source, paths, _ = executed
    broken = tmp_path / "mx.ipynb"
    broken.write_text(paths["mxnet"].read_text()[:100])  # as an interrupted write would
    assert execute_source(source, broken, "good", "mxnet", "quick", tmp_path).executed
    assert not execute_source(source, broken, "good", "mxnet", "quick", tmp_path).executed
    assert [p.name for p in tmp_path.iterdir() if "results" in p.name or "partial" in p.name] == []


def test_failing_cell_names_page_framework_cell_and_line(tmp_path):
    source = tmp_path / "broken.md"
    source.write_text((FIXTURES / "good.md").read_text().replace("print('pt')", "print(undefined_name)"))
    outcome = execute_source(source, tmp_path / "pt.ipynb", "broken", "pytorch", "quick", tmp_path)
    assert outcome.error is not None
    first = outcome.error.splitlines()[0]
    assert "page broken," in first and "framework pytorch" in first
    assert "cell 3 of the pytorch notebook" in first and f"{source}:25" in first
    assert "NameError" in outcome.error
    assert not (tmp_path / "pt.ipynb").exists()


def test_merge_shows_common_cells_once_and_marked_cells_as_tabs(executed, tmp_path):
    source, paths, _ = executed
    files = merge_source(source, paths, tmp_path / "good.md", "ko", "quick")
    text = files[tmp_path / "good.md"].decode()
    assert text.count("x = 6 * 7") == 1 and text.count("\n42\n") == 1
    assert text.count("{tab-set}") == 2
    assert text.count(":sync-group: framework") == 2
    for fw, label in (("mxnet", "MXNet"), ("pytorch", "PyTorch"), ("tensorflow", "TensorFlow")):
        assert f"{{tab-item}} {label}\n:sync: {fw}" in text
    # The cell for two frameworks shows under both tabs, with each one's output.
    assert text.count("print('two of three')") == 2
    assert "Only for PyTorch readers." in text
    assert "**실행 기록**" in text and "quick" in text
    assert "not a cell" in text


@pytest.mark.parametrize("framework, shown, hidden", [
    ("pytorch", ["print('pt')", "Only for PyTorch readers.", "print('two of three')"],
     ["print('mx')", "print('tf')"]),
    ("tensorflow", ["print('tf')"],
     ["print('mx')", "print('pt')", "Only for PyTorch readers.", "print('two of three')"]),
])
def test_merge_for_one_framework_has_its_cells_and_no_tabs(executed, tmp_path, framework, shown, hidden):
    source, paths, _ = executed
    text = merge_source(source, paths, tmp_path / "good.md", "zh", "quick",
                        framework=framework)[tmp_path / "good.md"].decode()
    assert "{tab-set}" not in text and "{tab-item}" not in text
    assert text.count("x = 6 * 7") == 1 and text.count("\n42\n") == 1
    for snippet in shown:
        assert text.count(snippet) == 1, snippet
    for snippet in hidden:
        assert snippet not in text, snippet
    # The stamp names this framework's execution only.
    stamp = text.split(":::{container} d2l-stamp", 1)[1].split(":::", 1)[0]
    labels = {"mxnet": "MXNet", "pytorch": "PyTorch", "tensorflow": "TensorFlow"}
    assert "**执行记录**" in stamp and labels[framework] in stamp
    assert f"· d2l {book.d2l_version()} ·" in stamp   # the d2l the outputs come from
    assert not any(label in stamp for fw, label in labels.items() if fw != framework)


def test_merge_refuses_stale_outputs(executed, tmp_path):
    source, paths, _ = executed
    changed = tmp_path / "good.md"
    changed.write_text(source.read_text().replace("print('tf')", "print('TF')"))
    with pytest.raises(MergeError, match="stale"):
        merge_source(changed, paths, tmp_path / "out.md", "ko", "quick")


def test_dead_kernel_names_the_cell(tmp_path):
    source = tmp_path / "crash.md"
    source.write_text((FIXTURES / "good.md").read_text()
                      .replace("print('tf')", "import os\nos._exit(3)"))
    outcome = execute_source(source, tmp_path / "tf.ipynb", "crash", "tensorflow", "quick", tmp_path)
    assert "framework tensorflow, cell 3 of the tensorflow notebook" in outcome.error
    assert "kernel log" in outcome.error


def test_results_table_under_the_tabs_that_trained(tmp_path):
    source = tmp_path / "two_trainings.md"
    shutil.copy(FIXTURES / "two_trainings.md", source)
    paths = {fw: tmp_path / f"{fw}.ipynb" for fw in FRAMEWORKS}
    for fw in FRAMEWORKS:
        assert execute_source(source, paths[fw], "two", fw, "quick", tmp_path).error is None
    text = merge_source(source, paths, tmp_path / "out.md", "zh", "quick")[tmp_path / "out.md"].decode()
    tables = [part.split(":::", 1)[0] for part in text.split(":::{container} d2l-results")[1:]]
    assert len(tables) == 2
    for table, loss in zip(tables, ("0.111", "0.222")):
        rows = [line for line in table.splitlines() if line.startswith("| ") and loss in line]
        assert [row.split(" | ")[0] for row in rows] == ["| MXNet", "| PyTorch", "| TensorFlow"]
    assert "0.333 |" not in text
    assert text.index("No training above") < text.index("d2l-results")
    # One framework's page (a PDF's) shows its own row under each training.
    text = merge_source(source, paths, tmp_path / "out.md", "zh", "quick",
                        framework="pytorch")[tmp_path / "out.md"].decode()
    rows = [line.split(" | ")[0] for line in text.splitlines() if line.startswith("| ") and "0." in line]
    assert rows == ["| PyTorch", "| PyTorch"]


def test_prose_blocks_added_or_removed_after_execution(tmp_path):
    """Prose changes keep the cache; outputs and results must still land under
    their own cells."""
    source = tmp_path / "two_trainings.md"
    shutil.copy(FIXTURES / "two_trainings.md", source)
    paths = {fw: tmp_path / f"{fw}.ipynb" for fw in FRAMEWORKS}
    for fw in FRAMEWORKS:
        assert execute_source(source, paths[fw], "two", fw, "quick", tmp_path).error is None
    text = source.read_text()
    text = text.replace("No training above; a first one below.\n",
                        '+++ {"tags": ["pytorch"]}\n\nA PyTorch-only note.\n\n+++\n\n'
                        "No training above; a first one below.\n")
    text = text.replace("A common cell that trains is not under tabs: no table.\n", "")
    source.write_text(text)
    for fw in FRAMEWORKS:  # still cached
        assert not execute_source(source, paths[fw], "two", fw, "quick", tmp_path).executed
    merged = merge_source(source, paths, tmp_path / "out.md", "ko", "quick")[tmp_path / "out.md"].decode()
    assert "A PyTorch-only note." in merged
    tables = [part.split(":::", 1)[0] for part in merged.split(":::{container} d2l-results")[1:]]
    assert [t.count("0.111 |") for t in tables] == [3, 0]
    assert [t.count("0.222 |") for t in tables] == [0, 3]
    assert merged.index("train(0.111)") < merged.index("0.111 |") < merged.index("train(0.222)")


def test_an_output_image_keeps_the_alt_text_its_maker_gave_it(tmp_path):
    """d2l's plots put their alt text in the output's metadata; the merged
    page passes it to the image, quoted whole; an image without one gets none
    (the site's test then names it)."""
    import nbformat

    from scripts.pipeline.merge import Assets, render_outputs

    svg = '<svg xmlns="http://www.w3.org/2000/svg"/>'
    described = nbformat.v4.new_output(
        "display_data", data={"image/svg+xml": svg, "text/plain": "..."},
        metadata={"image/svg+xml": {"alt": '훈련 곡선: "손실"\n0.470'}})
    bare = nbformat.v4.new_output("display_data", data={"image/svg+xml": svg + " "})
    md = render_outputs([described, bare], Assets(tmp_path, "page"), "ko")
    assert 'alt: "훈련 곡선: \\"손실\\" 0.470"\n' in md
    assert md.count("alt:") == 1 and md.count('class: "output"') == 2


def test_a_notebook_leaves_reports_beside_it_and_only_its_last_executions(tmp_path):
    """What a page's checks pickle into D2L_REPORTS_DIR (the equivalence
    appendix's reports, which tests/chapter/test_equivalence.py reads) is
    beside the notebook, and a report its new execution did not write is gone."""
    source = tmp_path / "checks.md"
    source.write_text((FIXTURES / "good.md").read_text().replace(
        "print('pt')", "import os, pathlib\n"
                       "folder = pathlib.Path(os.environ['D2L_REPORTS_DIR'])\n"
                       "folder.mkdir()\n(folder / 'net.pickle').write_bytes(b'report')"))
    target = tmp_path / "pytorch.ipynb"
    reports = book.reports_dir(target)
    reports.mkdir()
    (reports / "gone.pickle").write_bytes(b"stale")
    assert execute_source(source, target, "checks", "pytorch", "quick", tmp_path).error is None
    assert sorted(p.name for p in reports.iterdir()) == ["net.pickle"]

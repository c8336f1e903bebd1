"""Kept full-profile results: a record made by running a page's full profile
(here a small page, on the CPU) is shown by quick builds while the page's
code matches, and dropped, with a visible note, once it does not."""
import shutil
from pathlib import Path

import pytest

from scripts.pipeline import records
from scripts.environment.book import FRAMEWORKS
from scripts.pipeline.execute import execute_source
from scripts.pipeline.merge import merge_source

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    root = tmp_path_factory.mktemp("records")
    source = root / "recorded.md"
    shutil.copy(FIXTURES / "recorded.md", source)
    full, quick = root / "full", root / "quick"
    for fw in FRAMEWORKS:
        for profile, folder in (("full", full), ("quick", quick)):
            assert execute_source(source, folder / f"{fw}.ipynb", "recorded", fw, profile, root).error is None
    kept = records.keep_source(source, full / "pytorch.ipynb", root / "kept" / "pytorch.ipynb", "pytorch")
    assert kept == root / "kept" / "pytorch.ipynb"
    return root, source, {fw: quick / f"{fw}.ipynb" for fw in FRAMEWORKS}, {"pytorch": kept}


def merged(source, quick, kept, out, lang="ko"):
    return merge_source(source, quick, out / "page.md", lang, "quick", kept)[out / "page.md"].decode()


def test_a_matching_record_replaces_the_quick_outputs(recorded, tmp_path):
    _, source, quick, kept = recorded
    page = merged(source, quick, kept, tmp_path)
    # The common cell shows each framework's own run: PyTorch's is the record.
    assert page.count("ran the full profile") == 1 and page.count("ran the quick profile") == 2
    stamp = page.split(":::{container} d2l-stamp")[1].split(":::")[0]
    pytorch = next(line for line in stamp.splitlines() if line.startswith("- PyTorch"))
    assert "full (장 전체를 그대로 실행)" in pytorch and "저장소에 보관된 full 프로필 실행 결과" in pytorch
    mxnet = next(line for line in stamp.splitlines() if line.startswith("- MXNet"))
    assert "quick" in mxnet and "보관된" not in mxnet


def test_a_record_of_other_code_is_dropped_with_a_note(recorded, tmp_path):
    root, source, quick, kept = recorded
    changed = tmp_path / "recorded.md"
    changed.write_text(source.read_text().replace("6 * 7", "7 * 6"))
    rerun = dict(quick, pytorch=tmp_path / "pytorch.ipynb")
    assert execute_source(changed, rerun["pytorch"], "recorded", "pytorch", "quick", root).executed
    page = merged(changed, rerun, kept, tmp_path, lang="zh")
    # All three ran quick: the common cell shows their one output once, no tabs.
    assert "ran the full profile" not in page and page.count("ran the quick profile") == 1
    assert "PyTorch：仓库中保存的 full 配置结果（" in page
    assert "已不再适用，因此这里显示 quick 结果。" in page


def test_only_a_current_full_execution_is_kept(recorded, tmp_path):
    root, source, quick, _ = recorded
    # A quick execution is not a full one; a missing one is nothing to keep.
    assert records.keep_source(source, quick["mxnet"], tmp_path / "x.ipynb", "mxnet") is None
    assert records.keep_source(source, tmp_path / "none.ipynb", tmp_path / "y.ipynb", "mxnet") is None
    assert not (tmp_path / "x.ipynb").exists()

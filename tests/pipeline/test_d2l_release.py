"""The d2l the notebooks install (scripts/notebooks/release.py): the record
in notebooks/d2l.json names the version d2l/__init__.py says and a commit
that holds exactly these sources; a change to d2l without a new version and
record fails, naming the fix."""
import json
import shutil
import subprocess

import pytest

from scripts.environment import book
from scripts.notebooks import release


def test_the_record_describes_the_package_here():
    assert release.problems() == [], "\n".join(release.problems())
    assert release.read()["version"] == book.d2l_version()


def test_the_recorded_commit_holds_these_sources():
    """The commit must be in the history (CI checks out with fetch-depth 0)."""
    record = release.read()
    assert release.sources_at(book.ROOT, record["commit"]) == record["sources"]


@pytest.fixture
def tree(tmp_path):
    """A git repository holding a copy of the package and its record."""
    for name in release.source_files():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(book.ROOT / name, tmp_path / name)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()

    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t",
                        *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "d2l")
    release.update(tmp_path, notebooks)
    return tmp_path, notebooks, git


def test_a_change_to_d2l_needs_a_new_version_and_record(tree):
    root, notebooks, git = tree
    assert release.problems(root, notebooks) == []
    first = release.read(notebooks)

    torch_module = root / "d2l" / "torch.py"
    torch_module.write_text(torch_module.read_text() + "\n# changed\n")
    problems = release.problems(root, notebooks)
    assert len(problems) == 1
    assert "raise `__version__` in d2l/__init__.py" in problems[0]
    assert "make notebooks" in problems[0]
    # make notebooks refuses to record the changed sources under the old version...
    with pytest.raises(release.ReleaseError, match="version is still"):
        release.update(root, notebooks)

    # ... and uncommitted ones under a new version.
    init = root / "d2l" / "__init__.py"
    init.write_text(init.read_text().replace(f"'{first['version']}'", "'9.9.9'"))
    with pytest.raises(release.ReleaseError, match="not committed"):
        release.update(root, notebooks)

    git("commit", "-qam", "d2l 9.9.9")
    record = release.update(root, notebooks)
    assert record["version"] == "9.9.9" and record["commit"] != first["commit"]
    assert json.loads((notebooks / release.RECORD).read_text()) == record
    assert release.problems(root, notebooks) == []

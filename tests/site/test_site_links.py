"""Every link of the rendered site resolves: LinkChecker follows every
internal link and anchor of both editions, the landing page and the 404 page
(offline: no external URL is requested), and every link into the book's
repository (Colab notebooks, GitHub files and folders) names a path that the
repository holds."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from scripts.environment import book

LINKCHECKER = (shutil.which("linkchecker", path=str(Path(sys.executable).parent))
               or shutil.which("linkchecker"))
# Internal links only, anchors included (the AnchorCheck plugin).
CONFIG = """[filtering]
checkextern=0
[AnchorCheck]
"""


def test_every_internal_link_and_anchor_resolves(built_site, tmp_path):
    assert LINKCHECKER, "linkchecker is missing: install requirements.txt"
    config = tmp_path / "linkcheckerrc"
    config.write_text(CONFIG)
    starts = [built_site / "index.html", built_site / "404.html",
              *(book.html_dir(lang) / "index.html" for lang in book.editions())]
    result = subprocess.run([LINKCHECKER, "--config", str(config), "--no-status", "--no-robots",
                             "--threads", "2", *(p.as_uri() for p in starts)],
                            capture_output=True, text=True, cwd=tmp_path,
                            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert not re.search(r"^Warning", report, re.M), report
    checked = re.search(r"(\d+) links? in (\d+) URLs? checked", report)
    assert checked and int(checked[2]) > 100, report  # it did walk the site


def repository_links(site: Path):
    """(page, URL) of every link into the book's repository on GitHub, directly
    or through Colab."""
    repo = book.config()["repository"]["url"].removeprefix("https://github.com/").rstrip("/")
    pattern = re.compile(r'href="(https://(?:colab\.research\.google\.com/github|github\.com)/'
                         + re.escape(repo) + r'/(?:blob|tree)/[^"#?]+)"')
    for page in site.rglob("*.html"):
        for url in pattern.findall(page.read_text(encoding="utf-8")):
            yield page, url


def test_links_into_the_repository_name_what_it_holds(built_site):
    links = list(repository_links(built_site))
    assert any("colab.research.google.com" in url for _, url in links), "no Colab link was found"
    missing = []
    for page, url in links:
        kind, path = re.search(r"/(blob|tree)/[^/]+/(.+)$", url).groups()  # after the branch
        target = book.ROOT / path
        if not (target.is_file() if kind == "blob" else target.is_dir()):
            missing.append(f"{page.relative_to(built_site)}: {url} -> {book.shown(target)} is missing")
    assert not missing, "\n".join(sorted(set(missing))[:40])

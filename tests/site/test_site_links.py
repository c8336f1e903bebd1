"""Every link of the rendered site resolves: every internal link and anchor
of both editions, the landing page and the 404 page (offline: no external URL
is requested; scripts/checks/links.py), and every link into the book's
repository (Colab notebooks, GitHub files and folders) names a path that the
repository holds."""
from __future__ import annotations

import re
from pathlib import Path

from scripts.checks import links
from scripts.environment import book


def test_every_internal_link_and_anchor_resolves(built_site):
    report = links.check(links.entry_pages(), built_site, book.site_path())
    assert not report.broken, "\n".join(report.broken[:40])
    assert report.pages > 40 and report.links > 1000, report   # it did walk the site


def test_a_broken_link_or_anchor_is_named_with_page_and_line(tmp_path):
    (tmp_path / "ko").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="ko/a.html#intro">a</a>\n<a href="/site/ko/a.html#gone">b</a>\n<img src="missing.svg">\n'
        '<a href="https://example.org/x">external</a>')
    (tmp_path / "ko" / "a.html").write_text('<h1 id="intro">A</h1><a href="../index.html#top">up</a>')
    report = links.check([tmp_path / "index.html"], tmp_path, "/site/")
    assert report.pages == 2 and report.links == 4
    assert report.broken == [
        "index.html:2: /site/ko/a.html#gone: ko/a.html has no id 'gone'",
        f"index.html:3: missing.svg: no file {book.shown(tmp_path / 'missing.svg')}",
        "ko/a.html:1: ../index.html#top: index.html has no id 'top'"]


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

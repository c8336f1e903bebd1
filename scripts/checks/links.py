"""Check that every internal link of the rendered site resolves: starting
from the given pages, follow each link to a local file (an `href` or a
`src`), require that the file exists and, for a link into an HTML page
with a `#fragment`, that the page has that id; walk on through the HTML
pages reached. External URLs are not requested.

Each HTML page is parsed once, however many links point into it (a
crawler that fetches `page.html#a` and `page.html#b` as two URLs parses
it twice), so both editions check in seconds.

    python -m scripts.checks.links [START.html ...]   (default: the site's entry pages)
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from scripts.environment import book

# Attributes that point to another file.
LINKING = {"href", "src"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []   # (line, URL)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif name in LINKING and tag != "base":
                self.links.append((self.getpos()[0], value))


@dataclass
class Report:
    pages: int = 0                  # HTML pages parsed
    links: int = 0                  # internal links followed
    broken: list[str] = field(default_factory=list)


def check(starts: list[Path], root: Path, root_path: str = "/") -> Report:
    """Follow every internal link from `starts` (files under `root`, which
    the host serves at `root_path`: a link to `/vgg-book/ko/` is
    `root / "ko"` for root_path `/vgg-book/`)."""
    report, parsed, todo = Report(), {}, [p.resolve() for p in starts]

    def page(path: Path) -> _Page:
        if path not in parsed:
            parser = _Page()
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            parsed[path] = parser
            report.pages += 1
            todo.append(path)
        return parsed[path]

    for start in list(todo):
        page(start)
    done = set()
    while todo:
        current = todo.pop()
        if current in done:
            continue
        done.add(current)
        for line, url in page(current).links:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(("mailto:", "javascript:", "data:")):
                continue   # external, or no file
            report.links += 1
            where = f"{current.relative_to(root)}:{line}: {url}"
            path = unquote(parts.path)
            if path.startswith("/"):   # from the host's root
                if not path.startswith(root_path):
                    report.broken.append(f"{where}: outside the site ({root_path})")
                    continue
                target = (root / path[len(root_path):]).resolve()
            else:
                target = (current.parent / path).resolve() if path else current
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                report.broken.append(f"{where}: no file {book.shown(target)}")
                continue
            if target.suffix == ".html":
                anchors = page(target).ids
                fragment = unquote(parts.fragment)
                if fragment and fragment not in anchors:
                    report.broken.append(f"{where}: {target.relative_to(root)} has no id {fragment!r}")
    return report


def entry_pages() -> list[Path]:
    """The landing page, the 404 page and each edition's front page."""
    site = book.html_dir()
    return [site / "index.html", site / "404.html", *(book.html_dir(lang) / "index.html"
                                                      for lang in book.editions())]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("start", nargs="*", type=Path, help="HTML pages to start from")
    args = parser.parse_args(argv)
    starts = args.start or entry_pages()
    missing = [p for p in starts if not p.is_file()]
    if missing:
        print(f"error: {', '.join(map(str, missing))} not found: run `make html` first", file=sys.stderr)
        return 2
    report = check(starts, book.html_dir(), book.site_path())
    for problem in report.broken:
        print(f"broken: {problem}", file=sys.stderr)
    print(f"{report.links} internal links in {report.pages} HTML pages checked, {len(report.broken)} broken")
    return 1 if report.broken else 0


if __name__ == "__main__":
    sys.exit(main())

"""The site root: the landing page (`index.html`), the 404 page for GitHub
Pages (`404.html`), the favicon (`favicon.ico`) and their assets
(`_landing/`), written beside the edition folders after the editions are
built (scripts/render/html.py calls `write`).

`page.py` renders the landing page, `not_found.py` the 404 page,
`document.py` their shared head and top bar, `chapters.py` reads the
chapter titles from the sources, `text.py` holds their words per language;
`static/` holds the stylesheet and script, and the favicons come from the
site extension's static folder, so every page shows the same one.
"""
from __future__ import annotations

from pathlib import Path

from scripts.environment import book
from scripts.environment.files import write_if_changed
from scripts.render.landing import document, not_found, page

HERE = Path(__file__).parent
ICONS = book.ROOT / "scripts" / "render" / "sphinx_ext" / "d2l_site" / "static"
ICON_FILES = ("d2l-favicon.svg", "d2l-favicon-32.png", "d2l-apple-touch-icon.png", "d2l-social.png")


def write(html_dir: Path | None = None) -> list[Path]:
    """Write the root pages and their assets; return the pages' paths."""
    html_dir = html_dir or book.html_dir()
    assets = html_dir / document.ASSETS
    assets.mkdir(parents=True, exist_ok=True)
    for source in [*sorted((HERE / "static").iterdir()), *(ICONS / name for name in ICON_FILES)]:
        write_if_changed(assets / source.name, source.read_bytes())
    write_if_changed(html_dir / "favicon.ico", (ICONS / "d2l-favicon.ico").read_bytes())
    pages = {"index.html": page.render(html_dir), "404.html": not_found.render(html_dir)}
    for name, content in pages.items():
        write_if_changed(html_dir / name, content.encode("utf-8"))
    return [html_dir / name for name in pages]

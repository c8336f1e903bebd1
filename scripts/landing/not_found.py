"""The 404 page (`404.html` at the site root), in every edition's language.

GitHub Pages serves it for any missing path, at that path: its links and
stylesheets cannot be relative to where it is shown. They are relative to
a `<base>` at the site's path on the Pages host (from `html.baseurl` in
`_config.yml`); a small script moves the base to the page's own folder
when the page is shown elsewhere (opened as a file, served locally).
"""
from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import urlparse

from scripts import book
from scripts.landing import document
from scripts.landing.text import text


def site_path() -> str:
    """The path of the site root on its host: `/vgg-book/` for a project site."""
    path = urlparse(book.config().get("html", {}).get("baseurl", "")).path or "/"
    return path if path.endswith("/") else path + "/"


def base() -> str:
    root = site_path()
    return f"""<base href="{escape(root)}">
<script>
(() => {{
  const base = document.querySelector("base");
  if (!window.location.pathname.startsWith(base.getAttribute("href"))) {{
    base.href = window.location.pathname.replace(/[^/]*$/, "");
  }}
}})();
</script>
"""


def section(lang: str, edition: dict) -> str:
    words = text(lang)
    return f"""  <section class="d2l-not-found" data-edition="{lang}" lang="{escape(edition["hreflang"])}">
    <h1>{escape(words["not_found"])}</h1>
    <p>{escape(words["not_found_hint"])}</p>
    <p><a class="d2l-read" href="{lang}/index.html">{escape(words["home"])}</a>
       <a class="d2l-secondary" href="index.html">{escape(words["landing"])}</a></p>
  </section>"""


def render(html_dir: Path) -> str:
    editions = book.editions()
    title = " · ".join(f'404 — {text(lang)["not_found"]}' for lang in editions)
    description = " ".join(text(lang)["not_found_hint"] for lang in editions)
    mode = " · ".join(text(lang)["mode"] for lang in editions)
    return f"""<!DOCTYPE html>
<html lang="mul">
<head>
{document.head(title, description, html_dir, base())}
<meta name="robots" content="noindex">
<script src="{document.ASSETS}/landing.js" defer></script>
</head>
<body class="d2l-landing">
{document.top_bar(mode)}
<main class="d2l-not-found-page">
{chr(10).join(section(lang, e) for lang, e in editions.items())}
</main>
</body>
</html>
"""

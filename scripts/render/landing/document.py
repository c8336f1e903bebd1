"""What the landing and 404 pages share: the <head> (theme stylesheet,
favicon, social preview, colour mode) and the top bar.

Both pages borrow the editions' look: the pydata theme's stylesheet from an
edition's `_static/` (its colours for light and dark mode, its typography)
and their own `_landing/landing.css`. The colour mode is the one the
editions store (`localStorage.mode`: light, dark or auto), set before the
page paints, so the landing page and the editions always agree.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from scripts.environment import book

ASSETS = "_landing"  # the landing page's folder beside the editions
THEME_CSS = "_static/styles/pydata-sphinx-theme.css"
OG_LOCALES = {"ko": "ko_KR", "zh-CN": "zh_CN"}

# Runs before the stylesheets apply: the pydata theme's rule for the mode.
MODE_SCRIPT = """<script>
(() => {
  let mode = "auto";
  try { mode = localStorage.getItem("mode") || "auto"; } catch (err) { /* blocked storage */ }
  const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.dataset.mode = mode;
  document.documentElement.dataset.theme = mode === "auto" ? (dark ? "dark" : "light") : mode;
})();
</script>"""


def theme_edition(html_dir: Path) -> str:
    """The edition whose `_static/` the root pages take the theme from: the
    first one built."""
    for lang in book.editions():
        if (html_dir / lang / THEME_CSS).is_file():
            return lang
    raise FileNotFoundError(f"no edition under {html_dir} has {THEME_CSS}: build one first")


def og_locale(hreflang: str) -> str:
    return OG_LOCALES.get(hreflang, hreflang.replace("-", "_"))


def resources(html_dir: Path) -> list[tuple[str, dict[str, str]]]:
    """The icons, stylesheets and script of the root pages, as (tag,
    attributes), URLs relative to the site root."""
    theme = theme_edition(html_dir)
    return [
        ("link", {"rel": "icon", "href": "favicon.ico", "type": "image/x-icon", "sizes": "48x48"}),
        ("link", {"rel": "icon", "href": f"{ASSETS}/d2l-favicon-32.png", "type": "image/png", "sizes": "32x32"}),
        ("link", {"rel": "icon", "href": f"{ASSETS}/d2l-favicon.svg", "type": "image/svg+xml", "sizes": "any"}),
        ("link", {"rel": "apple-touch-icon", "href": f"{ASSETS}/d2l-apple-touch-icon.png", "sizes": "180x180"}),
        ("link", {"rel": "stylesheet", "href": f"{theme}/{THEME_CSS}"}),
        ("link", {"rel": "stylesheet", "href": f"{ASSETS}/landing.css"}),
        ("script", {"src": f"{ASSETS}/landing.js", "defer": ""}),
    ]


def tag(name: str, attributes: dict[str, str], prefix: str = "") -> str:
    """One resource as HTML, its URL under `prefix`."""
    attrs = " ".join(
        f'{key}="{escape(prefix + value if key in ("href", "src") else value)}"' if value else key
        for key, value in attributes.items())
    return f"<{name} {attrs}></{name}>" if name == "script" else f"<{name} {attrs}>"


site_url, site_path = book.site_url, book.site_path


def preview_image() -> str:
    """Open Graph tags of the link-preview image, where the site's URL is known."""
    if not site_url():
        return ""
    return (f'<meta property="og:image" content="{escape(site_url())}{ASSETS}/d2l-social.png">\n'
            '<meta property="og:image:width" content="1200">\n'
            '<meta property="og:image:height" content="630">\n'
            '<meta name="twitter:card" content="summary_large_image">\n')


def head(title: str, description: str, html_dir: Path, extra: str = "",
         linked: str | None = None) -> str:
    """The <head> contents; `linked` replaces the resource tags (by default
    those of `resources`, relative to the page, which is at the site root)."""
    editions = list(book.editions().values())
    locales = "\n".join(
        f'<meta property="og:locale{":alternate" if i else ""}" content="{og_locale(e["hreflang"])}">'
        for i, e in enumerate(editions))
    if linked is None:
        linked = "\n".join(tag(name, attrs) for name, attrs in resources(html_dir))
    return f"""<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{extra}<title>{escape(title)}</title>
<meta name="description" content="{escape(description)}">
<meta property="og:type" content="website">
<meta property="og:title" content="{escape(title)}">
<meta property="og:description" content="{escape(description)}">
<meta property="og:site_name" content="{escape(book.config()["title"])}">
{preview_image()}{locales}
{MODE_SCRIPT}
{linked}"""


def logo() -> str:
    """The favicon drawn inline (no request), for pages whose URLs are not
    known in advance (the 404 page)."""
    svg = (book.ROOT / "scripts/render/sphinx_ext/d2l_site/static/d2l-favicon.svg").read_text(encoding="utf-8")
    svg = svg[svg.index("<svg"):].replace("<svg ", '<svg width="32" height="32" aria-hidden="true" ', 1)
    return " ".join(line.strip() for line in svg.splitlines() if not line.strip().startswith("<!--"))


def top_bar(mode_labels: str, mark: str | None = None, home: str = "index.html") -> str:
    """The bar above both pages: the book's mark (by default the favicon's
    file, decorative beside the name) and name, linking to the landing page,
    and the mode button."""
    mark = mark or f'<img src="{ASSETS}/d2l-favicon.svg" alt="" aria-hidden="true" width="32" height="32">'
    return f"""<header class="d2l-top">
  <a class="d2l-brand" href="{escape(home)}">{mark}
    <span>Dive into Deep Learning</span></a>
  <button type="button" class="d2l-mode" title="{escape(mode_labels)}" aria-label="{escape(mode_labels)}">
    <span class="d2l-mode-light" aria-hidden="true">☀</span><span class="d2l-mode-dark" aria-hidden="true">☾</span><span class="d2l-mode-auto" aria-hidden="true">◐</span>
  </button>
</header>"""

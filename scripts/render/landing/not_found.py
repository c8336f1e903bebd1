"""The 404 page (`404.html` at the site root), in every edition's language.

GitHub Pages serves it for any missing path, at that path, so no URL in it
can be relative. Its links hold the site's path on the Pages host (from
`html.baseurl` in `_config.yml`, e.g. `/vgg-book/ko/index.html`); its
stylesheets, icons and script are added by a script in its head, under the
site's path where the page is shown below it, else under the page's own
folder (opened as a file, served locally), where the links are moved too.
Nothing is requested before that script has run (the logo is drawn inline);
without JavaScript, `<noscript>` links the stylesheets under the site's path.
"""
from __future__ import annotations

import json
from html import escape
from pathlib import Path

from scripts.environment import book
from scripts.render.landing import document
from scripts.render.landing.text import text


def loader(html_dir: Path) -> str:
    """The script that picks the site root and adds the page's resources."""
    resources = json.dumps(document.resources(html_dir))
    site = json.dumps(document.site_path())
    return f"""<script>
(() => {{
  const site = {site};
  const path = window.location.pathname;
  const root = path.startsWith(site) ? site : path.replace(/[^/]*$/, "");
  for (const [name, attributes] of {resources}) {{
    const element = document.createElement(name);
    for (const [key, value] of Object.entries(attributes)) {{
      const url = key === "href" || key === "src";
      element.setAttribute(key, url ? root + value : value);
      if (name === "script") element.async = false;
    }}
    document.head.append(element);
  }}
  if (root !== site) {{
    document.addEventListener("DOMContentLoaded", () => {{
      document.querySelectorAll("a[href^='" + site + "']").forEach((link) => {{
        link.setAttribute("href", root + link.getAttribute("href").slice(site.length));
      }});
    }});
  }}
}})();
</script>
<noscript>
{"".join(document.tag(name, attrs, document.site_path()) + chr(10)
         for name, attrs in document.resources(html_dir) if attrs.get("rel") == "stylesheet")}</noscript>"""


def section(lang: str, edition: dict) -> str:
    words = text(lang)
    site = document.site_path()
    return f"""  <section class="d2l-not-found" data-edition="{lang}" lang="{escape(edition["hreflang"])}">
    <h1>{escape(words["not_found"])}</h1>
    <p>{escape(words["not_found_hint"])}</p>
    <p><a class="d2l-read" href="{site}{lang}/index.html">{escape(words["home"])}</a>
       <a class="d2l-secondary" href="{site}index.html">{escape(words["landing"])}</a></p>
  </section>"""


def render(html_dir: Path) -> str:
    editions = book.editions()
    title = " · ".join(f'404 — {text(lang)["not_found"]}' for lang in editions)
    description = " ".join(text(lang)["not_found_hint"] for lang in editions)
    mode = " · ".join(text(lang)["mode"] for lang in editions)
    return f"""<!DOCTYPE html>
<html lang="mul">
<head>
{document.head(title, description, html_dir, linked=loader(html_dir))}
<meta name="robots" content="noindex">
</head>
<body class="d2l-landing">
{document.top_bar(mode, mark=document.logo(), home=document.site_path() + "index.html")}
<main class="d2l-not-found-page">
{chr(10).join(section(lang, e) for lang, e in editions.items())}
</main>
</body>
</html>
"""

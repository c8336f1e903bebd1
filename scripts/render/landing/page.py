"""The landing page at the site root (`index.html`).

One card per edition, each in its own language: the edition's title and
description, a button to read it, its chapters (with a Colab link per
chapter for the chosen framework) and its notebook archives. Above them,
the framework choice, stored where the framework tabs keep theirs, and a
suggestion of the edition to read: the one chosen before, else the one
matching the browser's languages. Nothing redirects; `landing.js` does the
choosing, and without JavaScript the page is a plain list of links.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from scripts.environment import book
from scripts.render import downloads
from scripts.render.landing import chapters, document
from scripts.render.landing.text import text

COLAB = "https://colab.research.google.com/github/{repo}/blob/{branch}/notebooks/{lang}/{framework}/{page}.ipynb"


def repository() -> tuple[str, str]:
    """`OWNER/REPO` and branch of the repository holding the notebooks."""
    repo = book.config()["repository"]
    return repo["url"].removeprefix("https://github.com/").rstrip("/"), repo.get("branch", "main")


def colab_links(lang: str, page: str) -> str:
    """A Colab link carrying each framework's notebook URL (landing.js shows
    the chosen one), or '' where the page has no committed notebook."""
    repo, branch = repository()
    urls = {fw: COLAB.format(repo=repo, branch=branch, lang=lang, framework=fw, page=page)
            for fw in book.FRAMEWORKS
            if (book.NOTEBOOKS / lang / fw / f"{page}.ipynb").is_file()}
    if not urls:
        return ""
    data = " ".join(f'data-colab-{fw}="{escape(url)}"' for fw, url in urls.items())
    first = next(iter(urls.values()))
    return (f' <a class="d2l-colab" href="{escape(first)}" {data} target="_blank" rel="noopener">'
            f'{escape(text(lang)["colab"])}</a>')


def contents(lang: str) -> str:
    blocks = []
    for part in chapters.parts(lang):
        items = "\n".join(
            f'      <li><a href="{lang}/{chapter["page"]}.html">{escape(chapter["title"])}</a>'
            f'{colab_links(lang, chapter["page"])}</li>' for chapter in part["chapters"])
        blocks.append(f"""    <h4><a href="{lang}/{part["page"]}.html">{escape(part["title"])}</a></h4>
    <ol class="d2l-chapters">
{items}
    </ol>""")
    return "\n".join(blocks)


def archives(lang: str) -> str:
    words = text(lang)
    repo, branch = repository()
    pdfs = {p["framework"]: p for p in downloads.pdfs(lang)}
    items = "\n".join(
        f'      <li data-framework="{a["framework"]}">'
        + (f'<a class="d2l-pdf" href="{lang}/{pdfs[a["framework"]]["href"]}">'
           f'{escape(words["pdf"].format(framework=a["label"]))}</a> ' if a["framework"] in pdfs else "")
        + f'<a class="d2l-zip" href="{lang}/{a["href"]}" download>'
        f'{escape(words["zip"].format(framework=a["label"], count=a["count"]))}</a></li>'
        for a in downloads.archives(lang))
    return f"""    <h3>{escape(words["downloads"])}</h3>
    <ul class="d2l-archives">
{items}
      <li><a class="d2l-repository" href="https://github.com/{repo}/tree/{branch}/notebooks/{lang}" target="_blank" rel="noopener">{escape(words["repository"])}</a></li>
    </ul>"""


def edition_card(lang: str, edition: dict) -> str:
    words = text(lang)
    hreflang = escape(edition["hreflang"])
    return f"""  <article class="d2l-edition" id="edition-{lang}" data-edition="{lang}" lang="{hreflang}">
    <p class="d2l-edition-label">{escape(edition["label"])}</p>
    <h2>{escape(edition["title"])}</h2>
    <p class="d2l-description">{escape(edition.get("description", ""))}</p>
    <p><a class="d2l-read" href="{lang}/index.html" hreflang="{hreflang}">{escape(words["read"])}</a></p>
    <h3>{escape(words["contents"])}</h3>
{contents(lang)}
{archives(lang)}
  </article>"""


def suggestion(lang: str, edition: dict) -> str:
    """The offer of one edition, shown by landing.js when it suggests that one."""
    words = text(lang)
    return (f'  <p class="d2l-suggestion" data-edition="{lang}" lang="{escape(edition["hreflang"])}" hidden>'
            f'<span class="d2l-why" data-language="{escape(words["suggest_language"])}" '
            f'data-remembered="{escape(words["suggest_remembered"])}">{escape(words["suggest_language"])}</span> '
            f'<a class="d2l-read" href="{lang}/index.html">{escape(words["read"])}</a></p>')


def framework_picker() -> str:
    editions = book.editions()
    legend = " · ".join(f'<span lang="{escape(e["hreflang"])}">{escape(text(lang)["framework"])}</span>'
                        for lang, e in editions.items())
    hints = "\n".join(f'    <p class="d2l-hint" lang="{escape(e["hreflang"])}">{escape(text(lang)["framework_hint"])}</p>'
                      for lang, e in editions.items())
    options = "\n".join(
        f'      <label><input type="radio" name="framework" value="{fw}"{" checked" if i == 0 else ""}>'
        f' {book.FRAMEWORK_LABELS[fw]}</label>' for i, fw in enumerate(book.FRAMEWORKS))
    return f"""  <fieldset class="d2l-frameworks">
    <legend>{legend}</legend>
    <div class="d2l-framework-options">
{options}
    </div>
{hints}
  </fieldset>"""


def render(html_dir: Path) -> str:
    editions = book.editions()
    title = " · ".join(e["title"] for e in editions.values())
    description = " ".join(e.get("description", "") for e in editions.values())
    alternates = "".join(f'<link rel="alternate" hreflang="{escape(e["hreflang"])}" href="{lang}/index.html">\n'
                         for lang, e in editions.items())
    if document.site_url():
        alternates += f'<meta property="og:url" content="{escape(document.site_url())}">\n'
    mode = " · ".join(text(lang)["mode"] for lang in editions)
    names = " · ".join(f'<span lang="{escape(e["hreflang"])}">{escape(e["title"].split(" — ")[0])}</span>'
                       for e in editions.values())
    return f"""<!DOCTYPE html>
<html lang="mul">
<head>
{document.head(title, description, html_dir, alternates)}
</head>
<body class="d2l-landing">
{document.top_bar(mode)}
<main>
<section class="d2l-hero">
  <p class="d2l-kicker">Dive into Deep Learning · MXNet · PyTorch · TensorFlow</p>
  <h1>{names}</h1>
{chr(10).join(suggestion(lang, e) for lang, e in editions.items())}
{framework_picker()}
</section>
<div class="d2l-editions">
{chr(10).join(edition_card(lang, e) for lang, e in editions.items())}
</div>
</main>
</body>
</html>
"""

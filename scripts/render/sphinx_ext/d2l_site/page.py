"""What each HTML page gets: <html lang>, the edition switch with its
hreflang alternates (and canonical URL), the notebook links of pages
with code, and each inline script once.

A page has notebooks when its front matter says ``d2l_notebooks: true``
(``false`` hides them); without that key, when its doctree holds a framework
tab-set (``:sync-group: framework``) or a notebook code cell. The
frameworks offered are the page's tab ids in order of appearance, or all of
``d2l_frameworks`` for a page with code but no tabs.
"""
from __future__ import annotations

import re
from html import escape
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.locale import _

FRAMEWORK_GROUP = 'framework'
GITHUB_RE = re.compile(r'https://github\.com/([^/]+/[^/]+?)(?:\.git)?/?')
COLAB_URL = ('https://colab.research.google.com/github/{repo}/blob/{branch}'
             '/notebooks/{edition}/{framework}/{page}.ipynb')


def check_config(app: Sphinx, config: Config) -> None:
    url = config.d2l_repository_url
    if url and not GITHUB_RE.fullmatch(url):
        raise ConfigError(
            f'd2l_repository_url must be https://github.com/OWNER/REPO, not {url!r}')


def editions(config: Config) -> tuple[list[dict[str, str]], dict[str, str] | None]:
    """All editions, each with its `dir` (the key unless given), and the
    current one: `d2l_edition` names it, else it is the one whose
    `language` (or key) is this build's language."""
    found = [{'dir': key, **entry, 'key': key} for key, entry in config.d2l_editions.items()]
    if config.d2l_edition:
        current = [e for e in found if e['key'] == config.d2l_edition]
    else:
        current = [e for e in found if config.language in (e.get('language'), e['key'])]
    return found, current[0] if current else None


def site_url(config: Config, edition: dict[str, str] | None) -> str:
    """The absolute URL above the edition directories, from html_baseurl
    (given for the site or for this edition), or '' without one."""
    base = config.html_baseurl.rstrip('/') + '/' if config.html_baseurl else ''
    if edition and base.endswith(f'/{edition["dir"]}/'):
        base = base[:-len(edition['dir']) - 1]
    return base


def notebook_frameworks(app: Sphinx, pagename: str, doctree: nodes.document | None) -> list[str]:
    if doctree is None:
        return []
    elements = list(doctree.findall(nodes.Element))
    # sphinx-design puts sync_group/sync_id on each tab label.
    tabs = list(dict.fromkeys(
        node['sync_id'] for node in elements
        if node.get('sync_group') == FRAMEWORK_GROUP and 'sync_id' in node))
    flag = app.env.metadata.get(pagename, {}).get('d2l_notebooks')
    if flag is None:
        has_code = bool(tabs) or any(node.get('nb_element') == 'cell_code' for node in elements)
    else:
        # Front matter may reach the env as a YAML bool or as text.
        has_code = str(flag).lower() in ('true', 'yes', '1')
    if not has_code:
        return []
    return tabs or list(app.config.d2l_frameworks)


def add_page_context(app: Sphinx, pagename: str, templatename: str,
                     ctx: dict[str, Any], doctree: nodes.document | None) -> None:
    config = app.config
    all_editions, edition = editions(config)
    uri = app.builder.get_target_uri(pagename)
    to_root = '../' * uri.count('/')
    # Sphinx writes the locale name (zh_CN); HTML wants a BCP 47 tag.
    ctx['language'] = edition['hreflang'] if edition else config.language.replace('_', '-')
    # Jupyter Book configures an English placeholder ('Search this book...'),
    # which the theme shows untranslated; locale/ translates the usual ones.
    if 'theme_search_bar_text' in ctx:
        ctx['theme_search_bar_text'] = _(ctx['theme_search_bar_text'])

    # Editions are sibling directories, so the same page of each is one level
    # above this edition's root. Search engines want absolute alternates, and
    # Sphinx's canonical URL (html_baseurl + page) lacks the edition directory.
    site = site_url(config, edition)
    links = [dict(e, href=f'{to_root}../{e["dir"]}/{uri}', url=f'{site}{e["dir"]}/{uri}')
             for e in all_editions]
    if site and edition:
        ctx['pageurl'] = f'{site}{edition["dir"]}/{uri}'
    ctx['metatags'] = ctx.get('metatags', '') + ''.join(
        f'\n<link rel="alternate" hreflang="{escape(e["hreflang"])}" '
        f'href="{escape(e["url"] if site else e["href"])}" />'
        for e in links)
    ctx['d2l_languages'] = [e for e in links if not edition or e['key'] != edition['key']]
    header = ctx.get('theme_article_header_end')
    if isinstance(header, list):
        ctx['theme_article_header_end'] = ['d2l-lang-switch.html', *header]

    frameworks = notebook_frameworks(app, pagename, doctree)
    if not frameworks or 'body' not in ctx:
        return
    repo = GITHUB_RE.fullmatch(config.d2l_repository_url)
    ctx['d2l_notebooks'] = [{
        'framework': fw,
        'label': config.d2l_frameworks.get(fw, fw),
        'colab': COLAB_URL.format(
            repo=repo[1], branch=config.d2l_repository_branch, edition=edition['dir'],
            framework=fw, page=pagename) if repo and edition else '',
        'download': f'{to_root}_notebooks/{fw}/{pagename}.ipynb',
    } for fw in frameworks]
    ctx['body'] = app.builder.templates.render('d2l-notebooks.html', ctx) + ctx['body']


def drop_duplicate_scripts(app: Sphinx, pagename: str, templatename: str,
                           ctx: dict[str, Any], doctree: nodes.document | None) -> None:
    """Write each inline script once.

    Sphinx 7.4 writes an inline script that an extension adds after the
    builder has started (sphinx-thebe's `const THEBE_JS_URL = ...`,
    sphinx-togglebutton's selector) twice: as added, with filename None, and
    re-added from the registry before writing, with filename ''. The repeated
    `const` is a SyntaxError in every page's console.
    """
    seen = set()
    scripts = []
    for js in ctx.get('script_files', []):
        key = (js.filename or '', js.priority, tuple(sorted(js.attributes.items())))
        if key not in seen:
            seen.add(key)
            scripts.append(js)
    ctx['script_files'] = scripts

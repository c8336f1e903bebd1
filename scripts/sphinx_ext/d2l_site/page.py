"""What each HTML page gets: <html lang>, the edition switch with its
hreflang alternates, and the notebook links of pages with code.

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

FRAMEWORK_GROUP = 'framework'
GITHUB_RE = re.compile(r'https://github\.com/([^/]+/[^/]+?)(?:\.git)?/?')
COLAB_URL = ('https://colab.research.google.com/github/{repo}/blob/{branch}'
             '/notebooks/{edition}/{framework}/{page}.ipynb')


def check_config(app: Sphinx, config: Config) -> None:
    url = config.d2l_repository_url
    if url and not GITHUB_RE.fullmatch(url):
        raise ConfigError(
            f'd2l_repository_url must be https://github.com/OWNER/REPO, not {url!r}')


def current_edition(config: Config) -> dict[str, str] | None:
    return config.d2l_editions.get(config.language or '')


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
    edition = current_edition(config)
    uri = app.builder.get_target_uri(pagename)
    to_root = '../' * uri.count('/')
    # Sphinx writes the locale name (zh_CN); HTML wants a BCP 47 tag.
    ctx['language'] = edition['hreflang'] if edition else config.language.replace('_', '-')

    # Editions are sibling directories, so the same page of each is one level
    # above this edition's root.
    editions = [dict(e, href=f'{to_root}../{e["dir"]}/{uri}') for e in config.d2l_editions.values()]
    ctx['metatags'] = ctx.get('metatags', '') + ''.join(
        f'\n<link rel="alternate" hreflang="{escape(e["hreflang"])}" href="{escape(e["href"])}" />'
        for e in editions)
    ctx['d2l_languages'] = [e for e in editions if edition is None or e['dir'] != edition['dir']]
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

"""What each page's <head> says about it: the favicon (SVG with PNG and ICO
fallbacks, all in the edition's ``_static``), a description and a social
preview (Open Graph title, description, locale and site name; with
``html_baseurl`` set, the page's URL and the preview image
``static/d2l-social.png``, drawn from ``d2l-social.svg``).

The description of a page is its first paragraph of running text (one
directly in a section, not in a box, tab or stamp), cut at a sentence end;
a page without one gets its edition's ``description``.
"""
from __future__ import annotations

import re
from html import escape, unescape
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from . import page

# Favicon files in static/, copied to each edition's _static/.
ICONS = (
    ('icon', 'd2l-favicon.ico', 'image/x-icon', '48x48'),
    ('icon', 'd2l-favicon-32.png', 'image/png', '32x32'),
    ('icon', 'd2l-favicon.svg', 'image/svg+xml', 'any'),
    ('apple-touch-icon', 'd2l-apple-touch-icon.png', 'image/png', '180x180'),
)
# Open Graph wants language_TERRITORY; BCP 47 tags without a region get one.
OG_LOCALES = {'ko': 'ko_KR', 'zh': 'zh_CN', 'ja': 'ja_JP', 'en': 'en_US'}
SOCIAL_IMAGE = ('d2l-social.png', '1200', '630')
DESCRIPTION_LENGTH = 160
# After Latin punctuation a space ends a sentence ('et al., 2012' goes on);
# CJK full stops end one by themselves.
SENTENCE_END = re.compile(r'[.!?](?=\s)|[。！？]')


def og_locale(hreflang: str) -> str:
    return OG_LOCALES.get(hreflang, hreflang.replace('-', '_'))


def first_paragraph(doctree: nodes.document | None) -> str:
    """The text of the first paragraph that is a direct child of a section."""
    if doctree is None:
        return ''
    for paragraph in doctree.findall(nodes.paragraph):
        if isinstance(paragraph.parent, nodes.section):
            text = ' '.join(paragraph.astext().split())
            if text:
                return text
    return ''


def shorten(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """The text, or its first sentences that fit in `limit` characters (at
    least one sentence, cut with an ellipsis if it alone is longer)."""
    if len(text) <= limit:
        return text
    ends = [m.end() for m in SENTENCE_END.finditer(text) if m.end() <= limit]
    return text[:ends[-1]] if ends else text[:limit - 1].rstrip() + '…'


def meta(prop: str, content: str, attr: str = 'property') -> str:
    return f'\n<meta {attr}="{escape(prop)}" content="{escape(content)}" />'


def add_head(app: Sphinx, pagename: str, templatename: str,
             ctx: dict[str, Any], doctree: nodes.document | None) -> None:
    config = app.config
    all_editions, edition = page.editions(config)
    static = ctx['pathto']('_static', 1)
    tags = [f'\n<link rel="{rel}" href="{static}/{name}" type="{kind}" sizes="{sizes}" />'
            for rel, name, kind, sizes in ICONS]

    site_name = ctx.get('docstitle') or config.html_title or config.project
    title = ' '.join(unescape(re.sub(r'<[^>]+>', '', ctx.get('title') or '')).split())
    description = shorten(first_paragraph(doctree)) or (edition or {}).get('description', '')
    if description:
        tags.append(meta('description', description, attr='name'))
    tags.append(meta('og:type', 'website' if pagename == config.root_doc else 'article'))
    tags.append(meta('og:site_name', site_name))
    tags.append(meta('og:title', f'{title} — {site_name}' if title and title != site_name
                     else site_name))
    if description:
        tags.append(meta('og:description', description))
    if edition:
        tags.append(meta('og:locale', og_locale(edition['hreflang'])))
        tags += [meta('og:locale:alternate', og_locale(other['hreflang']))
                 for other in all_editions if other['key'] != edition['key']]
    site = page.site_url(config, edition)
    if site and edition:
        tags.append(meta('og:url', f'{site}{edition["dir"]}/{app.builder.get_target_uri(pagename)}'))
        image, width, height = SOCIAL_IMAGE
        tags += [meta('og:image', f'{site}{edition["dir"]}/_static/{image}'),
                 meta('og:image:width', width), meta('og:image:height', height),
                 meta('og:image:alt', site_name),
                 meta('twitter:card', 'summary_large_image', attr='name')]
    ctx['metatags'] = ctx.get('metatags', '') + ''.join(tags)

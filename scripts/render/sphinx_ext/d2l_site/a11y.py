"""Accessibility fixes for what the themes and docutils write (axe-core,
WCAG 2.1 A/AA), made where the HTML is produced so that readers without
JavaScript get them too:

- pydata-sphinx-theme's navigation wraps each page's sub-pages in a
  ``<details>`` whose ``<summary>`` holds only a chevron icon (axe:
  summary-name): each summary is named after the page it unfolds;
- docutils' HTML5 writer marks each citation ``role="doc-biblioentry"``,
  deprecated since DPUB-ARIA 1.1, inside ``<div role="list">``, which then has
  no list items (axe: aria-deprecated-role, aria-required-children): each
  becomes ``role="listitem"``, what DPUB-ARIA 1.1 says to use instead.

The theme's search button and colour switch are fixed in their templates
(``templates/search-button-field.html``, ``templates/theme-switcher.html``).
"""
from __future__ import annotations

import functools
import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.locale import _

CITATION_ROLE = re.compile(r'(<div class="citation" id="[^"]*") role="doc-biblioentry">')


def name_summaries(tree):
    """The theme's navigation `tree` (BeautifulSoup, as the theme passes it
    on) with each summary that shows only its chevron named after the page
    whose sub-pages it unfolds (the link before its <details>)."""
    for summary in tree.select('li > details > summary'):
        link = summary.parent.find_previous_sibling('a')
        if summary.get_text(strip=True) or summary.get('aria-label') or link is None:
            continue
        summary['aria-label'] = _('Sub-pages of %(title)s') % {'title': link.get_text(strip=True)}
    return tree


def citation_list_items(html: str) -> str:
    """`html` with docutils' deprecated citation role replaced by listitem."""
    return CITATION_ROLE.sub(r'\1 role="listitem">', html)


def fix_page(app: Sphinx, pagename: str, templatename: str,
             ctx: dict[str, Any], doctree: nodes.document | None) -> None:
    """Fix the page's body and the theme's navigation as they are rendered."""
    if 'body' in ctx:
        ctx['body'] = citation_list_items(ctx['body'])
    toctree = ctx.get('generate_toctree_html')
    if callable(toctree):
        @functools.wraps(toctree)
        def named_toctree(*args, **kwargs):
            tree = toctree(*args, **kwargs)
            # A tree, or '' for a page without sub-headings.
            return name_summaries(tree) if hasattr(tree, 'select') else tree
        ctx['generate_toctree_html'] = named_toctree

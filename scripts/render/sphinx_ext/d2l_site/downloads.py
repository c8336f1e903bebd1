"""The edition's PDFs and notebook archives in the theme's download menu.

``d2l_pdfs`` and ``d2l_downloads`` list the PDFs and the archives the build
puts beside the edition's pages: ``[{'framework', 'label', 'href'}]``,
``href`` relative to the edition's root (the book's build writes them:
scripts/render/downloads.py). Each page's download menu (sphinx-book-theme's header
button group ``download-buttons``) gets one link per PDF and per archive
after its own entries; d2l-site.js lists the PDF of the framework the reader
has chosen first.
"""
from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.locale import _

MENU = 'download-buttons'


def add_download_links(app: Sphinx, pagename: str, templatename: str,
                      ctx: dict[str, Any], doctree: nodes.document | None) -> None:
    pdfs, archives = app.config.d2l_pdfs, app.config.d2l_downloads
    menu = next((button for button in ctx.get('header_buttons') or ()
                 if button.get('label') == MENU), None)
    if not (pdfs or archives) or menu is None:
        return
    to_root = '../' * app.builder.get_target_uri(pagename).count('/')

    def link(kind: str, entry: dict, text: str, tooltip: str, icon: str) -> dict:
        return {'type': 'link', 'url': to_root + entry['href'],
                'text': text % {'framework': entry['label']},
                'tooltip': tooltip % {'framework': entry['label']},
                'icon': icon, 'label': f'download-{kind}-{entry["framework"]}-button'}

    menu['buttons'] += [
        link('book-pdf', pdf, _('%(framework)s book (PDF)'),
             _('Download this edition as a PDF with the %(framework)s code'), 'fas fa-file-pdf')
        for pdf in pdfs]
    menu['buttons'] += [
        link('notebooks', archive, _('%(framework)s notebooks (.zip)'),
             _('Download all notebooks of this edition for %(framework)s'), 'fas fa-file-zipper')
        for archive in archives]

"""LaTeX side of the Korean/Chinese book (the PDFs, scripts/render/pdf.py).

Enable with ``extensions = [..., 'd2l_latex']`` (``scripts/render/sphinx_ext`` on
``sys.path``).

``d2l_latex_unnumbered``
    Documents whose chapter (and sections) go unnumbered, as front and back
    matter do: the preface, the references. The chapters after them are
    numbered again.

SVG figures become PDFs through librsvg (sphinxcontrib-svg2pdfconverter),
which Sphinx runs on every figure at every build: this extension converts
a figure only when its PDF is missing or older than the SVG (30 figures
took 4 s of each PDF's rebuild after a one-sentence edit).

Sphinx also asks docutils' table of Babel languages for the document's
language and warns when it is missing, as Korean is, even when neither
Babel nor polyglossia is used (the book sets Korean with fontspec alone): this
extension adds Babel's name for it, so the build keeps warnings as errors.
"""
from __future__ import annotations

import os

from docutils import nodes
from docutils.writers.latex2e import Babel
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinxcontrib.rsvgconverter.rsvgconverter import RSVGConverter

BABEL_NAMES = {'ko': 'korean'}
# LaTeX's default for chapters, sections and subsections.
NUMBERED_DEPTH = 2


def chapters(node: nodes.Node):
    """The documents included at the top level under `node`. Walks children
    lists: Sphinx's inlining of toctrees leaves the parent links stale."""
    for child in node.children:
        if isinstance(child, addnodes.start_of_file):
            yield child
        elif isinstance(child, nodes.Element):
            yield from chapters(child)


def number_chapters(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Switch numbering off at the start of each unnumbered document included
    at the top level of the book (a chapter), and on again at the others."""
    if app.builder.format != 'latex':
        return
    unnumbered = set(app.config.d2l_latex_unnumbered)
    for chapter in chapters(doctree):
        depth = -1 if chapter['docname'] in unnumbered else NUMBERED_DEPTH
        chapter.insert(0, nodes.raw('', rf'\setcounter{{secnumdepth}}{{{depth}}}', format='latex'))


class UpToDateRSVGConverter(RSVGConverter):
    """librsvg's conversion, skipped where the converted file is up to date.
    It runs before the package's own converter, which then finds nothing
    left to convert."""
    default_priority = RSVGConverter.default_priority - 1

    def convert(self, _from: str, _to: str) -> bool:
        if os.path.exists(_to) and os.path.getmtime(_to) >= os.path.getmtime(_from):
            return True
        return super().convert(_from, _to)


def setup(app: Sphinx) -> dict:
    app.setup_extension('sphinxcontrib.rsvgconverter')
    app.add_post_transform(UpToDateRSVGConverter)
    for code, name in BABEL_NAMES.items():
        Babel.language_codes.setdefault(code, name)
    app.add_config_value('d2l_latex_unnumbered', [], 'env', list)
    app.connect('doctree-resolved', number_chapters)
    return {'version': '1.0', 'parallel_read_safe': True, 'parallel_write_safe': True}

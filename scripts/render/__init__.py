"""Stage 2, rendering: from merged pages to the site and the PDFs.

The HTML of each edition with Sphinx (`html`), the PDFs per edition and
framework (`pdf`, typeset as `latex` says), the archives and PDFs offered
for download (`downloads`), the site root (`landing/`), the Sphinx
extensions (`sphinx_ext/`, loaded by Sphinx by name from that folder) and
the writer's live preview (`serve`).
"""

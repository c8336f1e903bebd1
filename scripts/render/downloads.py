"""What each edition offers for download: zip archives of the Colab
notebooks and the PDFs (scripts/render/pdf.py), one per edition and framework.

Each archive holds the notebooks of one edition and framework as they are
committed under `notebooks/<edition>/<framework>/` (`make notebooks` writes
them), in a folder of the archive's name, and is written beside the
edition's pages as `<edition>/downloads/d2l-<edition>-<framework>-notebooks.zip`.
The landing page (scripts/render/landing) and every page's download menu (the site
extension's `downloads.py`, configured by scripts/render/html.py) link to them.

Archives are byte-for-byte reproducible: sorted members with a fixed date.
The PDFs that `make pdf` has built are copied beside them as
`<edition>/downloads/d2l-<edition>-<framework>.pdf`, and the download menu
offers those.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from scripts.environment import book
from scripts.environment.files import write_if_changed

FOLDER = "downloads"  # inside each edition's output folder
DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: no build time in the bytes


def stem(lang: str, framework: str) -> str:
    return f"d2l-{lang}-{framework}-notebooks"


def href(lang: str, framework: str) -> str:
    """The archive's URL relative to its edition's root."""
    return f"{FOLDER}/{stem(lang, framework)}.zip"


def notebooks(lang: str, framework: str) -> list[Path]:
    """The committed notebooks of one edition and framework, in path order."""
    folder = book.NOTEBOOKS / lang / framework
    return sorted(folder.rglob("*.ipynb")) if folder.is_dir() else []


def archives(lang: str) -> list[dict[str, str]]:
    """The archives of an edition, for the frameworks that have notebooks:
    `{'framework', 'label', 'href', 'count'}` in the book's framework order."""
    return [{"framework": fw, "label": book.FRAMEWORK_LABELS[fw], "href": href(lang, fw),
             "count": str(len(notebooks(lang, fw)))}
            for fw in book.FRAMEWORKS if notebooks(lang, fw)]


def pdf_href(lang: str, framework: str) -> str:
    """The PDF's URL relative to its edition's root."""
    return f"{FOLDER}/{book.pdf_path(lang, framework).name}"


def pdfs(lang: str) -> list[dict[str, str]]:
    """The edition's PDFs built so far: `{'framework', 'label', 'href'}` in
    the book's framework order."""
    return [{"framework": fw, "label": book.FRAMEWORK_LABELS[fw], "href": pdf_href(lang, fw)}
            for fw in book.FRAMEWORKS if book.pdf_path(lang, fw).is_file()]


def archive_bytes(lang: str, framework: str) -> bytes:
    folder = book.NOTEBOOKS / lang / framework
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in notebooks(lang, framework):
            member = zipfile.ZipInfo(f"{stem(lang, framework)}/{path.relative_to(folder).as_posix()}", DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            archive.writestr(member, path.read_bytes())
    return buffer.getvalue()


def write(lang: str, edition_dir: Path | None = None) -> list[Path]:
    """Write the edition's archives and copy its PDFs into its output folder;
    return their paths."""
    edition_dir = edition_dir or book.html_dir(lang)
    contents = {entry["href"]: archive_bytes(lang, entry["framework"]) for entry in archives(lang)}
    contents.update({entry["href"]: book.pdf_path(lang, entry["framework"]).read_bytes()
                     for entry in pdfs(lang)})
    written = []
    for href, content in contents.items():
        path = edition_dir / href
        write_if_changed(path, content)
        written.append(path)
    return written

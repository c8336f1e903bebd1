"""What every page of the built book says about itself before it is read:
a title naming the page and the edition, a favicon that exists, a
description and a social preview (Open Graph) in the edition's language;
the site root's landing, 404 page and favicon; reproducible notebook archives.
"""
from __future__ import annotations

import posixpath
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from scripts.environment import book
from scripts.render import downloads
from scripts.render.landing import chapters

LOCALES = {'ko': 'ko_KR', 'zh': 'zh_CN'}


def pages(site: Path, edition: str) -> list[Path]:
    return sorted(p for p in (site / edition).rglob('*.html')
                  if not any(part.startswith('_') for part in p.relative_to(site).parts))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding='utf-8'), 'html.parser')


def resolve(site: Path, page: Path, href: str) -> Path:
    folder = page.parent.relative_to(site).as_posix()
    return site / posixpath.normpath(posixpath.join(folder, href.split('?')[0]))


@pytest.mark.parametrize('edition', LOCALES)
def test_every_page_has_title_icon_and_preview(built_site, edition):
    title = book.editions()[edition]['title']
    found = pages(built_site, edition)
    assert len(found) >= 5
    for page in found:
        doc = soup(page)
        where = page.relative_to(built_site)
        # The page's own title (its first heading, where it has one) and the edition's.
        heading = doc.select_one('article h1')
        assert doc.title.string.endswith(f' {title}'), where
        if heading is not None:
            assert heading.get_text(strip=True).rstrip('#') in doc.title.string, where
        icons = [link['href'] for link in doc.head.find_all('link', rel='icon')]
        assert any(href.endswith('.svg') for href in icons), where
        assert all(resolve(built_site, page, href).is_file() for href in icons), where
        og = {meta['property']: meta['content'] for meta in doc.head.find_all('meta', property=True)}
        assert og['og:locale'] == LOCALES[edition], where
        assert og['og:title'].endswith(title) and og['og:description'], where
        assert doc.head.find('meta', attrs={'name': 'description'})['content'], where


def test_vgg_page_is_described_by_its_opening(built_site):
    for edition in LOCALES:
        doc = soup(built_site / edition / 'chapter_convolutional-modern/vgg.html')
        description = doc.head.find('meta', attrs={'name': 'description'})['content']
        assert 'AlexNet' in description and len(description) <= 160


def test_site_root(built_site):
    for name in ('index.html', '404.html', 'favicon.ico', '_landing/landing.css',
                 '_landing/landing.js', '_landing/d2l-favicon.svg'):
        assert (built_site / name).is_file(), name
    landing = soup(built_site / 'index.html')
    for edition in LOCALES:
        card = landing.select_one(f'.d2l-edition[data-edition="{edition}"]')
        assert book.editions()[edition]['description'] in card.get_text()
        # Every chapter of the table of contents, by its title in the sources.
        titles = [a.get_text() for a in card.select('.d2l-chapters a:not(.d2l-colab)')]
        assert titles == [c['title'] for p in chapters.parts(edition) for c in p['chapters']]
        for a in card.select('a[href]'):
            if not a['href'].startswith('https://'):
                assert (built_site / a['href']).is_file(), a['href']
        # The edition's PDF for every framework.
        pdfs = [a['href'] for a in card.select('a.d2l-pdf')]
        assert pdfs == [f'{edition}/downloads/d2l-{edition}-{fw}.pdf' for fw in book.FRAMEWORKS]
    # Offline: nothing on the root pages comes from another host.
    for name in ('index.html', '404.html'):
        doc = soup(built_site / name)
        for element in doc.find_all(['link', 'script', 'img']):
            assert not (element.get('src') or element.get('href') or '').startswith(('http:', 'https:', '//'))


def test_archives_are_reproducible():
    for edition in LOCALES:
        for archive in downloads.archives(edition):
            fw = archive['framework']
            assert downloads.archive_bytes(edition, fw) == downloads.archive_bytes(edition, fw)


def test_chapter_titles_come_from_the_sources():
    for edition in LOCALES:
        parts = chapters.parts(edition)
        assert parts and all(p['chapters'] for p in parts)
        for part in parts:
            for chapter in part['chapters']:
                source = book.source_path(edition, chapter['page']).read_text(encoding='utf-8')
                assert f"# {chapter['title']}" in source

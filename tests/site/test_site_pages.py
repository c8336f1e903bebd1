"""The HTML of the tiny site: <html lang>, edition switch, hreflang
alternates, notebook links, translated UI strings, no-JS tabs."""
from __future__ import annotations

import posixpath
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from sphinx.errors import ConfigError

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'scripts' / 'render' / 'sphinx_ext'))
from d2l_site import DEFAULT_FRAMEWORKS, page  # noqa: E402

PAGES = ['index', 'chapter_convolutional-modern/index', 'chapter_convolutional-modern/vgg',
         'search', 'genindex']
EDITIONS = {'ko': ('ko', '中文', 'zh', 'zh-CN'), 'zh': ('zh-CN', '한국어', 'ko', 'ko')}
REPO = 'https://colab.research.google.com/github/d2l-ko-zh/vgg-book/blob/main/notebooks'
# html_baseurl of the Chinese build (conftest.py): its alternates are absolute.
SITE_URL = 'https://example.org/book/'


def soup(site: Path, edition: str, pagename: str) -> BeautifulSoup:
    html = (site / edition / f'{pagename}.html').read_text(encoding='utf-8')
    return BeautifulSoup(html, 'html.parser')


def resolve(site: Path, edition: str, pagename: str, href: str) -> Path:
    """The file a link on a page points at."""
    if href.startswith(SITE_URL):
        return site / href[len(SITE_URL):]
    return site / posixpath.normpath(posixpath.join(edition, posixpath.dirname(pagename), href))


@pytest.mark.parametrize('edition', EDITIONS)
@pytest.mark.parametrize('pagename', PAGES)
def test_html_lang(site, edition, pagename):
    assert soup(site, edition, pagename).html['lang'] == EDITIONS[edition][0]


@pytest.mark.parametrize('edition', EDITIONS)
def test_one_search_button_and_no_empty_top_bar(site, edition):
    doc = soup(site, edition, 'chapter_convolutional-modern/vgg')
    assert doc.select_one('#pst-header').find(True) is None
    # The theme shows the field on wide screens, the icon on narrow ones.
    fields = doc.select('button.search-button-field')
    assert [b.find_parent(id='pst-primary-sidebar') is not None for b in fields] == [True]


@pytest.mark.parametrize('edition', EDITIONS)
@pytest.mark.parametrize('pagename', PAGES)
def test_language_switch_and_alternates_point_to_same_page(site, edition, pagename):
    _, label, other, other_lang = EDITIONS[edition]
    doc = soup(site, edition, pagename)
    links = doc.select('a.d2l-lang-switch')
    assert [a.get_text(strip=True) for a in links] == [label]
    assert links[0]['hreflang'] == other_lang
    target = site / other / f'{pagename}.html'
    assert resolve(site, edition, pagename, links[0]['href']) == target
    assert target.exists()

    alternates = {link['hreflang']: link['href']
                  for link in doc.head.find_all('link', rel='alternate')}
    assert set(alternates) == {'ko', 'zh-CN'}
    for hreflang, dir_ in (('ko', 'ko'), ('zh-CN', 'zh')):
        assert resolve(site, edition, pagename, alternates[hreflang]) == site / dir_ / f'{pagename}.html'
        assert alternates[hreflang].startswith(SITE_URL) == (edition == 'zh')


def test_canonical_url_holds_edition_dir(site):
    canonical = soup(site, 'zh', 'chapter_convolutional-modern/vgg').head.find('link', rel='canonical')
    assert canonical['href'] == f'{SITE_URL}zh/chapter_convolutional-modern/vgg.html'
    assert soup(site, 'ko', 'index').head.find('link', rel='canonical') is None


@pytest.mark.parametrize('baseurl, expected', [
    ('', ''),
    ('https://example.org/book', 'https://example.org/book/'),
    ('https://example.org/book/', 'https://example.org/book/'),
    ('https://example.org/book/zh/', 'https://example.org/book/'),
])
def test_site_url(baseurl, expected):
    config = SimpleNamespace(html_baseurl=baseurl)
    assert page.site_url(config, {'dir': 'zh'}) == expected


@pytest.mark.parametrize('edition', EDITIONS)
def test_notebook_links_of_page_with_tabs(site, edition):
    pagename = 'chapter_convolutional-modern/vgg'
    doc = soup(site, edition, pagename)
    items = doc.select('.d2l-notebooks .d2l-notebook')
    assert [i['data-framework'] for i in items] == ['mxnet', 'pytorch', 'tensorflow']
    for item in items:
        fw = item['data-framework']
        # Without JS every framework's links show.
        assert not item.has_attr('hidden')
        colab = item.select_one('a.d2l-colab')['href']
        assert colab == f'{REPO}/{edition}/{fw}/{pagename}.ipynb'
        download = item.select_one('a.d2l-download')['href']
        assert download == f'../_notebooks/{fw}/{pagename}.ipynb'
        assert resolve(site, edition, pagename, download) == \
            site / edition / '_notebooks' / fw / f'{pagename}.ipynb'
    texts = {'ko': ('Colab에서 열기', '노트북 내려받기'), 'zh': ('在 Colab 中打开', '下载笔记本')}
    assert texts[edition][0] in items[0].select_one('a.d2l-colab').get_text()
    assert texts[edition][1] in items[0].select_one('a.d2l-download').get_text()


@pytest.mark.parametrize('edition', EDITIONS)
def test_notebooks_from_front_matter_and_none_without_code(site, edition):
    chapter = soup(site, edition, 'chapter_convolutional-modern/index')
    assert [i['data-framework'] for i in chapter.select('.d2l-notebook')] == list(DEFAULT_FRAMEWORKS)
    assert chapter.select_one('a.d2l-download')['href'] == \
        '../_notebooks/mxnet/chapter_convolutional-modern/index.ipynb'
    assert soup(site, edition, 'index').select('.d2l-notebooks') == []


@pytest.mark.parametrize('edition', EDITIONS)
def test_tabs_readable_without_js(site, edition):
    doc = soup(site, edition, 'chapter_convolutional-modern/vgg')
    tab_sets = doc.select('.sd-tab-set')
    assert tab_sets
    for tab_set in tab_sets:
        inputs = tab_set.find_all('input', recursive=False)
        # CSS shows the checked radio's panel: the first one, by default.
        assert [i.has_attr('checked') for i in inputs] == [True, False, False]
        labels = tab_set.find_all('label', recursive=False)
        assert [lb['data-sync-group'] for lb in labels] == ['framework'] * 3


@pytest.mark.parametrize('edition, expected, english', [
    ('ko', ['이 책에서 검색...', '맨 위로', '본문 바로가기', '목차 사이드바 열기/닫기',
            '색상 모드', '지은이: D2L', '이전 페이지'],
     ['Search this book', 'Back to top', 'Toggle primary sidebar', 'Color mode',
      'Link to this heading', '으로 D2L']),
    ('zh', ['在本书中搜索...', '回到顶部', '显示/隐藏目录侧栏', '颜色模式', '作者：D2L',
            '链接到此标题'],
     ['Search this book', 'Back to top', 'Toggle primary sidebar', 'Color mode',
      'Link to this heading']),
])
def test_ui_strings_translated(site, edition, expected, english):
    html = (site / edition / 'chapter_convolutional-modern/vgg.html').read_text(encoding='utf-8')
    for text in expected:
        assert text in html, text
    for text in english:
        assert text not in html, text


@pytest.mark.parametrize('edition, locale', [('ko', 'ko'), ('zh', 'zh_Hans_CN')])
def test_search_page_strings_translated(site, edition, locale):
    # searchtools.js takes its messages from Sphinx's translations.js.
    text = (site / edition / '_static' / 'translations.js').read_text(encoding='utf-8')
    assert f'"locale": "{locale}"' in text
    assert '"Searching"' in text and '"Search Results"' in text


def make_doctree(*children: nodes.Node) -> nodes.document:
    doc = new_document('test', get_default_settings(Parser))
    doc.extend(children)
    return doc


def fake_app(metadata: dict) -> SimpleNamespace:
    return SimpleNamespace(env=SimpleNamespace(metadata={'p': metadata}),
                           config=SimpleNamespace(d2l_frameworks=DEFAULT_FRAMEWORKS))


def test_notebook_frameworks_detection():
    code_cell = nodes.container(nb_element='cell_code')
    tabs = [nodes.rubric(sync_group='framework', sync_id=fw) for fw in ('pytorch', 'tensorflow')]
    other_tab = nodes.rubric(sync_group='os', sync_id='linux')
    # Code cells without tabs: every framework.
    assert page.notebook_frameworks(fake_app({}), 'p', make_doctree(code_cell)) == list(DEFAULT_FRAMEWORKS)
    # Framework tabs: their ids, once each, in order.
    assert page.notebook_frameworks(fake_app({}), 'p', make_doctree(*tabs, *tabs)) == ['pytorch', 'tensorflow']
    assert page.notebook_frameworks(fake_app({}), 'p', make_doctree(other_tab)) == []
    # Front matter decides when present, as YAML bool or text.
    assert page.notebook_frameworks(fake_app({'d2l_notebooks': False}), 'p', make_doctree(*tabs)) == []
    assert page.notebook_frameworks(fake_app({'d2l_notebooks': 'true'}), 'p', make_doctree()) == \
        list(DEFAULT_FRAMEWORKS)
    assert page.notebook_frameworks(fake_app({}), 'p', None) == []


@pytest.mark.parametrize('language, edition, editions_conf, expected', [
    # The book's _config.yml form, keyed by directory...
    ('zh_CN', '', {'ko': {'language': 'ko'}, 'zh': {'language': 'zh_CN'}}, 'zh'),
    ('zh_CN', 'zh', {'ko': {'language': 'ko'}, 'zh': {'language': 'zh_CN'}}, 'zh'),
    # ... or keyed by Sphinx language, with the directory given.
    ('zh_CN', '', {'ko': {'dir': 'ko'}, 'zh_CN': {'dir': 'zh'}}, 'zh'),
    ('en', '', {'ko': {'dir': 'ko'}, 'zh_CN': {'dir': 'zh'}}, None),
])
def test_current_edition(language, edition, editions_conf, expected):
    config = SimpleNamespace(language=language, d2l_edition=edition, d2l_editions=editions_conf)
    found, current = page.editions(config)
    assert [e['dir'] for e in found] == ['ko', 'zh']
    assert (current and current['dir']) == expected


@pytest.mark.parametrize('url', ['https://gitlab.com/a/b', 'github.com/a/b', 'https://github.com/a'])
def test_repository_url_must_be_github(url):
    with pytest.raises(ConfigError):
        page.check_config(None, SimpleNamespace(d2l_repository_url=url))


@pytest.mark.parametrize('url', ['', 'https://github.com/a/b', 'https://github.com/a/b.git',
                                 'https://github.com/a/b/'])
def test_repository_url_accepted(url):
    page.check_config(None, SimpleNamespace(d2l_repository_url=url))

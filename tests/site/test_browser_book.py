"""The built book (both editions, quick profile) in headless Chromium, served
over HTTP as it is deployed: framework tabs and notebook links, the edition
switch, Korean and Chinese search, offline math, no console errors.

Screenshots for a look by eye go to _build/screenshots/.
"""
from __future__ import annotations

import re
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

# Before Selenium's imports: this one skips the module where Selenium is missing.
from tests.site.browser import chromium, console_errors, framework_state, needs_chromium, serve
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = needs_chromium

REPO = Path(__file__).resolve().parents[2]
KO_SOURCE = REPO / 'book/ko/chapter_convolutional-modern/vgg.md'
VGG = 'chapter_convolutional-modern/vgg.html'
EQUIVALENCE = 'chapter_convolutional-modern/vgg-equivalence.html'
LANG = {'ko': 'ko', 'zh': 'zh-CN'}

# Console errors that are not the site's: none (every page names its favicon).
FOREIGN_ERRORS = ()


def particle_only_words(text: str, count: int = 2) -> list[str]:
    """Two-syllable nouns that the text has only with particles attached
    ('구조가', '구조를', never '구조'): a search must find a page by the bare
    word. A stem counts when it takes at least two particles, so that the
    start of a longer word (해상 in 해상도) does not."""
    particles = {'을', '를', '이', '가', '은', '는', '의', '에', '로', '와', '과', '도',
                 '만', '에서', '으로', '마다', '처럼'}
    endings: dict[str, set[str]] = {}
    for run in re.findall('[가-힣]{3,}', text):
        if run[2:] in particles:
            endings.setdefault(run[:2], set()).add(run[2:])
    stems = [stem for stem, ends in endings.items()
             if len(ends) >= 2 and not standalone(stem).search(text)]
    return sorted(stems, key=lambda stem: -len(endings[stem]))[:count]


def standalone(word: str) -> re.Pattern:
    return re.compile(f'(?<![가-힣]){word}(?![가-힣])')


PARTICLE_ONLY = particle_only_words(KO_SOURCE.read_text(encoding='utf-8'))


@pytest.fixture(scope='module')
def base_url(built_site):
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope='session')
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp('downloads')


@pytest.fixture(scope='session')
def driver(tmp_path_factory, downloads):
    with chromium(profile=tmp_path_factory.mktemp('chromium-profile')) as browser:
        browser.execute_cdp_cmd('Browser.setDownloadBehavior',
                                {'behavior': 'allow', 'downloadPath': str(downloads)})
        yield browser


@pytest.fixture(scope='module')
def local_mathjax(built_site) -> bool:
    return all((built_site / edition / '_static/mathjax/MathJax.js').is_file() for edition in LANG)


def page_errors(driver, local_mathjax: bool) -> list[str]:
    """Errors logged since the last call; offline, a CDN MathJax fails too."""
    return console_errors(
        driver, FOREIGN_ERRORS if local_mathjax else (*FOREIGN_ERRORS, 'mathjax'))


def chosen_frameworks(driver) -> tuple[set[str | None], list[str]]:
    """The checked framework tabs of all tab-sets, and the shown notebook links:
    the book's pages have too many tab-sets to list one by one."""
    checked, shown = framework_state(driver)
    return set(checked), shown


def http_status(url: str) -> int:
    with urllib.request.urlopen(url) as response:
        return response.status


def test_framework_tabs_sync_persist_and_pick_notebooks(driver, base_url, downloads,
                                                        local_mathjax):
    driver.get(f'{base_url}/ko/{VGG}')
    driver.execute_script('localStorage.clear()')
    driver.refresh()
    assert len(driver.find_elements(By.CSS_SELECTOR, '.sd-tab-set')) > 1
    assert chosen_frameworks(driver) == ({'mxnet'}, ['mxnet'])

    # A click in one tab-set switches every tab-set and the notebook links.
    driver.find_elements(By.CSS_SELECTOR, 'label[data-sync-id="pytorch"]')[0].click()
    assert chosen_frameworks(driver) == ({'pytorch'}, ['pytorch'])
    colab = driver.find_element(By.CSS_SELECTOR, '.d2l-notebook:not([hidden]) a.d2l-colab')
    assert colab.get_attribute('href').endswith(
        '/notebooks/ko/pytorch/chapter_convolutional-modern/vgg.ipynb')
    download = driver.find_element(By.CSS_SELECTOR, '.d2l-notebook:not([hidden]) a.d2l-download')
    href = download.get_attribute('href')  # resolved against the page
    assert href == f'{base_url}/ko/_notebooks/pytorch/chapter_convolutional-modern/vgg.ipynb'
    assert http_status(href) == 200
    # Clear of the sticky header, where a plain click would scroll it.
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", download)
    download.click()
    saved = downloads / 'vgg.ipynb'
    WebDriverWait(driver, 10).until(lambda _: saved.is_file() and saved.stat().st_size > 0)
    assert '"nbformat"' in saved.read_text(encoding='utf-8')

    # The choice survives another page (without tabs), going back, a reload.
    driver.get(f'{base_url}/ko/{EQUIVALENCE}')
    assert chosen_frameworks(driver) == (set(), [])
    driver.back()
    assert chosen_frameworks(driver) == ({'pytorch'}, ['pytorch'])
    driver.refresh()
    assert chosen_frameworks(driver) == ({'pytorch'}, ['pytorch'])

    # ?framework= overrides the stored choice (and is stored in its place).
    driver.get(f'{base_url}/ko/{VGG}?framework=tensorflow')
    assert chosen_frameworks(driver) == ({'tensorflow'}, ['tensorflow'])
    driver.get(f'{base_url}/ko/{VGG}')
    assert chosen_frameworks(driver) == ({'tensorflow'}, ['tensorflow'])
    assert page_errors(driver, local_mathjax) == []


PDF_LINKS = '.dropdown-download-buttons a[class*="btn-download-book-pdf-"]'
PDF_TEXT = {'ko': '{}판 PDF', 'zh': '{} 版 PDF'}


def pdf_menu(driver) -> list[tuple[str, str]]:
    """(href, text) of the PDF links in the download menu, in menu order."""
    return [(a.get_attribute('href'), a.get_attribute('textContent').strip())
            for a in driver.find_elements(By.CSS_SELECTOR, PDF_LINKS)]


@pytest.mark.parametrize('edition', list(LANG))
def test_download_menu_offers_the_pdfs_chosen_framework_first(driver, base_url, downloads,
                                                              built_pdfs, local_mathjax, edition):
    order = {'pytorch': ['pytorch', 'mxnet', 'tensorflow'],
             'tensorflow': ['tensorflow', 'mxnet', 'pytorch'],
             'mxnet': ['mxnet', 'pytorch', 'tensorflow']}
    labels = {'mxnet': 'MXNet', 'pytorch': 'PyTorch', 'tensorflow': 'TensorFlow'}
    for chosen, frameworks in order.items():
        driver.get(f'{base_url}/{edition}/{VGG}?framework={chosen}')
        assert pdf_menu(driver) == [
            (f'{base_url}/{edition}/downloads/d2l-{edition}-{fw}.pdf', PDF_TEXT[edition].format(labels[fw]))
            for fw in frameworks]
    # A tab chosen on the page reorders the menu too.
    driver.find_elements(By.CSS_SELECTOR, 'label[data-sync-id="tensorflow"]')[0].click()
    assert pdf_menu(driver)[0][0].endswith(f'd2l-{edition}-tensorflow.pdf')

    # Followed from the menu, the first link gives this edition's PDF for that framework.
    driver.get(f'{base_url}/{edition}/{VGG}?framework=pytorch')
    driver.find_element(By.CSS_SELECTOR, '.dropdown-download-buttons button.dropdown-toggle').click()
    link = driver.find_element(By.CSS_SELECTOR, PDF_LINKS)
    WebDriverWait(driver, 5).until(lambda _: link.is_displayed())
    href = link.get_attribute('href')
    with urllib.request.urlopen(href) as response:
        assert response.headers['Content-Type'] == 'application/pdf'
        assert response.read() == built_pdfs[edition, 'pytorch'].read_bytes()
    before = set(driver.window_handles)
    link.click()
    WebDriverWait(driver, 10).until(
        lambda _: (downloads / href.rsplit('/', 1)[1]).is_file() or set(driver.window_handles) - before)
    for handle in set(driver.window_handles) - before:
        driver.switch_to.window(handle)
        assert driver.current_url == href
        driver.close()
    driver.switch_to.window(next(iter(before)))
    assert page_errors(driver, local_mathjax) == []


def test_language_switch_and_alternates(driver, base_url, local_mathjax):
    driver.get(f'{base_url}/ko/{VGG}')
    alternates = {link.get_attribute('hreflang'): link.get_attribute('href') for link in
                  driver.find_elements(By.CSS_SELECTOR, 'link[rel="alternate"][hreflang]')}
    assert set(alternates) == set(LANG.values())
    for edition, lang in LANG.items():
        assert alternates[lang].endswith(f'/{edition}/{VGG}')

    for edition in ('zh', 'ko'):
        driver.find_element(By.CSS_SELECTOR, 'a.d2l-lang-switch').click()
        assert driver.current_url == f'{base_url}/{edition}/{VGG}'
        assert driver.find_element(By.TAG_NAME, 'html').get_attribute('lang') == LANG[edition]

    driver.get(f'{base_url}/index.html')
    links = {link.get_attribute('hreflang'): link.get_attribute('href')
             for link in driver.find_elements(By.CSS_SELECTOR, 'a[hreflang]')}
    assert links == {lang: f'{base_url}/{edition}/index.html' for edition, lang in LANG.items()}
    for href in links.values():
        assert http_status(href) == 200
    assert page_errors(driver, local_mathjax) == []


def test_korean_text_has_particle_only_words():
    # Two of the Korean searches below; the chapter's text decides which.
    assert len(PARTICLE_ONLY) == 2


@pytest.mark.parametrize('edition, query', [
    *[('ko', word) for word in ('합성곱', '블록', '신경망', '풀링', *PARTICLE_ONLY)],
    ('zh', '卷积'), ('zh', '网络'), ('zh', '块'),
])
def test_search_page_finds_vgg(driver, base_url, local_mathjax, edition, query):
    if query in PARTICLE_ONLY:
        source = KO_SOURCE.read_text(encoding='utf-8')
        assert query in source and not standalone(query).search(source)
    driver.get(f'{base_url}/{edition}/search.html?q={quote(query)}')
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "const s = document.querySelector('.search-summary'); return s && s.innerText"))
    found = driver.execute_script("return [...document.querySelectorAll('ul.search li a')]"
                                  ".map((a) => a.getAttribute('href'))")
    assert VGG in found
    # Excerpts (fetched later) come from the article, not the page furniture
    # around it such as the theme's download menu (.ipynb, .pdf).
    excerpt = WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "const p = document.querySelector(`ul.search li a[href='${arguments[0]}'] ~ p.context`);"
        "return p && p.innerText", VGG))
    assert '.pdf' not in excerpt
    assert page_errors(driver, local_mathjax) == []


@pytest.mark.parametrize('edition', LANG)
def test_math_renders_offline(driver, base_url, local_mathjax, edition):
    if not local_mathjax:
        pytest.skip('the site loads MathJax from a CDN (install libjs-mathjax)')
    driver.get(f'{base_url}/{edition}/{VGG}')
    script = driver.find_element(By.CSS_SELECTOR, 'script[src*="MathJax.js"]')
    assert script.get_attribute('src').startswith(f'{base_url}/{edition}/_static/mathjax/')
    # MathJax 2 puts its output before each TeX source, which it moves into a
    # script: no TeX is left to read.
    WebDriverWait(driver, 20).until(lambda d: d.execute_script(
        "return [...document.querySelectorAll('.math')].every("
        "(m) => m.querySelector('.MathJax_CHTML'))"))
    assert len(driver.find_elements(By.CSS_SELECTOR, 'div.math')) >= 3
    texts = driver.execute_script(
        "return [...document.querySelectorAll('.math')].map((m) => m.innerText)")
    assert not [t for t in texts if '\\[' in t or '\\(' in t or '\\begin' in t]
    assert driver.execute_script('return MathJax.Localization.locale') == {
        'ko': 'ko', 'zh': 'zh-hans'}[edition]
    # The web fonts it would load where the MathJax fonts are not installed.
    fonts = driver.execute_script("""
        const urls = [];
        for (const sheet of document.styleSheets) {
          let rules; try { rules = sheet.cssRules; } catch (e) { continue; }
          for (const rule of rules) {
            if (!(rule instanceof CSSFontFaceRule)) continue;
            const src = rule.style.getPropertyValue('src');
            for (const m of src.matchAll(/url\\("?([^")]+\\.woff)"?\\)/g))
              urls.push(new URL(m[1], document.baseURI).href);
          }
        }
        return urls;""")
    assert fonts and all(http_status(url) == 200 for url in set(fonts))
    assert page_errors(driver, local_mathjax) == []


def test_screenshots(driver, base_url, built_site, local_mathjax):
    shots = built_site.parent / 'screenshots'
    shots.mkdir(exist_ok=True)

    def shoot(name: str, section: str | None = None) -> None:
        # From the top, or the section's heading; a reload keeps the scroll.
        driver.execute_script(
            "const s = arguments[0] && document.getElementById(arguments[0]);"
            "s ? s.scrollIntoView() : window.scrollTo(0, 0)", section)
        time.sleep(0.3)  # let the scroll and MathJax settle
        assert driver.save_screenshot(str(shots / name))

    for edition in LANG:
        driver.get(f'{base_url}/{edition}/{VGG}')
        assert driver.find_element(By.CSS_SELECTOR, '.d2l-stamp').is_displayed()
        assert driver.find_element(By.CSS_SELECTOR, '.d2l-results table').is_displayed()
        shoot(f'{edition}-vgg.png')
        shoot(f'{edition}-vgg-training.png', 'sec-vgg-training')
    driver.execute_script("localStorage.setItem('mode', 'dark')")
    try:
        driver.refresh()
        assert driver.execute_script('return document.documentElement.dataset.theme') == 'dark'
        shoot('zh-vgg-dark.png')
        shoot('zh-vgg-training-dark.png', 'sec-vgg-training')
    finally:
        driver.execute_script("localStorage.removeItem('mode')")
    assert page_errors(driver, local_mathjax) == []

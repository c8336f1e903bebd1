"""The site root of the built book in headless Chromium, served as deployed:
the landing page in light and dark mode and at phone width, the edition it
offers for the browser's language (and, once chosen, remembers), the
framework choice carried to the VGG page of both editions, the notebook
archives it and the editions' download menus link to, the 404 page, and no
console error, failed request or request to another host on any page.

Screenshots go to _build/screenshots/: landing-{desktop,phone}[-dark].png,
landing-offers-{ko,zh}.png (a Korean and a Chinese browser), 404.png.
"""
from __future__ import annotations

import base64
import io
import time
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pytest

# Before Selenium's imports: this one skips the module where Selenium is missing.
from tests.site.browser import (chromium, console_errors, framework_state, needs_chromium,
                                request_problems, serve)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from scripts.environment import book
from scripts.render import downloads
from scripts.render.landing import chapters

pytestmark = needs_chromium

VGG = 'chapter_convolutional-modern/vgg.html'
LANG = {'ko': 'ko', 'zh': 'zh-CN'}
BROWSER_LANGUAGES = {'ko': 'ko-KR,ko,en-US', 'zh': 'zh-CN,zh,en-US'}
SIZES = {'desktop': (1280, 900), 'phone': (390, 844)}


@pytest.fixture(scope='module')
def base_url(built_site):
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope='module')
def downloaded(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp('landing-downloads')


@pytest.fixture(scope='module')
def driver(tmp_path_factory, downloaded):
    with chromium(profile=tmp_path_factory.mktemp('landing-profile'), network=True) as browser:
        browser.execute_cdp_cmd('Browser.setDownloadBehavior',
                                {'behavior': 'allow', 'downloadPath': str(downloaded)})
        yield browser


@pytest.fixture(scope='module')
def shots(built_site) -> Path:
    folder = built_site.parent / 'screenshots'
    folder.mkdir(exist_ok=True)
    return folder


def fresh(driver, url: str) -> None:
    """Open `url` as a first-time visitor: nothing stored."""
    driver.get(url)
    driver.execute_script('localStorage.clear()')
    driver.refresh()


def full_page_screenshot(driver, path: Path) -> None:
    shot = driver.execute_cdp_cmd('Page.captureScreenshot',
                                  {'format': 'png', 'captureBeyondViewport': True})
    path.write_bytes(base64.b64decode(shot['data']))


def luminance(css_colour: str) -> float:
    """0 (black) to 255 (white), from 'rgb(r, g, b)' or 'rgba(...)'."""
    r, g, b = (float(v) for v in css_colour[css_colour.index('(') + 1:-1].split(',')[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the site: the root's and both editions'."""
    pages = ['index.html', '404.html']
    for edition in LANG:
        pages += sorted(p.relative_to(site).as_posix() for p in (site / edition).rglob('*.html')
                        if not any(part.startswith('_') for part in p.relative_to(site).parts))
    return pages


@pytest.mark.parametrize('mode', ['light', 'dark'])
def test_landing_renders_in_light_and_dark_mode(driver, base_url, shots, mode):
    driver.execute_cdp_cmd('Emulation.setEmulatedMedia',
                           {'features': [{'name': 'prefers-color-scheme', 'value': mode}]})
    try:
        for size, (width, height) in SIZES.items():
            driver.set_window_size(width, height)
            fresh(driver, f'{base_url}/index.html')
            assert driver.execute_script('return document.documentElement.dataset.theme') == mode
            background = driver.execute_script(
                'return getComputedStyle(document.body).backgroundColor')
            assert (luminance(background) > 200) == (mode == 'light'), background
            # Nothing wider than the screen, at either width.
            assert driver.execute_script(
                'return document.documentElement.scrollWidth <= window.innerWidth')
            for edition, hreflang in LANG.items():
                card = driver.find_element(By.CSS_SELECTOR, f'.d2l-edition[data-edition="{edition}"]')
                assert card.is_displayed() and card.get_attribute('lang') == hreflang
                assert book.editions()[edition]['description'] in card.text
                read = card.find_element(By.CSS_SELECTOR, 'a.d2l-read')
                assert read.get_attribute('href') == f'{base_url}/{edition}/index.html'
                shown = [a.text for a in card.find_elements(By.CSS_SELECTOR, '.d2l-chapters a:not(.d2l-colab)')]
                assert shown == [c['title'] for part in chapters.parts(edition) for c in part['chapters']]
            full_page_screenshot(driver, shots / f'landing-{size}{"-dark" if mode == "dark" else ""}.png')
    finally:
        driver.execute_cdp_cmd('Emulation.setEmulatedMedia', {'features': []})
        driver.set_window_size(1280, 900)
    assert console_errors(driver, ()) == []


def test_mode_chosen_on_landing_page_holds_in_the_editions(driver, base_url):
    fresh(driver, f'{base_url}/index.html')
    button = driver.find_element(By.CSS_SELECTOR, 'button.d2l-mode')
    # auto -> light -> dark: the theme's own storage, read by every page.
    while driver.execute_script('return document.documentElement.dataset.mode') != 'dark':
        button.click()
    assert driver.execute_script("return localStorage.getItem('mode')") == 'dark'
    driver.get(f'{base_url}/zh/{VGG}')
    assert driver.execute_script('return document.documentElement.dataset.theme') == 'dark'
    driver.execute_script("localStorage.removeItem('mode')")
    assert console_errors(driver, ()) == []


@pytest.mark.parametrize('edition', LANG)
def test_offers_the_edition_of_the_browser_language(tmp_path, base_url, shots, edition):
    other = next(e for e in LANG if e != edition)
    with chromium(profile=tmp_path / 'profile', languages=BROWSER_LANGUAGES[edition]) as browser:
        browser.get(f'{base_url}/index.html')
        assert browser.execute_script('return navigator.languages[0]').startswith(edition)
        offers = [o for o in browser.find_elements(By.CSS_SELECTOR, '.d2l-suggestion') if o.is_displayed()]
        assert [o.get_attribute('data-edition') for o in offers] == [edition]
        assert offers[0].get_attribute('lang') == LANG[edition]
        link = offers[0].find_element(By.CSS_SELECTOR, 'a')
        assert link.get_attribute('href') == f'{base_url}/{edition}/index.html'
        # Offered, not imposed: the landing page stays, the edition's card first.
        time.sleep(0.5)
        assert browser.current_url == f'{base_url}/index.html'
        first = browser.execute_script("""
            const cards = [...document.querySelectorAll('.d2l-edition')];
            cards.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top
                                 || a.getBoundingClientRect().left - b.getBoundingClientRect().left);
            return cards[0].dataset.edition;""")
        assert first == edition
        full_page_screenshot(browser, shots / f'landing-offers-{edition}.png')

        # Choosing the other edition is remembered over the browser's language.
        browser.find_element(By.CSS_SELECTOR, f'.d2l-edition[data-edition="{other}"] a.d2l-read').click()
        assert browser.current_url == f'{base_url}/{other}/index.html'
        browser.get(f'{base_url}/index.html')
        offers = [o for o in browser.find_elements(By.CSS_SELECTOR, '.d2l-suggestion') if o.is_displayed()]
        assert [o.get_attribute('data-edition') for o in offers] == [other]
        # ...and so is a switch of edition on a page.
        browser.get(f'{base_url}/{other}/{VGG}')
        browser.find_element(By.CSS_SELECTOR, 'a.d2l-lang-switch').click()
        browser.get(f'{base_url}/index.html')
        offers = [o for o in browser.find_elements(By.CSS_SELECTOR, '.d2l-suggestion') if o.is_displayed()]
        assert [o.get_attribute('data-edition') for o in offers] == [edition]
        assert console_errors(browser, ()) == []


def test_framework_chosen_on_landing_page_shows_on_vgg_in_both_editions(driver, base_url):
    fresh(driver, f'{base_url}/index.html')
    driver.find_element(By.CSS_SELECTOR, 'input[name="framework"][value="pytorch"]').find_element(
        By.XPATH, '..').click()
    colab = [a.get_attribute('href') for a in driver.find_elements(By.CSS_SELECTOR, 'a.d2l-colab')
             if a.is_displayed()]
    assert colab and all('/pytorch/' in href for href in colab)
    chosen = driver.find_elements(By.CSS_SELECTOR, '.d2l-archives li.d2l-chosen')
    assert {li.get_attribute('data-framework') for li in chosen} == {'pytorch'}
    for edition in LANG:
        driver.get(f'{base_url}/{edition}/{VGG}')
        checked, notebooks = framework_state(driver)
        assert len(checked) > 1 and set(checked) == {'pytorch'}
        assert notebooks == ['pytorch']
    # The landing page shows the choice made on a page.
    driver.find_elements(By.CSS_SELECTOR, 'label[data-sync-id="tensorflow"]')[0].click()
    driver.get(f'{base_url}/index.html')
    assert driver.find_element(By.CSS_SELECTOR, 'input[value="tensorflow"]').is_selected()
    assert console_errors(driver, ()) == []


def archive_notebooks(data: bytes) -> dict[str, nbformat.NotebookNode]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: nbformat.reads(archive.read(name).decode('utf-8'), as_version=4)
                for name in archive.namelist()}


def test_archives_hold_the_committed_notebooks(driver, base_url, downloaded):
    driver.get(f'{base_url}/index.html')
    links = [a.get_attribute('href') for a in driver.find_elements(By.CSS_SELECTOR, 'a.d2l-zip')]
    expected = {f'{base_url}/{edition}/{a["href"]}': (edition, a['framework'])
                for edition in LANG for a in downloads.archives(edition)}
    assert expected and sorted(links) == sorted(expected)
    for url, (edition, framework) in expected.items():
        with urllib.request.urlopen(url) as response:
            notebooks = archive_notebooks(response.read())
        committed = downloads.notebooks(edition, framework)
        folder = book.NOTEBOOKS / edition / framework
        stem = downloads.stem(edition, framework)
        assert sorted(notebooks) == [f'{stem}/{p.relative_to(folder).as_posix()}' for p in committed]
        for name, nb in notebooks.items():
            nbformat.validate(nb)
            assert nb.cells, name
        # Every page of the edition offers the same archives in its download menu.
        driver.get(f'{base_url}/{edition}/{VGG}')
        menu = [a.get_attribute('href') for a in driver.find_elements(
            By.CSS_SELECTOR, '.dropdown-download-buttons a[class*="btn-download-notebooks-"]')]
        assert url in menu
        driver.get(f'{base_url}/index.html')

    # The browser downloads it as a file when the link is followed.
    link = driver.find_element(By.CSS_SELECTOR, '.d2l-edition[data-edition="zh"] a.d2l-zip')
    link.click()
    saved = downloaded / link.get_attribute('href').rsplit('/', 1)[1]
    WebDriverWait(driver, 10).until(lambda _: saved.is_file() and saved.stat().st_size > 0)
    assert archive_notebooks(saved.read_bytes())
    assert console_errors(driver, ()) == []


def test_not_found_page_in_both_languages(driver, base_url, shots):
    driver.get(f'{base_url}/404.html')
    sections = driver.find_elements(By.CSS_SELECTOR, '.d2l-not-found')
    assert [s.get_attribute('lang') for s in sections] == list(LANG.values())
    for section, edition in zip(sections, LANG):
        home = section.find_element(By.CSS_SELECTOR, 'a.d2l-read').get_attribute('href')
        assert home == f'{base_url}/{edition}/index.html'
        with urllib.request.urlopen(home) as response:
            assert response.status == 200
    assert driver.execute_script(
        "return getComputedStyle(document.querySelector('.d2l-not-found a.d2l-read')).backgroundColor"
    ) != 'rgba(0, 0, 0, 0)'  # the theme's stylesheet applied
    assert driver.save_screenshot(str(shots / '404.png'))
    assert console_errors(driver, ()) == []


def test_no_console_error_or_failed_request_on_any_page(driver, base_url, built_site):
    # Without Debian's libjs-mathjax the site loads MathJax from a CDN (see
    # test_browser_book.py): the one request to another host then allowed.
    local_mathjax = all((built_site / e / '_static/mathjax/MathJax.js').is_file() for e in LANG)
    foreign = () if local_mathjax else ('mathjax',)
    pages = site_pages(built_site)
    assert len(pages) > 2 + 2 * 3
    driver.get_log('performance')
    problems = {}
    for page in pages:
        driver.get(f'{base_url}/{page}')
        WebDriverWait(driver, 20).until(
            lambda d: d.execute_script('return document.readyState') == 'complete')
        time.sleep(0.5)  # late requests: MathJax's fonts, the search index
        found = [problem for problem in console_errors(driver, foreign) + request_problems(driver, base_url)
                 if not any(f in problem.lower() for f in foreign)]
        if found:
            problems[page] = found
    assert problems == {}

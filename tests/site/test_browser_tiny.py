"""The tiny site in headless Chromium: framework tabs and notebook links,
search results as the search page lists them, and no console errors."""
from __future__ import annotations

from urllib.parse import quote

import pytest

# Before Selenium's imports: this one skips the module where Selenium is missing.
from tests.site.browser import chromium, console_errors, framework_state, needs_chromium, serve
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = needs_chromium

VGG = 'chapter_convolutional-modern/vgg.html'
CHAPTER = 'chapter_convolutional-modern/index.html'

# Console errors that are not the site's: the pydata theme reports its unset
# default colour mode on a first visit (the book sets one). Every page names
# its favicon, so Chromium asks for no /favicon.ico.
FOREIGN_ERRORS = ('Got invalid theme mode',)


@pytest.fixture(scope='module')
def base_url(site):
    with serve(site) as url:
        yield url


@pytest.fixture(scope='module')
def driver():
    with chromium() as browser:
        yield browser


def test_framework_choice_syncs_and_persists(driver, base_url):
    driver.get(f'{base_url}/ko/{VGG}')
    driver.execute_script('localStorage.clear()')
    driver.refresh()
    assert framework_state(driver) == (['mxnet', 'mxnet'], ['mxnet'])

    # A choice in one tab-set switches the other and the notebook links.
    driver.find_elements(By.CSS_SELECTOR, 'label[data-sync-id="pytorch"]')[0].click()
    assert framework_state(driver) == (['pytorch', 'pytorch'], ['pytorch'])
    shown = driver.find_element(By.CSS_SELECTOR, '.d2l-notebook:not([hidden]) a.d2l-colab')
    assert '/notebooks/ko/pytorch/chapter_convolutional-modern/vgg.ipynb' in shown.get_attribute('href')

    # It holds on another page (of the other edition, same origin) and on reload.
    driver.get(f'{base_url}/zh/{VGG}')
    assert framework_state(driver) == (['pytorch'], ['pytorch'])
    driver.refresh()
    assert framework_state(driver) == (['pytorch'], ['pytorch'])

    # ?framework= overrides the stored choice, and is stored in turn: also
    # from a page without tabs.
    driver.get(f'{base_url}/ko/{VGG}?framework=tensorflow')
    assert framework_state(driver) == (['tensorflow', 'tensorflow'], ['tensorflow'])
    driver.get(f'{base_url}/ko/{CHAPTER}')
    assert framework_state(driver) == ([], ['tensorflow'])
    driver.get(f'{base_url}/ko/{CHAPTER}?framework=mxnet')
    assert framework_state(driver) == ([], ['mxnet'])
    driver.get(f'{base_url}/ko/{VGG}')
    assert framework_state(driver) == (['mxnet', 'mxnet'], ['mxnet'])
    assert console_errors(driver, FOREIGN_ERRORS) == []


@pytest.mark.parametrize('edition, copy', [('ko', '복사'), ('zh', '复制')])
def test_copy_button_tooltip_translated(driver, base_url, edition, copy):
    driver.get(f'{base_url}/{edition}/{VGG}')
    buttons = WebDriverWait(driver, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, 'button.copybtn'))
    assert {b.get_attribute('data-tooltip') for b in buttons} == {copy}
    assert console_errors(driver, FOREIGN_ERRORS) == []


def test_language_switch_opens_same_page(driver, base_url):
    driver.get(f'{base_url}/ko/{VGG}')
    driver.find_element(By.CSS_SELECTOR, 'a.d2l-lang-switch').click()
    assert driver.current_url == f'{base_url}/zh/{VGG}'
    assert driver.find_element(By.TAG_NAME, 'html').get_attribute('lang') == 'zh-CN'
    assert console_errors(driver, FOREIGN_ERRORS) == []


@pytest.mark.parametrize('edition, query, expected', [
    ('ko', '합성곱', VGG),
    ('ko', '블록', VGG),
    ('ko', '신경망', VGG),
    ('ko', '풀링', VGG),
    ('ko', 'VGG 블록', VGG),
    ('zh', '卷积', VGG),
    ('zh', '网络', VGG),
    ('zh', '块', VGG),
])
def test_search_page_lists_page(driver, base_url, edition, query, expected):
    driver.get(f'{base_url}/{edition}/search.html?q={quote(query)}')
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "const s = document.querySelector('.search-summary'); return s && s.innerText"))
    found = driver.execute_script(
        "return [...document.querySelectorAll('ul.search li a')].map((a) => a.getAttribute('href'))")
    assert expected in found
    if query in ('블록', 'VGG 블록', '块'):
        assert found == [expected]
    # The excerpt, cut from the fetched page around the query, comes later.
    excerpt = WebDriverWait(driver, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, 'ul.search li p.context'))[0].text
    assert query.split()[-1] in excerpt
    assert console_errors(driver, FOREIGN_ERRORS) == []


def test_code_readable_without_javascript(base_url):
    with chromium(javascript=False) as browser:
        browser.get(f'{base_url}/ko/{VGG}')

        def shown_code():
            return [pre.text for pre in browser.find_elements(By.CSS_SELECTOR, '.sd-tab-content pre')
                    if pre.is_displayed()]

        # The first tab of each set shows; the others open with a click.
        assert shown_code() == ['blk = nn.Sequential()  # mxnet-code'] * 2
        browser.find_elements(By.CSS_SELECTOR, 'label[data-sync-id="pytorch"]')[0].click()
        assert shown_code()[0] == 'layers = []  # pytorch-code'
        # Every framework's notebook links show.
        assert all(item.is_displayed() for item in browser.find_elements(By.CSS_SELECTOR, '.d2l-notebook'))

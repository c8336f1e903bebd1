"""The built book for readers who use a screen reader or the keyboard alone
(WCAG 2.1 AA):

- axe-core (pinned, tests/site/axe.py) over every page of both editions, the
  landing page and the 404 page, in light and dark mode: no serious or
  critical violation; the minor and moderate ones are printed;
- MathJax's assistive MathML on every typeset formula;
- framework tabs, a dropdown answer, the edition switch and the download
  menu driven by keys only, each showing where the focus is.
"""
from __future__ import annotations

import time

import pytest

# Before Selenium's imports: this one skips the module where Selenium is missing.
from tests.site.browser import chromium, framework_state, needs_chromium, serve
from tests.site import axe
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = needs_chromium

VGG = 'chapter_convolutional-modern/vgg.html'
ALEXNET = 'chapter_convolutional-modern/alexnet.html'   # has dropdown answers
BATCH_NORM = 'chapter_convolutional-modern/batch-norm.html'   # 100+ formulas


@pytest.fixture(scope='module')
def base_url(built_site):
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope='module')
def driver(tmp_path_factory):
    with chromium(profile=tmp_path_factory.mktemp('a11y-profile')) as browser:
        yield browser


def test_axe_finds_nothing_serious_on_any_page(built_site, base_url, tmp_path_factory):
    """One browser, pages one after another, each loaded once and checked in
    both modes; prints axe's version, the pages, the time taken and every
    violation left by rule (the minor ones with their elements)."""
    pages = axe.site_pages(built_site)
    assert {'index.html', '404.html', f'ko/{VGG}', f'zh/{VGG}'} <= set(pages)
    start = time.monotonic()
    # A browser of its own: axe is injected into every document it opens.
    with chromium(profile=tmp_path_factory.mktemp('axe-profile')) as browser:
        found = axe.audit_site(browser, base_url, pages)
    print(f'\naxe-core {axe.axe_version()} ({", ".join(axe.WCAG_TAGS)}): {len(pages)} pages '
          f'x {"/".join(axe.MODES)} in {time.monotonic() - start:.1f} s: {", ".join(pages)}')
    print(axe.report(found, impacts=('minor', 'moderate')) or 'no violations')
    blocking = {key: [v for v in violations if v['impact'] in axe.BLOCKING]
                for key, violations in found.items()}
    assert not any(blocking.values()), axe.report(
        {key: v for key, v in blocking.items() if v}, impacts=axe.BLOCKING)


def test_axe_reports_what_it_should(driver, base_url):
    """The check can fail: an image without alt text and text as pale as the
    background, added to a built page, are serious violations."""
    driver.get(f'{base_url}/ko/{VGG}')
    driver.execute_script(axe.axe_source())
    driver.execute_script("""
        const main = document.querySelector('main');
        main.insertAdjacentHTML('afterbegin',
          '<img src="../_images/vgg.svg"><p style="color:#eee;background:#fff">pale</p>');""")
    found = axe.audit_page(driver, f'{base_url}/ko/{VGG}', reload=False)
    rules = {v['id'] for v in found['light'] if v['impact'] in axe.BLOCKING}
    assert {'image-alt', 'color-contrast'} <= rules, rules


def assistive_mathml_missing(driver) -> tuple[int, list[str]]:
    """How many formulas MathJax typeset on the page, and the ids of those
    without the hidden MathML that screen readers read (MathJax 2's
    AssistiveMML extension), once its queue has run."""
    return tuple(driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        MathJax.Hub.Queue(() => {
          const jax = MathJax.Hub.getAllJax();
          done([jax.length, jax.map((j) => j.inputID + '-Frame').filter((id) => {
            const frame = document.getElementById(id);
            return !frame || !frame.querySelector('.MJX_Assistive_MathML math');
          })]);
        });"""))


@pytest.mark.parametrize('edition', ['ko', 'zh'])
def test_typeset_formulas_carry_mathml_for_screen_readers(driver, base_url, edition):
    driver.get(f'{base_url}/{edition}/{BATCH_NORM}')
    WebDriverWait(driver, 30).until(lambda d: d.execute_script('return !!window.MathJax && !!MathJax.Hub'))
    typeset, missing = assistive_mathml_missing(driver)
    assert typeset >= 100 and not missing, (typeset, missing)
    # The check can fail: a formula whose MathML is gone is named.
    driver.execute_script("document.querySelector('.MJX_Assistive_MathML').remove()")
    assert len(assistive_mathml_missing(driver)[1]) == 1


# What makes keyboard focus visible: an outline or a box-shadow, on the
# element or (for sphinx-design's hidden radio inputs) on the tab's label.
FOCUS = """
const el = document.activeElement;
const shown = el.matches('.sd-tab-set > input') ? el.nextElementSibling : el;
const style = getComputedStyle(shown);
return {focusVisible: el.matches(':focus-visible'),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== 'none'};
"""


def press(driver, *keys) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver, selector: str, limit: int = 400) -> None:
    """Press Tab until the focus is on an element matching `selector`,
    asserting that the focus shows on it."""
    for _ in range(limit):
        press(driver, Keys.TAB)
        if driver.execute_script('return document.activeElement.matches(arguments[0])', selector):
            assert_focus_visible(driver, selector)
            return
    raise AssertionError(f'{limit} Tabs never reached {selector}')


def assert_focus_visible(driver, what: str) -> None:
    state = driver.execute_script(FOCUS)
    assert state['focusVisible'] and (state['outline'] or state['shadow']), (what, state)


def test_framework_tabs_by_keyboard(driver, base_url):
    """Tab reaches the first tab-set, an arrow key picks the next framework:
    every tab-set and the notebook links follow."""
    driver.get(f'{base_url}/ko/{VGG}')
    tab_to(driver, '.sd-tab-set > input')
    assert framework_state(driver)[0][0] == 'mxnet'
    press(driver, Keys.ARROW_RIGHT)
    tabs, notebooks = framework_state(driver)
    assert set(tabs) == {'pytorch'} and notebooks == ['pytorch'], (tabs, notebooks)
    assert_focus_visible(driver, 'the PyTorch tab')


def test_dropdown_answer_by_keyboard(driver, base_url):
    driver.get(f'{base_url}/ko/{ALEXNET}')
    tab_to(driver, 'details.sd-dropdown > summary')
    opened = 'return document.activeElement.parentElement.open'
    assert not driver.execute_script(opened)
    press(driver, Keys.ENTER)
    assert driver.execute_script(opened)
    press(driver, Keys.SPACE)
    assert not driver.execute_script(opened)


def test_download_menu_by_keyboard(driver, base_url):
    """Enter opens the menu, the arrow keys walk its items (a focus ring on
    each), Escape closes it."""
    driver.get(f'{base_url}/ko/{VGG}')
    toggle = '.dropdown-download-buttons > button'
    tab_to(driver, toggle)
    press(driver, Keys.ENTER)
    expanded = f"return document.querySelector('{toggle}').getAttribute('aria-expanded')"
    WebDriverWait(driver, 5).until(lambda d: d.execute_script(expanded) == 'true')
    press(driver, Keys.ARROW_DOWN)
    assert driver.execute_script("return document.activeElement.matches('.dropdown-item')")
    assert_focus_visible(driver, 'the first download')
    press(driver, Keys.ARROW_DOWN)
    assert driver.execute_script("return document.activeElement.matches('.dropdown-item')")
    press(driver, Keys.ESCAPE)
    WebDriverWait(driver, 5).until(lambda d: d.execute_script(expanded) == 'false')


def test_edition_switch_by_keyboard(driver, base_url):
    driver.get(f'{base_url}/ko/{VGG}')
    tab_to(driver, 'a.d2l-lang-switch')
    press(driver, Keys.ENTER)
    WebDriverWait(driver, 10).until(lambda d: d.current_url.endswith(f'/zh/{VGG}'))
    assert driver.execute_script('return document.documentElement.lang') == 'zh-CN'

"""What the browser tests share: a local HTTP server for a built site, headless
Chromium, its console errors, its failed or foreign requests and the page's
framework choice.

Importing this module skips the importing test module where Selenium is
missing; `needs_chromium` marks tests that need the browser itself.
"""
from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

webdriver = pytest.importorskip('selenium.webdriver')
from selenium.webdriver.chrome.service import Service  # noqa: E402

CHROMIUM, CHROMEDRIVER = '/usr/bin/chromium', '/usr/bin/chromedriver'
needs_chromium = pytest.mark.skipif(
    not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)), reason='needs Chromium')


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """The base URL of `directory`, served over HTTP as the site is deployed."""
    server = http.server.ThreadingHTTPServer(
        ('127.0.0.1', 0), functools.partial(QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_port}'
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@contextmanager
def chromium(profile: Path | None = None, javascript: bool = True, languages: str | None = None,
             network: bool = False) -> Iterator[webdriver.Chrome]:
    """A headless Chromium that keeps its console log, quit on exit. It
    fetches nothing of its own (updates, sync), so the tests see only the pages'
    requests; `profile` is its user-data directory, else chromedriver makes one.
    `languages` ('ko-KR,ko') are the browser's (navigator.languages);
    `network` keeps the network log that `request_problems` reads."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ('--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
                '--disable-background-networking', '--disable-component-update',
                '--disable-sync', '--window-size=1280,900'):
        options.add_argument(arg)
    if profile is not None:
        options.add_argument(f'--user-data-dir={profile}')
    logs = {'browser': 'ALL', **({'performance': 'ALL'} if network else {})}
    options.set_capability('goog:loggingPrefs', logs)
    prefs = {}
    if not javascript:
        prefs['profile.managed_default_content_settings.javascript'] = 2
    if languages:
        options.add_argument(f'--lang={languages.split(",")[0]}')
        prefs['intl.accept_languages'] = languages
    if prefs:
        options.add_experimental_option('prefs', prefs)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver, foreign: tuple[str, ...]) -> list[str]:
    """Errors logged since the last call (reading the log empties it), but for
    those naming any of `foreign`: errors that are not the site's."""
    return [entry['message'] for entry in driver.get_log('browser')
            if entry['level'] == 'SEVERE' and not any(f in entry['message'] for f in foreign)]


def request_problems(driver, origin: str) -> list[str]:
    """Requests since the last call (reading the log empties it) that went to
    another host, failed, or were answered with an error status. Needs a
    browser started with `network=True`."""
    urls, problems = {}, []
    for entry in driver.get_log('performance'):
        message = json.loads(entry['message'])['message']
        method, params = message['method'], message.get('params', {})
        if method == 'Network.requestWillBeSent':
            url = urls[params['requestId']] = params['request']['url']
            if not url.startswith((origin + '/', 'data:', 'blob:', 'about:')):
                problems.append(f'another host: {url}')
        elif method == 'Network.responseReceived' and params['response']['status'] >= 400:
            problems.append(f'{params["response"]["status"]}: {params["response"]["url"]}')
        elif method == 'Network.loadingFailed' and not params.get('canceled'):
            problems.append(f'{params["errorText"]}: {urls.get(params["requestId"], "?")}')
    return problems


def framework_state(driver) -> tuple[list[str | None], list[str]]:
    """The checked framework tab of each tab-set (None where none is), and
    the frameworks of the shown notebook links."""
    return tuple(driver.execute_script("""
        return [
          [...document.querySelectorAll('.sd-tab-set')].map((set) => {
            const label = set.querySelector(':scope > input:checked + label');
            return label ? label.dataset.syncId : null;
          }),
          [...document.querySelectorAll('.d2l-notebook')]
            .filter((item) => !item.hidden).map((item) => item.dataset.framework),
        ];"""))

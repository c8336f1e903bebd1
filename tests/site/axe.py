"""axe-core in the browser tests: the pinned copy that `make setup` installs
(package-lock.json -> node_modules/), injected into each loaded page, limited
to the WCAG 2.0 and 2.1 A and AA rules.

`python -m tests.site.axe SITE_DIR` audits a built site in both colour modes
and prints the violations per rule and mode, as the test does.
"""
from __future__ import annotations

import collections
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
AXE_DIR = REPO / 'node_modules' / 'axe-core'
WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
MODES = ('light', 'dark')
# The rules that read colours. The mode changes nothing but the colours (the
# theme's custom properties under html[data-theme]; the only elements shown
# in one mode alone are the colour switch's icons, hidden from assistive
# technology), so after the full WCAG set in light mode, dark mode needs
# only these: a quarter less of axe's time.
COLOUR_RULES = ['color-contrast', 'link-in-text-block']
# What fails the test; 'minor' and 'moderate' ones are listed.
BLOCKING = ('serious', 'critical')

# Syntax-highlighted code and typeset formulas are most of what axe's
# colour-contrast rule (two thirds of its time on a chapter) measures, glyph
# run by glyph run, on every page. For such a span the verdict depends only
# on what this signature holds: its colour, background, shadow, opacity,
# size and weight and the first opaque background behind it (code blocks and
# formulas sit in the text, nothing overlaps them). Spans whose signature axe
# has checked already, in this mode on an earlier page or here, are marked
# and left out of that rule only; each signature is still checked once per
# mode, where it first occurs.
MARK_SEEN_TOKENS = """
const seen = new Set(arguments[0]), found = [];
const opaque = (el) => {
  for (; el; el = el.parentElement) {
    const bg = getComputedStyle(el).backgroundColor;
    if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') return bg;
  }
  return 'none';
};
const repeated = [];
// All reading before any writing: a mark set between two reads of computed
// style would make the browser recompute the page's style for each token.
for (const span of document.querySelectorAll('.highlight pre span, .mjx-chtml .mjx-char')) {
  if (!span.getClientRects().length) continue;
  const style = getComputedStyle(span);
  let opacity = 1;
  for (let el = span; el; el = el.parentElement) opacity *= getComputedStyle(el).opacity;
  const key = [style.color, style.backgroundColor, style.textShadow, opacity, style.fontSize,
               style.fontWeight, opaque(span.parentElement)].join('|');
  if (seen.has(key)) repeated.push(span);
  else { seen.add(key); found.push(key); }
}
document.querySelectorAll('[data-axe-seen]').forEach((span) => span.removeAttribute('data-axe-seen'));
repeated.forEach((span) => span.setAttribute('data-axe-seen', ''));
return found;
"""

# Only colour-contrast leaves the marked tokens out (axe's context exclusion
# would cost more than it saves: it is checked for every node and rule).
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.configure({rules: [{id: 'color-contrast', selector: '*:not([data-axe-seen])'}]});
axe.run(document, {runOnly: arguments[0], resultTypes: ['violations']})
  .then((results) => done(JSON.stringify(results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                 summary: n.failureSummary}))})))))
  .catch((err) => done(JSON.stringify({error: String(err)})));
"""


def axe_version() -> str:
    return json.loads((AXE_DIR / 'package.json').read_text(encoding='utf-8'))['version']


def axe_source() -> str:
    """axe.min.js, or an error naming the command that installs it."""
    path = AXE_DIR / 'axe.min.js'
    if not path.is_file():
        raise FileNotFoundError(f'{path} is missing: run `make setup` (npm ci)')
    return path.read_text(encoding='utf-8')


def site_pages(root: Path) -> list[str]:
    """The pages a reader can open, relative to the site root: the landing
    and 404 pages and every page of each edition (not the theme's or the
    notebooks' files)."""
    skip = {'_static', '_sources', '_notebooks', '_images', '_landing', 'downloads'}
    pages = [p.relative_to(root).as_posix() for p in root.rglob('*.html')
             if not skip & set(p.relative_to(root).parts)]
    return sorted(pages, key=lambda page: (page.count('/') > 0, page))


def set_mode(driver, mode: str) -> None:
    """Show the loaded page in `mode` as the theme's switch does (the
    `data-mode` and `data-theme` its stylesheets select on), with the colour
    transitions that follow finished, so that axe reads the final colours."""
    driver.execute_script("""
        document.documentElement.dataset.mode = arguments[0];
        document.documentElement.dataset.theme = arguments[0];
        document.getAnimations().forEach((animation) => animation.finish());""", mode)


def audit_page(driver, url: str, reload: bool = True,
               seen: dict[str, set[str]] | None = None) -> dict[str, list[dict]]:
    """axe's WCAG A/AA violations of the page at `url` in each mode: loaded
    once (MathJax typeset; not again with `reload` False), then switched
    from one mode to the next (all rules in the first, COLOUR_RULES after).
    `seen` holds, per mode, the signatures of the code and formula glyphs
    checked on earlier pages (see MARK_SEEN_TOKENS); it grows."""
    if reload:
        driver.get(url)
    seen = {} if seen is None else seen
    found = {}
    for mode in MODES:
        set_mode(driver, mode)
        known = seen.setdefault(mode, set())
        known.update(driver.execute_script(MARK_SEEN_TOKENS, sorted(known)))
        only = ({'type': 'tag', 'values': WCAG_TAGS} if mode == MODES[0]
                else {'type': 'rule', 'values': COLOUR_RULES})
        result = json.loads(driver.execute_async_script(RUN_AXE, only))
        if isinstance(result, dict):
            raise RuntimeError(f'axe failed on {url}: {result["error"]}')
        found[mode] = result
    return found


def audit_site(driver, base_url: str, pages: list[str]) -> dict[tuple[str, str], list[dict]]:
    """{(mode, page): violations} over every page in both modes. axe is
    injected into each new document by the browser itself, before the page's
    scripts (a 560 kB script sent once, not once per page)."""
    driver.execute_cdp_cmd('Page.addScriptToEvaluateOnNewDocument', {'source': axe_source()})
    found, seen = {}, {}
    for page in pages:
        for mode, violations in audit_page(driver, f'{base_url}/{page}', seen=seen).items():
            found[mode, page] = violations
    return found


def counts(found: dict[tuple[str, str], list[dict]]) -> dict[tuple[str, str, str], int]:
    """(mode, rule, impact) -> elements in violation, over all pages."""
    total = collections.Counter()
    for (mode, _page), violations in found.items():
        for v in violations:
            total[mode, v['id'], v['impact']] += len(v['nodes'])
    return dict(sorted(total.items()))


def report(found: dict[tuple[str, str], list[dict]], impacts=None, limit: int = 3) -> str:
    """One line per rule and mode with its count, then up to `limit`
    offending elements (page, selector, html) of each rule of `impacts`."""
    lines = [f'{mode:5} {impact:8} {rule}: {n}' for (mode, rule, impact), n in counts(found).items()]
    for (mode, page), violations in found.items():
        for v in violations:
            if impacts is None or v['impact'] in impacts:
                for node in v['nodes'][:limit]:
                    lines.append(f'  [{mode}] {v["id"]} ({v["impact"]}) {page}: '
                                 f'{node["target"]}  {node["html"]}')
    return '\n'.join(lines)


def main(argv: list[str]) -> int:
    """Audit the built site at argv[0] and print what axe finds."""
    from tests.site.browser import chromium, serve

    root = Path(argv[0])
    pages = site_pages(root)
    start = time.monotonic()
    with serve(root) as base_url, chromium() as driver:
        found = audit_site(driver, base_url, pages)
    print(f'axe-core {axe_version()}: {len(pages)} pages x {len(MODES)} modes '
          f'in {time.monotonic() - start:.1f} s')
    print(report(found, impacts=BLOCKING if '--details' in argv else ()))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

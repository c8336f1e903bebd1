"""The whole book: every page executes once in every framework for both
editions, a second build executes nothing, and both editions render with tabs."""
import re

import nbformat
import pytest

from scripts.environment import book, data
from scripts.pipeline import execute, merge
from scripts.pipeline.source import parse
from scripts.pipeline.split import notebooks_for

EDITIONS = list(book.editions())
NOTEBOOKS = [(page, name) for page in book.pages()
             for name in notebooks_for(parse(book.source_path(book.executed_edition(), page)))]


@pytest.mark.parametrize("page, name", NOTEBOOKS)
def test_every_page_executes_in_every_framework(executed_book, page, name):
    nb = nbformat.read(book.executed_path("quick", page, name), as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    stamp = nb.metadata["d2l"]["stamp"]
    assert stamp["profile"] == "quick" and stamp["versions"] and stamp["device"]


def test_second_build_executes_nothing(built_site, monkeypatch):
    # As execute.main runs them: the request is $PROFILE (the results
    # appendix's cache key follows it). An earlier merge left PROFILE set in
    # this process by restoring the environment from threads; it no longer does.
    monkeypatch.setenv("PROFILE", "quick")
    data_dir = data.locate()
    again = [execute.execute(page, name, "quick", data_dir) for page, name in NOTEBOOKS]
    assert not any(o.executed for o in again)
    assert all(merge.merge_edition(lang, "quick") == 0 for lang in EDITIONS)


@pytest.mark.parametrize("lang, html_lang", [("ko", "ko"), ("zh", "zh-CN")])
def test_both_editions_render(built_site, lang, html_lang):
    for page in book.pages():
        html = (built_site / lang / f"{page}.html").read_text(encoding="utf-8")
        assert f'<html lang="{html_lang}"' in html
    root = (built_site / "index.html").read_text(encoding="utf-8")
    assert f'href="{lang}/index.html"' in root


@pytest.mark.parametrize("lang", EDITIONS)
def test_every_framework_group_is_a_tab_set_with_outputs(built_site, lang):
    page = "chapter_convolutional-modern/vgg"
    html = (built_site / lang / f"{page}.html").read_text(encoding="utf-8")
    runs = [run for run in merge.groups(parse(book.source_path(lang, page)).cells) if not run[0][1].common]
    tab_sets = html.split('class="sd-tab-set')[1:]
    assert len(tab_sets) >= len(runs) > 0
    for fw in book.FRAMEWORKS:
        expected = len([r for r in runs if any(fw in c.frameworks for _, c in r)])
        assert len(re.findall(rf'data-sync-id="{fw}"[^>]*>\s*{book.FRAMEWORK_LABELS[fw]}</label>', html)) == expected
    # The training group shows each framework's own output and a results table.
    assert len(re.findall(r"examples/sec on", html)) == 3
    assert 'class="d2l-results' in html and 'class="d2l-stamp' in html

"""Korean and Chinese full-text search of the tiny site.

Queries run through the built editions' own searchtools.js, language_data.js
(with our splitter) and d2l-site.js in node (search_harness.js), so they
return what the search page would list.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'scripts' / 'render' / 'sphinx_ext'))
from d2l_site import search  # noqa: E402

HARNESS = Path(__file__).with_name('search_harness.js')
VGG = 'chapter_convolutional-modern/vgg'
CHAPTER = 'chapter_convolutional-modern/index'

pytestmark = pytest.mark.skipif(shutil.which('node') is None, reason='needs node')


def run_queries(edition: Path, *queries: str) -> dict[str, dict]:
    out = subprocess.run(['node', str(HARNESS), str(edition), *queries],
                         check=True, capture_output=True, text=True).stdout
    return {r['query']: r for r in json.loads(out)}


def load_index(edition: Path) -> dict:
    text = (edition / 'searchindex.js').read_text(encoding='utf-8')
    assert text.startswith('Search.setIndex(') and text.endswith(')')
    return json.loads(text[len('Search.setIndex('):-1])


def docs_with(index: dict, term: str) -> set[str]:
    files = index['terms'].get(term, [])
    files = files if isinstance(files, list) else [files]
    return {index['docnames'][f] for f in files}


def test_korean_index_holds_hangul_ngrams(site):
    index = load_index(site / 'ko')
    # '블록은', '신경망을', '풀링을' in the text: their bigrams are indexed...
    for term in ('블록', '록은', '신경', '경망', '망을', '풀링', '합성', '성곱'):
        assert VGG in docs_with(index, term), term
    # ... and so are single syllables ('층' stands alone), but not whole runs.
    assert VGG in docs_with(index, '층')
    assert '블록은' not in index['terms']
    # Latin words as in English: lower-cased and stemmed.
    assert VGG in docs_with(index, 'sequenti')


def test_korean_splitter_turns_hangul_runs_into_bigrams(site):
    results = run_queries(site / 'ko', '합성곱', '블록', '신경망', '풀링', '층',
                          'VGG 블록은', 'x_1+합성곱')
    assert results['합성곱']['split'] == ['합성', '성곱']
    assert results['블록']['split'] == ['블록']
    assert results['신경망']['split'] == ['신경', '경망']
    assert results['풀링']['split'] == ['풀링']
    assert results['층']['split'] == ['층']
    assert results['VGG 블록은']['split'] == ['VGG', '블록', '록은']
    assert results['x_1+합성곱']['split'] == ['x_1', '합성', '성곱']
    # Two-character terms survive searchtools.js's stopword and digit filters.
    assert results['블록']['terms'] == ['블록']


@pytest.mark.parametrize('text', [
    'VGG 블록은 합성곱 층과 최대 풀링을 사용합니다.',
    '每个VGG块由一系列卷积层组成，块的输出再交给汇聚层。',
    'ResNet의 잔차 블록(residual block)과 x_1',
])
def test_splitter_terms_of_a_text_are_all_indexed_for_it(site, text):
    # Whatever a query copied from the page splits into must be in the index.
    split = run_queries(site / 'ko', text)[text]['split']
    assert set(split) <= set(search.split_words(text))


@pytest.mark.parametrize('query', ['합성곱', '블록', '신경망', '풀링'])
def test_korean_queries_find_the_page(site, query):
    assert VGG in run_queries(site / 'ko', query)[query]['docs']


@pytest.mark.parametrize('query', ['블록', '풀링', '신경망'])
def test_korean_words_found_inside_particles(site, query):
    # The VGG page has these only as '블록은/블록을', '풀링을', '신경망을'.
    text = (site.parent / 'src-ko' / f'{VGG}.md').read_text(encoding='utf-8')
    assert f'{query} ' not in text and f'{query}\n' not in text
    assert VGG in run_queries(site / 'ko', query)[query]['docs']


def test_korean_queries_require_every_term(site):
    results = run_queries(site / 'ko', '블록 교과서', 'VGG 블록', '블록')
    # '블록' is on the VGG page only, '교과서' on the root index only.
    assert results['블록']['docs'] == [VGG]
    assert results['블록 교과서']['docs'] == []
    # 'VGG' is on every page; searchtools.js alone would list them all.
    assert results['VGG 블록']['docs'] == [VGG]


def test_chinese_index_holds_han_ngrams(site):
    index = load_index(site / 'zh')
    for term in ('卷积', '网络', '块', '输出'):
        assert VGG in docs_with(index, term), term


def test_latin_words_stemmed_as_the_browser_does():
    # Both editions stem with Porter, as js_porter_stemmer in the browser.
    for cls in (search.KoreanSearch, search.ChineseSearch):
        lang = cls({})
        assert [lang.stem(w) for w in ('generated', 'Networks', '블록', '卷积')] == \
            ['gener', 'network', '블록', '卷积']


@pytest.mark.parametrize('query', ['卷积', '网络', '块', '卷积神经网络', 'VGG块', '块的输出'])
def test_chinese_queries_find_the_page(site, query):
    assert VGG in run_queries(site / 'zh', query)[query]['docs']


def test_chinese_single_character_query_matches_only_pages_with_it(site):
    results = run_queries(site / 'zh', '块', '现代')
    assert results['块']['split'] == ['块']
    assert results['块']['docs'] == [VGG]
    assert VGG not in results['现代']['docs']
    assert CHAPTER in results['现代']['docs']


PART = 'chapter_convolutional-neural-networks'


@pytest.mark.parametrize('edition, query, page', [
    ('ko', '합성곱 층', 'conv-layer'),
    ('ko', '교차 상관', 'conv-layer'),
    ('ko', '패딩', 'padding-and-strides'),
    ('ko', '스트라이드', 'padding-and-strides'),
    ('ko', '풀링', 'pooling'),
    ('ko', '1×1 합성곱', 'channels'),
    ('ko', '이동 불변성', 'why-conv'),
    ('zh', '互相关', 'conv-layer'),
    ('zh', '填充', 'padding-and-strides'),
    ('zh', '步幅', 'padding-and-strides'),
    ('zh', '汇聚', 'pooling'),
    ('zh', '多输入通道', 'channels'),
    ('zh', '平移不变性', 'why-conv'),
])
def test_book_search_finds_the_convolution_part(built_site, edition, query, page):
    # The words the part introduces find its pages in the built book.
    assert f'{PART}/{page}' in run_queries(built_site / edition, query)[query]['docs']

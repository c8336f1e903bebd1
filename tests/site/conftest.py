"""Builds a tiny two-edition site with the d2l_site extension, once per run.

Layout as deployed: <root>/ko and <root>/zh. Each edition has the same three
pages; the VGG page carries framework tabs, the chapter index asks for
notebooks through front matter, the root index has no code.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXT_DIR = REPO / 'scripts' / 'render' / 'sphinx_ext'

CONF = """
import sys
sys.path.insert(0, %(ext_dir)r)
project = 'D2L'
author = 'D2L'
# As Jupyter Book 1.x configures it: copy buttons, the theme as an
# extension, an English search placeholder.
extensions = ['myst_parser', 'sphinx_copybutton', 'sphinx_design', 'sphinx_book_theme',
              'd2l_site']
html_theme_options = {'search_bar_text': 'Search this book...'}
myst_enable_extensions = ['colon_fence', 'dollarmath']
html_theme = 'sphinx_book_theme'
d2l_repository_url = 'https://github.com/d2l-ko-zh/vgg-book'
language = %(language)r
%(editions)s
"""

# The Chinese build is configured as scripts/render/html.py does, from the
# book's _config.yml (with the site's base URL); the Korean one relies on the
# defaults.
EDITIONS_CONF = {'ko': '', 'zh_CN': '''
html_baseurl = 'https://example.org/book/'
d2l_edition = 'zh'
d2l_editions = {
    'ko': {'title': '모던 CNN', 'language': 'ko', 'hreflang': 'ko', 'label': '한국어'},
    'zh': {'title': '现代卷积神经网络', 'language': 'zh_CN', 'hreflang': 'zh-CN', 'label': '中文'},
}
'''}

TABS = """
::::{tab-set}
:sync-group: framework

:::{tab-item} MXNet
:sync: mxnet
```python
blk = nn.Sequential()  # mxnet-code
```
:::

:::{tab-item} PyTorch
:sync: pytorch
```python
layers = []  # pytorch-code
```
:::

:::{tab-item} TensorFlow
:sync: tensorflow
```python
blk = tf.keras.models.Sequential()  # tensorflow-code
```
:::
::::
"""

# Korean: '블록', '신경망' and '풀링' occur only with particles attached.
PAGES = {
    'ko': {
        'index.md': """
            # 딥러닝 교과서

            이 책은 VGG 같은 모델을 다룹니다.

            ```{toctree}
            chapter_convolutional-modern/index
            ```
            """,
        'chapter_convolutional-modern/index.md': """
            ---
            d2l_notebooks: true
            ---
            # 현대 합성곱 신경망

            이 장에서는 현대적인 구조를 살펴봅니다.

            ```{toctree}
            vgg
            ```
            """,
        'chapter_convolutional-modern/vgg.md': ("""
            # 네트워크 구조 (VGG)

            VGG 블록은 합성곱 층과 최대 풀링을 사용합니다.
            깊은 신경망을 설계할 때 블록을 반복합니다.

            ```{figure} ../img/vgg.svg
            VGG 블록의 구조
            ```

            ## 구현
            """, TABS, """
            두 번째 탭 묶음도 같은 선택을 따릅니다.
            """, TABS),
    },
    'zh_CN': {
        'index.md': """
            # 深度学习教科书

            本书介绍 VGG 等模型。

            ```{toctree}
            chapter_convolutional-modern/index
            ```
            """,
        'chapter_convolutional-modern/index.md': """
            ---
            d2l_notebooks: true
            ---
            # 现代卷积神经网络

            本章介绍现代结构。

            ```{toctree}
            vgg
            ```
            """,
        'chapter_convolutional-modern/vgg.md': ("""
            # 使用重复结构的模型（VGG）

            VGG是一种卷积神经网络。每个VGG块由一系列卷积层组成，块的输出再交给汇聚层。

            ## 实现
            """, TABS),
    },
}
EDITION_DIRS = {'ko': 'ko', 'zh_CN': 'zh'}
# A figure as the book draws them: black strokes on a transparent background.
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80">'
       '<rect x="10" y="10" width="100" height="60" fill="none" stroke="#000"/>'
       '<text x="20" y="45" font-size="16">conv 3x3</text></svg>')


def build(language: str, src: Path, out: Path) -> None:
    for name, parts in PAGES[language].items():
        page = src / name
        page.parent.mkdir(parents=True, exist_ok=True)
        parts = (parts,) if isinstance(parts, str) else parts
        page.write_text(''.join(textwrap.dedent(p) for p in parts).lstrip(), encoding='utf-8')
    (src / 'img').mkdir(exist_ok=True)
    (src / 'img' / 'vgg.svg').write_text(SVG, encoding='utf-8')
    (src / 'conf.py').write_text(
        CONF % {'ext_dir': str(EXT_DIR), 'language': language,
                'editions': EDITIONS_CONF[language]}, encoding='utf-8')
    # A process per edition: Sphinx keeps translations in module globals.
    subprocess.run([sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-q',
                    '-b', 'html', '-d', str(src / '_doctrees'), str(src), str(out)],
                   check=True)


@pytest.fixture(scope='session')
def site(tmp_path_factory) -> Path:
    """Root of the built site, holding ko/ and zh/."""
    root = tmp_path_factory.mktemp('site')
    for language, edition_dir in EDITION_DIRS.items():
        build(language, root / f'src-{edition_dir}', root / 'html' / edition_dir)
    return root / 'html'

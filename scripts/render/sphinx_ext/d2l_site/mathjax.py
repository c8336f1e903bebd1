"""MathJax from the build machine instead of a CDN, so pages render their
math offline.

Debian's ``libjs-mathjax`` (MathJax 2.7) installs MathJax under
``d2l_mathjax_dir``. When it is there, the build copies the part that the
``TeX-AMS_CHTML`` configuration loads into ``_static/mathjax/`` and points
``mathjax_path`` there; without it (or with ``mathjax_path`` set in
conf.py) pages keep Sphinx's default, MathJax 3 from a CDN.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.ext.mathjax import MATHJAX_URL
from sphinx.util import logging

logger = logging.getLogger(__name__)

DEFAULT_DIR = '/usr/share/javascript/mathjax'
CONFIG = 'TeX-AMS_CHTML'
STATIC_DIR = 'mathjax'

# What that configuration may load after MathJax.js and itself (which holds
# the TeX input, tex2jax, the menu and the MathML element jax): the output
# jax with its font metrics and web fonts (woff: every current browser), the
# operator dictionary, the TeX extensions that macros load, the menu's help.
FILES = (
    'MathJax.js',
    f'config/{CONFIG}.js',
    'jax/output/CommonHTML/*.js',
    'jax/output/CommonHTML/autoload/*.js',
    'jax/output/CommonHTML/fonts/TeX/*.js',
    'fonts/HTML-CSS/TeX/woff/*.woff',
    'jax/element/mml/optable/*.js',
    'extensions/TeX/*.js',
    'extensions/HelpDialog.js',
)

# MathJax 3 page options that myst-parser sets, as MathJax 2 names them.
TEX2JAX_OPTIONS = {'processHtmlClass': 'processClass', 'ignoreHtmlClass': 'ignoreClass'}


def local_root(config: Config) -> Path | None:
    """The local MathJax 2 to use, or None for Sphinx's default."""
    if not config.d2l_mathjax_dir or config.mathjax_path != MATHJAX_URL:
        return None
    root = Path(config.d2l_mathjax_dir)
    return root if all((root / name).is_file() for name in FILES[:2]) else None


def mathjax_locale(config: Config, root: Path) -> str:
    """MathJax's name for the build language if it has strings for it
    (it names Chinese by script), else '' (English)."""
    tag = (config.language or '').lower().replace('_', '-')
    tag = {'zh': 'zh-hans', 'zh-cn': 'zh-hans', 'zh-sg': 'zh-hans',
           'zh-tw': 'zh-hant', 'zh-hk': 'zh-hant'}.get(tag, tag)
    for candidate in (tag, tag.partition('-')[0]):
        if candidate and candidate != 'en' and (root / 'localization' / candidate).is_dir():
            return candidate
    return ''


def set_path(app: Sphinx, config: Config) -> None:
    # On config-inited, before the HTML builder hashes the configuration:
    # pages written with the CDN are rewritten once MathJax is installed.
    root = local_root(config)
    if root is None:
        if config.mathjax_path == MATHJAX_URL:
            logger.info('MathJax: no MathJax 2 in %r (Debian: libjs-mathjax); '
                        'pages load MathJax 3 from %s', config.d2l_mathjax_dir, MATHJAX_URL)
        return
    config.mathjax_path = f'{STATIC_DIR}/MathJax.js?config={CONFIG}'


def configure(app: Sphinx) -> None:
    """Turn myst-parser's MathJax 3 configuration (set on builder-inited,
    before this handler) into MathJax 2's, and copy MathJax."""
    config = app.config
    ours = config.mathjax_path.startswith(f'{STATIC_DIR}/MathJax.js?')
    if app.builder.format != 'html' or not ours:
        return
    root = Path(config.d2l_mathjax_dir)
    locale = mathjax_locale(config, root)
    options = (config.mathjax3_config or {}).get('options', {})
    config.mathjax2_config = {
        **(config.mathjax2_config or {}),
        'tex2jax': {v2: options[v3] for v3, v2 in TEX2JAX_OPTIONS.items() if v3 in options},
        # The menu would offer renderers and languages that are not copied.
        'MathMenu': {'showRenderer': False, 'showLocale': False},
        # No 'Loading …' box in the corner (MathJax 3 shows none either).
        'messageStyle': 'none',
        # Menu and error messages in the page's language.
        **({'menuSettings': {'locale': locale}} if locale else {}),
    }
    # A `window.MathJax` object would be read as MathJax 2 configuration.
    config.mathjax3_config = None

    dest = Path(app.outdir) / '_static' / STATIC_DIR
    shutil.rmtree(dest, ignore_errors=True)
    size = 0
    for pattern in FILES + ((f'localization/{locale}/*.js',) if locale else ()):
        for src in sorted(root.glob(pattern)):
            target = dest / src.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
            size += target.stat().st_size
    logger.info('MathJax: copied %d KiB of MathJax 2 from %s', size // 1024, root)

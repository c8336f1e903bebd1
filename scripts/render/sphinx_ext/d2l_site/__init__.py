"""Website layer of the Korean/Chinese book: CJK search, edition switch,
framework tabs and per-framework notebook links, UI translations.

Enable with ``extensions = [..., 'd2l_site']`` (``scripts/render/sphinx_ext`` on
``sys.path``), after ``sphinx_design`` and ``sphinx_copybutton``.

Config values:

``d2l_editions``
    Edition key -> ``{'dir', 'language', 'hreflang', 'label', 'description'}``:
    its output directory beside the others' (default: the key), its Sphinx
    language, its BCP 47 tag, its name in its own language, and what it is in
    a sentence or two (for pages without a paragraph of their own to describe
    them in search results and link previews). Other keys are ignored.
``d2l_edition``
    Key of the edition being built; default: the one whose ``language`` (or
    key) is this build's ``language``.
``d2l_frameworks``
    Framework id (the tabs' ``:sync:``) -> label, for pages with code but
    without framework tabs, and for the link labels.
``d2l_repository_url``, ``d2l_repository_branch``
    ``https://github.com/OWNER/REPO`` and branch holding
    ``notebooks/<edition dir>/<framework>/<page>.ipynb``, for the Colab links
    (none when the URL is empty).
``d2l_downloads``
    Archives of the edition's notebooks offered in every page's download
    menu: ``[{'framework', 'label', 'href'}]``, ``href`` relative to the
    edition's root (see ``downloads.py``).
``d2l_pdfs``
    The edition's PDFs, one per framework, offered in the same menu, in the
    same form.
``d2l_mathjax_dir``
    A MathJax 2 installation (default: Debian's libjs-mathjax) to copy into
    the site instead of loading MathJax from a CDN; '' keeps the CDN.

Sphinx's ``html_baseurl``, when set (for the site or for the edition), makes
the hreflang alternates absolute and puts the edition directory in the
canonical URL.

See ``search.py`` for the search, ``page.py`` for what each page gets,
``head.py`` for its favicon, description and social preview,
``downloads.py`` for the PDFs and notebook archives in the download menu,
``mathjax.py`` for the local MathJax, ``a11y.py`` for what the themes
write that assistive technology misreads, and ``bibliography.py`` for the
citation and bibliography styles ``d2l_author_year`` and ``d2l`` in the
edition's language (with sphinxcontrib-bibtex).
"""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sphinx.application import Sphinx
from sphinx.config import Config

from . import a11y, bibliography, downloads, head, mathjax, page, search

HERE = Path(__file__).parent

# The catalogs whose untranslated strings locale/ fills in: Sphinx's own
# (which the pydata theme extends) and sphinx-book-theme's.
CATALOGS = ('sphinx', 'booktheme')

# As in the book's _config.yml `editions` (which the build passes on).
DEFAULT_EDITIONS = {
    'ko': {'language': 'ko', 'hreflang': 'ko', 'label': '한국어'},
    'zh': {'language': 'zh_CN', 'hreflang': 'zh-CN', 'label': '中文'},
}
DEFAULT_FRAMEWORKS = {'mxnet': 'MXNet', 'pytorch': 'PyTorch', 'tensorflow': 'TensorFlow'}


def add_catalogs(app: Sphinx) -> None:
    """Compile locale/*.po into the doctree dir and register them.

    Sphinx consults a catalog added here only for messages that the ones
    before it (Sphinx's, the themes') leave untranslated.
    """
    out = Path(app.doctreedir) / 'd2l_site_locale'
    for po in (HERE / 'locale').glob('*/LC_MESSAGES/*.po'):
        mo = out / po.relative_to(HERE / 'locale').with_suffix('.mo')
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open('rb') as src, mo.open('wb') as dst:
            write_mo(dst, read_po(src))
    for catalog in CATALOGS:
        app.add_message_catalog(catalog, str(out))


def add_paths(app: Sphinx, config: Config) -> None:
    # First in templates_path, so that our copies of the theme's hard-coded
    # English components win; done on config-inited because values set in
    # setup() are overwritten by conf.py.
    config.templates_path.insert(0, str(HERE / 'templates'))
    config.html_static_path.append(str(HERE / 'static'))


def drop_header_search(app: Sphinx, config: Config) -> None:
    # pydata-sphinx-theme >= 0.16 fills an otherwise empty top bar with a
    # second search button; the book theme has one in the sidebar and opens
    # the sidebar from the article header on narrow screens.
    config.html_theme_options.setdefault('navbar_persistent', [])


def setup(app: Sphinx) -> dict:
    app.add_config_value('d2l_editions', DEFAULT_EDITIONS, 'html', dict)
    app.add_config_value('d2l_edition', '', 'html', str)
    app.add_config_value('d2l_frameworks', DEFAULT_FRAMEWORKS, 'html', dict)
    app.add_config_value('d2l_repository_url', '', 'html', str)
    app.add_config_value('d2l_repository_branch', 'main', 'html', str)
    app.add_config_value('d2l_downloads', [], 'html', list)
    app.add_config_value('d2l_pdfs', [], 'html', list)
    app.add_config_value('d2l_mathjax_dir', mathjax.DEFAULT_DIR, 'html', str)
    # Set by the book's build to a digest of this extension, so that editing
    # it (CSS, JS, templates) rebuilds every page.
    app.add_config_value('d2l_site_digest', '', 'html', str)

    # html_search_language defaults to `language`; zh_CN falls back to zh.
    app.add_search_language(search.KoreanSearch)
    app.add_search_language(search.ChineseSearch)

    add_catalogs(app)
    app.connect('config-inited', add_paths)
    app.connect('config-inited', drop_header_search)
    app.connect('config-inited', page.check_config)
    app.connect('config-inited', mathjax.set_path)
    app.connect('config-inited', bibliography.register)
    # After myst-parser's handler (500) has set its MathJax 3 options.
    app.connect('builder-inited', mathjax.configure, priority=900)
    # After the pydata theme's handler (500) has turned the header sections
    # into lists of template names.
    app.connect('html-page-context', page.add_page_context, priority=600)
    app.connect('html-page-context', head.add_head, priority=600)
    # After sphinx-book-theme's handler (501) has made the download menu.
    app.connect('html-page-context', downloads.add_download_links, priority=600)
    # After every handler that adds scripts (MathJax's among them, at 500).
    app.connect('html-page-context', page.drop_duplicate_scripts, priority=900)
    # After the pydata theme's handler (500) has defined generate_toctree_html.
    app.connect('html-page-context', a11y.fix_page, priority=600)
    app.add_js_file('d2l-site.js')
    app.add_css_file('d2l-site.css')
    return {
        'version': '1.0',
        # Bump when indexing changes: the search index lives in the env.
        'env_version': 1,
        'parallel_read_safe': True,
        'parallel_write_safe': True,
    }

"""Citations and bibliography in the language of the edition being built.

pybtex's styles and sphinxcontrib-bibtex's author-year citations carry a few
English words of their own: "In" before a proceedings title, "pages",
"and" between two authors and "et al." after the first of three or more.
This module registers, for the edition being built, two styles that say them
in Korean or Chinese:

- ``d2l`` (``bibtex_default_style``): pybtex's ``alpha`` (entries sorted by
  author, year, title) whose literal words and name separators are replaced in
  each entry's template before it is formatted;
- ``d2l_author_year`` (``bibtex_reference_style``): sphinxcontrib-bibtex's
  ``author_year`` in parentheses with the edition's name separators, e.g.
  ``(Krizhevsky 외, 2012)`` / ``(Krizhevsky 等, 2012)``.

One Sphinx run builds one edition, so both names are (re)registered on
``config-inited`` for its language; nothing happens when sphinxcontrib-bibtex
is not loaded. An edition without a table gets the English words.

pybtex and sphinxcontrib-bibtex look a plugin up in the installed packages'
entry points each time they use it (about 14 ms a scan, 3 s of a PDF's
rebuild for its 98 citations); the packages do not change during a build,
so the scans are remembered. Plugins registered at run time (the two
styles here) are looked up before the entry points, as before.
"""
from __future__ import annotations

import functools

from sphinx.application import Sphinx
from sphinx.config import Config

# English word or separator of the styles -> the edition's. Separators are
# matched whole (" and " between two names, ", and " before the last of three).
WORDS = {
    'ko': {'In': '수록:', 'pages': '쪽', ' and ': ' & ', ', and ': ', & ', 'et al.': '외'},
    'zh': {'In': '载于', 'pages': '页', ' and ': ' 和 ', ', and ': ' 和 ', 'et al.': '等'},
}


def edition_words(config: Config) -> dict[str, str]:
    """The word table of this build's edition (d2l_edition, else its language)."""
    key = config.d2l_edition or (config.language or '').split('_')[0]
    return WORDS.get(key, {})


def localize(node, words: dict[str, str]):
    """A copy of a pybtex template tree with its literal words translated."""
    from pybtex.style.template import Node

    if isinstance(node, str):
        return words.get(node, node)
    if not isinstance(node, Node):
        return node
    copy = node._clone()
    # args stay: they name fields (field("pages")) and tags, not words.
    copy.kwargs = {k: localize(v, words) for k, v in node.kwargs.items()}
    copy.children = [localize(c, words) for c in node.children]
    return copy


def formatting_style(words: dict[str, str]) -> type:
    """pybtex's alpha style with `words` in every entry template."""
    from pybtex.style.formatting import FormattedEntry
    from pybtex.style.formatting.alpha import Style

    class LocalizedStyle(Style):
        def format_entry(self, label, entry, bib_data=None):
            template = localize(getattr(self, f'get_{entry.type}_template')(entry), words)
            context = {'entry': entry, 'style': self, 'bib_data': bib_data}
            return FormattedEntry(entry.key, template.format_data(context), label)

    return LocalizedStyle


def reference_style(words: dict[str, str]) -> type:
    """sphinxcontrib-bibtex's author_year with the edition's name separators."""
    from pybtex.richtext import Text
    from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
    from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

    class LocalizedAuthorYear(AuthorYearReferenceStyle):
        def __post_init__(self):
            # The sub-styles are built from these in the parent's hook.
            for name in ('textual', 'parenthetical', 'author', 'label', 'year'):
                setattr(self, f'bracket_{name}', BracketStyle(left='(', right=')'))
            self.person = PersonStyle(sep2=words.get(' and ', ' and '),
                                      last_sep=words.get(', and ', ', and '),
                                      other=Text(' ', words.get('et al.', 'et al.')))
            super().__post_init__()

    return LocalizedAuthorYear


def remember_entry_points() -> None:
    """Scan the installed packages' entry points once per group and name."""
    import pybtex.plugin
    import sphinxcontrib.bibtex.plugin

    for module in (pybtex.plugin, sphinxcontrib.bibtex.plugin):
        if not hasattr(module.entry_points, 'cache_info'):
            module.entry_points = functools.cache(module.entry_points)


def register(app: Sphinx, config: Config) -> None:
    if 'sphinxcontrib.bibtex' not in app.extensions:
        return
    import pybtex.plugin
    from sphinxcontrib.bibtex.plugin import register_plugin

    remember_entry_points()

    words = edition_words(config)     # empty: the styles' English words
    pybtex.plugin.register_plugin('pybtex.style.formatting', 'd2l', formatting_style(words),
                                  force=True)
    register_plugin('sphinxcontrib.bibtex.style.referencing', 'd2l_author_year',
                    reference_style(words), force=True)

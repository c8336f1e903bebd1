"""Full-text search for Korean and Chinese: CJK text indexed as character n-grams.

Sphinx has no Korean search language, and its Chinese one indexes jieba words
(dropping single characters such as 块), while the browser can't run jieba on
the query. Both editions therefore index every CJK run as its single
characters plus its overlapping bigrams, and the JS splitter turns a query run
into bigrams (a one-character run stays a single character). A word thus
matches wherever it occurs, also with Korean particles attached
('블록은' holds the bigram '블록'), and searchtools.js requires every bigram
of the query to be on the page.
"""
from __future__ import annotations

import re

import snowballstemmer
from sphinx.search.en import SearchEnglish
from sphinx.search.zh import SearchChinese

# CJK Unified Ideographs (+ Extension A, compatibility) and Hangul syllables,
# as escapes that Python's re and JavaScript's RegExp read alike.
CJK_CHARS = r'\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7a3'
_TOKEN_RE = re.compile(f'[{CJK_CHARS}]+|[^\\W{CJK_CHARS}]+')
_CJK_RE = re.compile(f'[{CJK_CHARS}]')

# Mirrors split_words() for queries, but emits only bigrams: with all characters
# indexed, a query bigram is as precise as can be and still finds the word
# inside longer runs. Words outside CJK are split as searchtools.js does.
JS_SPLITTER_CODE = r"""
function splitQuery(query) {
  const cjk = /[%(cjk)s]/u;
  const terms = [];
  for (const word of query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)) {
    for (const run of word.match(/[%(cjk)s]+|[^%(cjk)s]+/gu) || []) {
      if (!cjk.test(run) || run.length === 1) terms.push(run);
      else for (let i = 0; i + 1 < run.length; i++) terms.push(run.slice(i, i + 2));
    }
  }
  return terms;
}
""" % {'cjk': CJK_CHARS}


def is_cjk(word: str) -> bool:
    return bool(_CJK_RE.match(word))


def split_words(text: str) -> list[str]:
    """Non-CJK words whole, each CJK run as its characters and bigrams."""
    words: list[str] = []
    for token in _TOKEN_RE.findall(text):
        if is_cjk(token):
            words.extend(token)
            words.extend(token[i:i + 2] for i in range(len(token) - 1))
        else:
            words.append(token)
    return words


class KoreanSearch(SearchEnglish):
    """Hangul as n-grams; other words stemmed exactly as in English."""

    lang = 'ko'
    language_name = 'Korean'
    js_splitter_code = JS_SPLITTER_CODE

    def split(self, input: str) -> list[str]:
        return split_words(input)

    def stem(self, word: str) -> str:
        # The JS Porter stemmer leaves terms under 3 characters alone, so
        # n-grams must reach the index unchanged too.
        return word if is_cjk(word) else super().stem(word)


class ChineseSearch(SearchChinese):
    """Han characters as n-grams; Latin words as in Sphinx's Chinese search
    but stemmed with Porter."""

    js_splitter_code = JS_SPLITTER_CODE

    def init(self, options: dict[str, str]) -> None:
        super().init(options)
        # The browser stems queries with Porter (js_porter_stemmer), but
        # SearchChinese indexes with Porter2: 'generated' went in as
        # 'generat' and was looked up as 'gener'.
        self.stemmer = snowballstemmer.stemmer('porter')
        # SearchChinese.stem() keeps short acronyms whole if they are listed
        # here; its class-wide list grows with every word and is searched
        # linearly, so collect into a set per instance instead.
        self.latin_terms = set()

    def split(self, input: str) -> list[str]:
        words = split_words(input)
        self.latin_terms.update(w for w in words if not is_cjk(w))
        return words

    def word_filter(self, stemmed_word: str) -> bool:
        return is_cjk(stemmed_word) or super().word_filter(stemmed_word)

    def stem(self, word: str) -> str:
        return word if is_cjk(word) else super().stem(word)

"""What the build's check pages show: tables and figures made in every
edition's language at once (d2l._core.Localized), for pages executed once
for both editions."""
from __future__ import annotations

import functools

from d2l import _core


def localized(method):
    """The method's table or figure in each edition's language at once."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        return _core.Localized(lambda: method(self, *args, **kwargs))
    return wrapper


def markdown(header: list[str], rows: list[list[str]]):
    """A Markdown table (MyST roles in its cells work once merged)."""
    from IPython.display import Markdown

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return Markdown("\n".join(lines))

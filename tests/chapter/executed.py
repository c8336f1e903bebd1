"""Reading the book's sources and executed notebooks, for the chapter tests."""
import ast
import re

import nbformat

from d2l import _core
from scripts.environment import book
from scripts.pipeline.source import parse


def headings(lang, page):
    """(level, label) of each heading, in order; labels stand on the line before."""
    found, label = [], None
    for cell in parse(book.source_path(lang, page)).cells:
        if cell.kind != "markdown":
            continue
        for line in cell.source.splitlines():
            m = re.match(r"^\((.+)\)=$", line.strip())
            if m:
                label = m.group(1)
                continue
            h = re.match(r"^(#{1,6})\s", line)
            if h:
                found.append((len(h.group(1)), label))
            if line.strip():
                label = None
    return found


def printed(executed_book, page, framework, marker):
    """What the one code cell whose source contains `marker` printed in the
    page's executed notebook (text that `d2l` says in every edition's
    language counts in the first one's)."""
    nb = nbformat.read(executed_book / page / f"{framework}.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    assert len(cells) == 1, f"{page} {framework}: {len(cells)} cells contain {marker!r}"
    return shown(cells[0])


def numbers(text):
    """The numbers of printed tensors, in order (TensorFlow's shape and dtype dropped)."""
    text = re.sub(r"shape=\([^)]*\), dtype=\w+", "", text)
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]


def shown(cell):
    """What an executed cell printed; what `d2l` said in every edition's
    language counts in the first one's."""
    return "".join(o.text if o.output_type == "stream" else o.data["text/plain"]
                   for o in cell.outputs
                   if o.output_type == "stream" or _core.LOCALIZED_MIME in o.get("data", {}))


# What the chapters' shape cells print per layer: "Conv2d output shape: (1, 96, 54, 54) params: 11,712".
LAYER_ROW = re.compile(r"^(\w+)\s+output shape: \(([\d, ]+)\)\s+params:\s+([\d,]+)$")


def layer_rows(text, framework):
    """(class name, output shape channels first, parameters) of every layer a
    shape cell printed; TensorFlow's NHWC shapes are turned into NCHW."""
    rows = []
    for line in text.strip().splitlines():
        m = LAYER_ROW.match(line.strip())
        assert m, f"{framework}: unexpected line {line!r}"
        shape = tuple(int(n) for n in m.group(2).split(",") if n.strip())
        if framework == "tensorflow" and len(shape) == 4:  # NHWC -> NCHW
            shape = (shape[0], shape[3], shape[1], shape[2])
        rows.append((m.group(1), shape, int(m.group(3).replace(",", ""))))
    return rows


def defined_names(source):
    """Names a code cell defines at its top level (functions, classes, assignments)."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names

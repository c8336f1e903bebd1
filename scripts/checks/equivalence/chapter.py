"""Reading a network's chapter: the model code the check runs for one
framework, cut from the chapter's own cells (not copied), executed so that
tracebacks point at the chapter's lines; and deliberate edits of that code
for the tests."""
from __future__ import annotations

import ast
from pathlib import Path

from scripts.checks.equivalence.layer import EquivalenceError
from scripts.checks.equivalence.networks import NETWORKS, Network, _source, network_of
from scripts.environment.book import FRAMEWORK_LABELS, FRAMEWORKS
from scripts.pipeline.source import parse


def _defined(node) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


def _completes(node) -> set[str]:
    """Names a statement defines, or builds up in place (`net.add(...)`)."""
    if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute) and isinstance(node.value.func.value, ast.Name)):
        return {node.value.func.value.id}
    return _defined(node)


def _set_up(tree) -> bool:
    """A cell of imports and argument-free calls (`npx.set_np()`) only."""
    return bool(tree.body) and all(
        isinstance(node, (ast.Import, ast.ImportFrom))
        or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and not node.value.args and not node.value.keywords)
        for node in tree.body)


def _root(node) -> str | None:
    """`npx` of `npx.set_np`."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _chapter_text(source, text: str | None) -> str:
    return Path(source).read_text(encoding="utf-8") if text is None else text


def model_cells(framework: str, network: Network | str = "vgg", source: Path | str | None = None,
                text: str | None = None):
    """The chapter code the check runs for one framework: (source, tree) of
    each cell that defines the network's names, cut after its last statement
    that defines a wanted name or adds to it (`net.add(...)`), so the set-up
    before it (imports, `npx.set_np()`) runs and the demonstration after it
    (building a net and printing its shapes) does not; cells of imports alone
    run as they come. The first definition of each name counts (from the
    network's `start` section on, if it has one). Tree line
    numbers are the chapter's own. `text`, if given, stands for the content
    of `source`, by default the Korean chapter."""
    network = network_of(network)
    source = _source(network, source)
    text = _chapter_text(source, text)
    lines = text.splitlines()
    missing = set(network.names)
    start = lines.index(f"({network.start})=") if network.start else -1
    imported = set()
    for cell in parse(source, text).cells:
        if cell.kind != "code" or framework not in cell.frameworks or not missing:
            continue
        tree = ast.parse(cell.source)
        if cell.line < start:
            # imports, and argument-free calls on what they import (npx.set_np())
            tree.body = [node for node in tree.body if _set_up(ast.Module([node], []))
                         and (isinstance(node, (ast.Import, ast.ImportFrom)) or _root(node.value.func) in imported)]
            imported |= {(a.asname or a.name).split(".")[0] for node in tree.body
                         if isinstance(node, (ast.Import, ast.ImportFrom)) for a in node.names}
            if not tree.body:
                continue
        elif not _set_up(tree):
            wanted = [i for i, node in enumerate(tree.body) if _completes(node) & missing]
            if not wanted:
                continue
            tree.body = tree.body[:wanted[-1] + 1]
        # cell.line is the fence; the code starts after any option lines.
        ast.increment_lineno(tree, lines.index(cell.source.splitlines()[0], cell.line))
        missing -= set().union(*map(_defined, tree.body))
        yield source, tree
    if missing:
        raise EquivalenceError(f"{FRAMEWORK_LABELS[framework]}: {source} defines no "
                               f"{', '.join(sorted(missing))} in its {framework} cells")


def chapter_namespace(framework: str, source: Path | str | None = None, text: str | None = None,
                      network: Network | str = "vgg") -> dict:
    """Execute, for one framework, the chapter code that defines the
    network's names (see `model_cells`); tracebacks point at the chapter's
    own lines."""
    network = network_of(network)
    namespace = {"__name__": f"{network.key}_{framework}"}
    for path, tree in model_cells(framework, network, source, text):
        exec(compile(tree, str(path), "exec"), namespace)
    return namespace


def code_read() -> list[str]:
    """All the chapter code this check runs, for the build's cache: the
    appendix executes again when this code changes, not when other cells of
    the chapters do."""
    return [ast.unparse(tree) for network in NETWORKS.values() for fw in FRAMEWORKS
            for _, tree in model_cells(fw, network)]


def change_code(framework: str, old: str, new: str, source: Path | str | None = None,
                network: Network | str | None = None) -> str:
    """The chapter's text with `old` replaced by `new` once, in the one code
    cell of `framework` alone that contains `old`: a deliberate bug for
    `build(network, source, text)` to catch. The chapter is `source`, or by
    default the Korean chapter of `network` (VGG if neither is given)."""
    source = _source(network or source or "vgg", source)
    text = _chapter_text(source, None)
    cells = [c for c in parse(source, text).cells
             if c.kind == "code" and c.frameworks == (framework,) and old in c.source]
    if len(cells) != 1 or text.count(cells[0].source) != 1:
        raise ValueError(f"{old!r} must be in exactly one {framework} code cell of {source}, "
                         f"found {len(cells)}")
    return text.replace(cells[0].source, cells[0].source.replace(old, new, 1))

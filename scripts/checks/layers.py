"""Hold the scripts to their layering: the folder tree is the architecture.

Every module of `scripts/` belongs to the stage (sub-package) it is in, and
a stage imports only stages before it:

    environment < pipeline < {render, notebooks, checks}

This reads every module's imports with `ast` (imports inside functions too:
a lazy import is a dependency all the same), prints the graph of stages, and
fails (exit 1) on an import cycle between modules, on an import of a later
stage ("upward") and on one between the last, unordered stages ("sideways").
Modules at the top of `scripts/` (its `__init__.py`, aliases) sit above all
stages: they may import any, no stage may import them.

    python -m scripts.checks.layers [--root DIR]
"""
from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

# Stage -> rank; stages of one rank may not import one another.
STAGES = {"environment": 0, "pipeline": 1, "render": 2, "notebooks": 2, "checks": 2}
TOP = max(STAGES.values()) + 1


def modules(root: Path) -> dict[str, Path]:
    """Dotted name -> file of every module under `root` (a package named
    after its folder); a package is its `__init__.py`."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _package(name: str, path: Path) -> str:
    """The package a module's relative imports start from."""
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def imports(name: str, path: Path, known: dict[str, Path]) -> dict[str, int]:
    """The modules of `known` that module `name` imports -> first line."""
    found: dict[str, int] = {}
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))

    def add(target: str, line: int):
        # `from a.b import c`: the module a.b.c if there is one, else a.b;
        # a name that is neither (a third-party module) is not ours.
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.setdefault(target, line)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package(name, path).split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join(filter(None, [*base, node.module or ""]))
            else:
                module = node.module or ""
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                add(candidate if candidate in known else module, node.lineno)
    return found


def stage_of(name: str) -> str | None:
    """`pipeline` of `scripts.pipeline.merge`; None at the top of scripts/."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def rank(stage: str | None) -> int:
    return TOP if stage is None else STAGES[stage]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan),
    each in name order."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def check(root: Path) -> tuple[list[str], list[str]]:
    """(the stage graph as lines, the problems) of the package at `root`."""
    known = modules(root)
    graph = {name: set(imports(name, path, known)) for name, path in known.items()}
    lines_of = {name: imports(name, path, known) for name, path in known.items()}
    problems = []
    between: dict[tuple[str, str], int] = defaultdict(int)
    for name, targets in sorted(graph.items()):
        source = stage_of(name)
        for target in sorted(targets):
            dest = stage_of(target)
            where = f"{known[name].relative_to(root.parent)}:{lines_of[name][target]}"
            if source != dest:
                between[source or root.name, dest or root.name] += 1
            if source is None or source == dest:
                continue
            if rank(dest) > rank(source):
                problems.append(f"upward import: {name} ({source}) imports {target} "
                                f"({dest or 'the top of ' + root.name}), a later stage, at {where}")
            elif rank(dest) == rank(source):
                problems.append(f"sideways import: {name} ({source}) imports {target} ({dest}); "
                                f"{source} and {dest} are unordered stages, at {where}")
    for component in cycles(graph):
        loop = " -> ".join(component + [component[0]])
        problems.append(f"import cycle between modules: {loop}")
    order = sorted(STAGES, key=lambda s: (STAGES[s], s))
    lines = [f"stages: {' < '.join(s for s in order if STAGES[s] < max(STAGES.values()))} < "
             f"{{{', '.join(s for s in order if STAGES[s] == max(STAGES.values()))}}}"]
    for stage in order:
        count = sum(1 for name in known if stage_of(name) == stage)
        uses = sorted((dest, n) for (src, dest), n in between.items() if src == stage)
        used = ", ".join(f"{dest} ({n})" for dest, n in uses) or "nothing of another stage"
        lines.append(f"  {stage} ({count} modules) imports {used}")
    top = sorted((dest, n) for (src, dest), n in between.items() if src == root.name)
    if top:
        lines.append(f"  top of {root.name}/ imports " + ", ".join(f"{d} ({n})" for d, n in top))
    return lines, problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the package to check (default: this scripts/ folder)")
    args = parser.parse_args(argv)
    lines, problems = check(args.root.resolve())
    print("\n".join(lines))
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        print(f"error: {len(problems)} layering problem(s) in {args.root}", file=sys.stderr)
        return 1
    print("layers: no cycle, no upward or sideways import")
    return 0


if __name__ == "__main__":
    sys.exit(main())

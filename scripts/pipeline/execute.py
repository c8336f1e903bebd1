"""Execute every page's per-framework notebooks, once for all editions,
skipping those whose cache is still valid.

The editions carry the same code (checked first, by scripts/pipeline/code_parity.py,
before anything executes), so each (page, framework) runs once, from the
source of `book.executed_edition()`, with D2L_LANG naming every edition: what
`d2l` localizes (figure labels, notices) is made in each language and the
merge shows each edition its own. An executed notebook is reused only while
everything that can change its outputs is unchanged: the page's code for that
framework, the `d2l` package source, the profile, the editions, the framework
and numpy versions and the dataset checksums; prose in any edition is not
part of it. A failing cell stops that notebook and the run ends non-zero,
naming page, framework, cell and source line in every edition. Quick-profile
notebooks on the CPU run side by side (--jobs), the pages that run every
framework in one kernel first; full-profile ones on the CPU after them,
alone unless --full-jobs says otherwise (their examples/sec are results);
GPU runs and the pages that run last (d2l: {order: last}: the results
appendix, which shows the others' executions) alone, at the end. When
nothing it reads changed since its last success (scripts/environment/
inputs.py), or only prose did, it executes nothing without computing a cache
key.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import importlib
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError, DeadKernelError

from scripts.environment import book, data, inputs, kernels, machine, profiles
from scripts.environment.files import paths_digest
from scripts.pipeline import code_parity, source_checks
from scripts.pipeline.client import Client, exclusive
from scripts.pipeline.source import SourceError, parse
from scripts.pipeline.split import ALL, notebooks_for, split

ANSI = re.compile(r"\x1b\[[0-9;]*m")


SCRIPTS_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(scripts(?:\.\w+)*|\.+\w*(?:\.\w+)*)[ \t]+import[ \t]+"
                            r"(?:\(([^)]*)\)|([^\n#]+))|import[ \t]+(scripts(?:\.\w+)*))", re.M)


def _module_path(name: str) -> Path | None:
    """The file of a module of `scripts`: `a/b.py`, or `a/b/__init__.py` for
    a package."""
    base = book.ROOT / name.replace(".", "/")
    for path in (base.with_name(base.name + ".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _absolute(module: str, package: str | None) -> str:
    """A relative module name (`.x`, `..y.z`) made absolute within `package`."""
    if not module.startswith("."):
        return module
    dots = len(module) - len(module.lstrip("."))
    parts = (package or "").split(".")
    base = parts[:len(parts) - dots + 1]
    return ".".join(filter(None, [*base, module[dots:]]))


def scripts_read(code: list[str]) -> list[Path]:
    """The modules of the `scripts` package that `code` imports, directly or
    through one another (relative imports within a package too), in path
    order."""
    found: set[Path] = set()
    todo: list[tuple[str, str | None]] = [(c, None) for c in code]
    while todo:
        text, package = todo.pop()
        for match in SCRIPTS_IMPORT.finditer(text):
            module = _absolute(match[1] or match[4], package)
            imported = (match[2] or match[3] or "").replace("\n", " ").split(",")
            names = [module] + [f"{module}.{n.split()[0]}" for n in imported if n.strip()]
            for name in names:
                path = _module_path(name) if name.split(".")[0] == "scripts" else None
                if path is not None and path not in found:
                    found.add(path)
                    inside = path.parent.relative_to(book.ROOT).as_posix().replace("/", ".")
                    todo.append((path.read_text(encoding="utf-8"), inside))
    return sorted(found)


def library_hash(name: str, reads: str | None = None, code: list[str] = ()) -> str:
    """The code a notebook runs besides its own cells (`code`): the `d2l`
    package and, for pages executed once with every framework (the build's
    checks), the modules of `scripts` they import and the code they read of
    the chapters: what `reads` (`module:function`, from the page's front
    matter) returns, else every code cell of every page. Prose is never part
    of it."""
    digest = hashlib.sha256(paths_digest(book.D2L.rglob("*.py"), book.ROOT).encode())
    if name == ALL:
        imports = [*code, f"import {reads.split(':')[0]}"] if reads else code
        digest.update(paths_digest(scripts_read(imports), book.ROOT).encode())
        if reads:
            module, function = reads.split(":")
            digest.update(json.dumps(getattr(importlib.import_module(module), function)()).encode())
        else:
            for page in book.pages():
                path = book.source_path(book.executed_edition(), page)
                if path.exists():
                    code = [(code_parity.program(c.source), c.tags) for c in parse(path).cells
                            if c.kind == "code"]
                    digest.update(json.dumps([page, code]).encode())
    return digest.hexdigest()


def framework_versions(name: str) -> dict[str, str | None]:
    """Versions of the frameworks a notebook uses (its own, or all for ALL),
    as installed in its kernel's environment."""
    names = book.FRAMEWORKS if name == ALL else (name,)
    return {book.FRAMEWORK_LABELS[f]: kernels.framework_version(name, f) for f in names}


# Bump when what an execution records in the notebook's metadata changes.
RECORD_FORMAT = 7


def languages() -> str:
    """D2L_LANG of an execution: every edition, so that one run serves all."""
    return ",".join(book.editions())


def code_state(pages: list[str]) -> str:
    """A digest of what executes of `pages` (the code parity check holds
    every edition to the executed one): each code cell as it runs, its tags,
    and the page's execution settings."""
    found = []
    for page in pages:
        parsed = parse(book.source_path(book.executed_edition(), page))
        found.append([page, parsed.front_matter.get("d2l"),
                      [(code_parity.program(c.source), sorted(c.tags)) for c in parsed.cells if c.kind == "code"]])
    return hashlib.sha256(json.dumps(found, sort_keys=True, default=str).encode()).hexdigest()


def cache_key(nb, framework: str, profile: str) -> str:
    inputs = {
        "format": RECORD_FORMAT,
        # What runs: a comment edited in either edition executes nothing.
        "code": [code_parity.program(c.source) for c in nb.cells if c.cell_type == "code"],
        "library": library_hash(framework, nb.metadata.get("d2l_reads"),
                                [c.source for c in nb.cells if c.cell_type == "code"]),
        "profile": profile,
        "languages": languages(),
        "frameworks": framework_versions(framework),
        # numpy, matplotlib (draws the figures) and Python of the kernel.
        "kernel": {k: v for k, v in kernels.versions(framework).items()
                   if k in ("python", *kernels.LIBRARIES)},
        "data": data.checksums(),
        # Precision, speed and stamp follow the GPU the framework trains on.
        "gpu": (machine.cuda_gpu_name()
                if framework in book.FRAMEWORKS and machine.framework_sees_gpu(framework)
                else None),
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


@dataclass
class Outcome:
    page: str
    framework: str
    executed: bool
    seconds: float
    error: str | None = None


class Interrupted(Exception):
    """Ctrl-C stopped the execution of one notebook, which was not written."""

    def __init__(self, page: str, framework: str):
        super().__init__(f"page {page}, framework {framework}")
        self.page, self.framework = page, framework


def stamp(profile: str, framework: str, results: list[dict]) -> dict:
    """Profile, device, versions (d2l's too) and date of one execution. The device is the
    GPU when training ran on one (named by nvidia-smi, else as the framework
    wrote it), the CPU otherwise."""
    gpus = [str(r["device"]) for r in results
            if not str(r.get("device", "cpu")).lower().startswith(("cpu", "/cpu"))]
    device = (machine.cuda_gpu_name() or gpus[0]) if gpus else f"CPU: {machine.cpu_name()}"
    found = {
        "profile": profile,
        "device": device,
        "versions": framework_versions(framework),
        "python": kernels.versions(framework)["python"],
        "numpy": kernels.versions(framework).get("numpy"),
        # The d2l the outputs come from, as the notebooks install it.
        "d2l": book.d2l_version(),
        "date": dt.date.today().isoformat(),
    }
    if framework in book.FRAMEWORKS and machine.cuda_gpu_name() and not gpus:
        # A GPU is here but this framework did not train on it: say why.
        found["gpu_problem"] = machine.gpu_problem(framework) or "not asked to (PROFILE)"
    return found


def cached_key(target: Path) -> str | None:
    """The cache key an executed notebook records; None when there is no
    readable one."""
    try:
        return nbformat.read(target, as_version=4).metadata.get("d2l", {}).get("cache_key")
    except (OSError, ValueError):  # missing, or not a notebook (NotJSONError)
        return None


def execute(page: str, framework: str, profile: str, data_dir: Path,
            force: bool = False, threads: int | None = None) -> Outcome | None:
    """Execute one page of the book for one framework, for every edition,
    unless its cache is valid. Returns None when the page has no notebook of
    that name."""
    return execute_source(book.source_path(book.executed_edition(), page),
                          book.executed_path(profile, page, framework),
                          page, framework, profile, data_dir, force, threads)


def kernel_environment(profile: str, data_dir: Path, results_file: Path,
                       threads: int | None = None, reports: Path | None = None) -> dict[str, str]:
    """The environment a notebook's kernel runs in: this process's, with the
    profile, the editions' languages, the data, where to record training
    results and leave check reports (book.reports_dir), and the thread cap
    of `threads` (see thread_limits). Executions side by side (main's
    --jobs) each get their own: they must not share os.environ."""
    # D2L_LIVE_FIGURES=0: training figures are drawn as they end, not on every
    # update nobody watches (the notebook keeps only the last).
    # TF_ENABLE_ONEDNN_OPTS=1 (unless set): TensorFlow's oneDNN kernels, on
    # by default since 2.9 only where the CPU has AVX512_VNNI or newer
    # (Intel Cascade Lake on), off elsewhere, as on the AMD EPYC of our CI:
    # a LeNet training step runs 2.7 times as fast with them. The book's
    # TensorFlow notebooks set it too (scripts/notebooks/export.py).
    env = dict(D2L_PROFILE=profile, D2L_LANG=languages(), D2L_DATA_DIR=data_dir, D2L_OFFLINE=1,
               D2L_LIVE_FIGURES=0,
               D2L_RESULTS_FILE=results_file, **({"D2L_REPORTS_DIR": reports} if reports else {}),
               TF_CPP_MIN_LOG_LEVEL=3,
               TF_ENABLE_ONEDNN_OPTS=os.environ.get("TF_ENABLE_ONEDNN_OPTS", 1),
               MPLBACKEND="module://matplotlib_inline.backend_inline",
               PYTHONPATH=os.pathsep.join(filter(None, [str(book.ROOT), os.environ.get("PYTHONPATH")])),
               **thread_limits(threads))
    return {**os.environ, **{k: str(v) for k, v in env.items()}}


def _lines_elsewhere(source: Path, page: str, code_cell: int) -> list[str]:
    """file:line of the same code cell in the other editions' sources."""
    found = []
    for lang in book.editions():
        other = book.source_path(lang, page)
        if other.resolve() == source.resolve() or not other.exists():
            continue
        cells = [c for c in parse(other).cells if c.kind == "code"]
        if code_cell < len(cells):
            found.append(f"{book.shown(other)}:{cells[code_cell].line}")
    return found


# Held while a thread parses sources and computes cache keys: CPython 3.11
# keeps the AST constructor's recursion counter per interpreter, and two
# threads building syntax trees at once can leave it wrong for good
# ("SystemError: AST constructor recursion depth mismatch" on every later
# parse, as a fresh-clone CI saw while the PDFs were merged in threads).
# Threads side by side (main's --jobs) parse in turn and run kernels at once.
PARSING = threading.Lock()


def execute_source(source: Path, target: Path, page: str, framework: str,
                   profile: str, data_dir: Path, force: bool = False,
                   threads: int | None = None) -> Outcome | None:
    """Execute the framework's split of `source` into `target` (an .ipynb whose
    metadata records the cache key, timing, stamp and training results).
    `threads` caps the framework's CPU threads (see thread_limits)."""
    if not source.exists():
        raise SourceError(source, 0, "page listed in _toc.yml has no source file")
    with PARSING:
        parsed = parse(source)
        if framework not in notebooks_for(parsed):
            return None
        nb, origin = split(parsed, framework)
        key = cache_key(nb, framework, profile)
    if not force and cached_key(target) == key:
        return Outcome(page, framework, False, 0.0)

    target.parent.mkdir(parents=True, exist_ok=True)
    # A results file of this execution's own, so runs of the same page at the
    # same time cannot mix their training results.
    handle, results_name = tempfile.mkstemp(prefix=f"{framework}.", suffix=".results.jsonl",
                                            dir=target.parent)
    os.close(handle)
    results_file = Path(results_name)
    started = time.perf_counter()
    client = Client(nb, results_file, timeout=None, kernel_name=kernels.kernel_name(framework),
                    resources={"metadata": {"path": str(source.parent)}},
                    extra_arguments=["--IPKernelApp.capture_fd_output=False"])
    # What C++ code writes (TensorFlow's start-up logs) stays out of the page
    # (capture_fd_output off) and goes to a log next to the notebook, as it
    # would to a terminal; failures point to it.
    kernel_log = target.with_suffix(".kernel.log")
    reports = book.reports_dir(target)
    shutil.rmtree(reports, ignore_errors=True)    # only this execution's reports may be read
    try:
        with kernel_log.open("w") as log, running(client):
            client.execute(stderr=log, env=kernel_environment(profile, data_dir, results_file, threads, reports))
    except (CellExecutionError, DeadKernelError) as err:
        if client.interrupts:
            raise Interrupted(page, framework) from None
        index = client.current
        output = next((o for o in nb.cells[index].get("outputs", ()) if o.output_type == "error"), None) \
            if index is not None else None
        seconds = time.perf_counter() - started
        where = "unknown cell"
        if index is not None:
            cell = parsed.cells[origin[index]]
            code_cell = sum(c.kind == "code" for c in parsed.cells[:origin[index]])
            with PARSING:
                lines = [f"{book.shown(source)}:{cell.line}", *_lines_elsewhere(source, page, code_cell)]
            where = f"cell {index + 1} of the {framework} notebook, {' and '.join(lines)}"
        trace = (ANSI.sub("", "\n".join(output.traceback)) if output
                 else f"{err}\n(kernel log: {book.shown(kernel_log)})")
        message = f"FAILED page {page}, framework {framework}, {where}\n{trace}"
        return Outcome(page, framework, True, seconds, message)
    finally:
        results_file.unlink()
    if client.interrupts:  # between cells: the kernel stopped nothing, but the build stops
        raise Interrupted(page, framework)
    seconds = time.perf_counter() - started
    nb.metadata["d2l"] = {"cache_key": key, "seconds": round(seconds, 1),
                          "kernel": kernels.kernel_name(framework),
                          "stamp": stamp(profile, framework, client.results),
                          "results": client.results}
    # Written whole or not at all: an interrupted build leaves no broken cache.
    partial = target.with_name(target.name + ".partial")
    nbformat.write(nb, partial)
    os.replace(partial, target)
    return Outcome(page, framework, True, seconds)


_RUNNING: set[Client] = set()
_RUNNING_LOCK = threading.Lock()


@contextlib.contextmanager
def running(client: Client):
    """Register a client while its kernel runs, so that Ctrl-C in the main
    thread can stop the kernels that other threads drive (see interrupt)."""
    with _RUNNING_LOCK:
        _RUNNING.add(client)
    try:
        yield
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(client)


def interrupt() -> None:
    """What Ctrl-C does to every running kernel (Client._interrupt): stop its
    cell; a second time, kill it."""
    with _RUNNING_LOCK:
        clients = list(_RUNNING)
    for client in clients:
        client._interrupt()


def thread_limits(threads: int | None) -> dict:
    """The environment that caps a kernel's compute threads (OpenMP for
    PyTorch and MXNet, TensorFlow's own pools); {} for no cap. Kernels side
    by side each get their share of the cores: with more busy threads than
    cores, OpenMP's threads spin at every barrier waiting for descheduled
    ones (LeNet, two kernels on two cores that other work also used: about
    ten times fewer examples/sec with two threads each than with one)."""
    if not threads:
        return {}
    return dict(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads,
                TF_NUM_INTRAOP_THREADS=threads, TF_NUM_INTEROP_THREADS=threads)


def default_jobs() -> int:
    """Quick-profile notebooks executed at once on a CPU: one per core, at
    most four. Kernel start-up, imports and small cells leave cores idle:
    six notebooks took 70 s two at a time on two cores, 102 s one by one."""
    return max(1, min(4, os.cpu_count() or 1))


def log_timings(outcomes: list[tuple[str, Outcome]]) -> None:
    """Append the time of each notebook executed to _build/exec/timings.jsonl."""
    log = book.BUILD / "exec" / "timings.jsonl"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as f:
        for profile, o in outcomes:
            if o.executed:
                f.write(json.dumps({"profile": profile, "page": o.page, "framework": o.framework,
                                    "seconds": round(o.seconds, 2), "ok": not o.error,
                                    "date": dt.datetime.now().isoformat(timespec="seconds")}) + "\n")


def _side_by_side(jobs, workers: int, data_dir: Path, force: bool, report) -> None:
    """Execute (page, framework, profile) jobs, `workers` at a time, reporting
    each as it ends. Ctrl-C stops the running kernels (a second one kills
    them) and raises Interrupted for one that was stopped; what ended before
    is kept."""
    if min(workers, len(jobs)) <= 1:
        for page, framework, profile in jobs:
            report(profile, execute(page, framework, profile, data_dir, force))
        return
    threads = max(1, (os.cpu_count() or 1) // workers)
    pool = ThreadPoolExecutor(workers)
    futures = {pool.submit(execute, page, framework, profile, data_dir, force, threads): (page, framework, profile)
               for page, framework, profile in jobs}
    reported = set()
    try:
        for future in as_completed(futures):
            reported.add(future)
            report(futures[future][2], future.result())
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        interrupt()
        stopped, unstarted = None, None
        for future, (page, framework, profile) in futures.items():
            if future in reported:
                continue
            if future.cancelled():   # never started: not written either
                unstarted = unstarted or Interrupted(page, framework)
                continue
            while True:
                try:
                    report(profile, future.result())
                except Interrupted as stop:
                    stopped = stopped or stop
                except KeyboardInterrupt:   # a second Ctrl-C: kill the kernels
                    interrupt()
                    continue
                break
        raise stopped or unstarted or Interrupted(*jobs[-1][:2]) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default=None, help="quick, full or auto (default: $PROFILE or auto)")
    parser.add_argument("--framework", choices=(*book.FRAMEWORKS, ALL), action="append",
                        help=f"framework(s) to execute (default: every one); {ALL!r} selects "
                             "the pages that run all frameworks in one kernel")
    parser.add_argument("--page", action="append", help="page name(s), e.g. chapter_convolutional-modern/vgg")
    parser.add_argument("--force", action="store_true", help="ignore the cache")
    parser.add_argument("--jobs", type=int, default=None,
                        help=f"quick-profile notebooks executed at once on the CPU (default: {default_jobs()})")
    parser.add_argument("--full-jobs", type=int, default=1,
                        help="full-profile notebooks executed at once on the CPU (default: 1, so that the "
                             "examples/sec they print are the CPU's; the tests, which check what the "
                             "networks learn, run them side by side)")
    args = parser.parse_args(argv)
    request = profiles.profile_request(args.profile)
    unknown = set(args.page or ()) - set(book.pages())
    if unknown:
        print(f"error: not in _toc.yml: {', '.join(sorted(unknown))} "
              f"(pages: {', '.join(book.pages())})", file=sys.stderr)
        return 2
    pages = args.page or book.pages()
    stamp = inputs.Stamp(book.BUILD / "stamps" / f"execute-{request}.sha256")
    selection = [json.dumps([pages, args.framework])]
    if not args.force and stamp.current(inputs.book_state(request) + selection):
        print(f"[{request}] nothing to execute: sources, code, environments and executed notebooks "
              "are as at the last run", flush=True)
        return 0
    try:
        # One execution is shown in every edition: their code must be the same.
        problems = code_parity.differences(pages)
    except SourceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print("The editions' code differs; nothing was executed.", file=sys.stderr)
        return 2
    # What the pages point to, and formulas the PDFs cannot set: found now,
    # not after every notebook ran.
    problems = source_checks.problems(pages)
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print("A source has the problem(s) above; nothing was executed.", file=sys.stderr)
        return 2
    # Only prose changed (the code of every page is as at the last run): no
    # cache key can have changed either.
    code = inputs.Stamp(book.BUILD / "stamps" / f"execute-code-{request}.sha256")
    code_parts = inputs.book_state(request, sources=code_state(pages)) + selection
    if not args.force and code.current(code_parts):
        stamp.keep(inputs.book_state(request) + selection)
        print(f"[{request}] nothing to execute: only prose changed since the last run", flush=True)
        return 0
    data_dir = data.locate()
    if request == "auto" and machine.cuda_gpu_name():
        for framework in args.framework or book.FRAMEWORKS:
            if framework in book.FRAMEWORKS and not machine.framework_sees_gpu(framework):
                print(f"{framework}: quick profile on {machine.cuda_gpu_name()}: "
                      f"{machine.gpu_problem(framework)}", flush=True)
    outcomes: list[tuple[str, Outcome]] = []

    def report(profile: str, outcome: Outcome):
        outcomes.append((profile, outcome))
        state = "failed" if outcome.error else ("executed" if outcome.executed else "cached")
        print(f"[{profile}] {outcome.page} {outcome.framework}: {state} ({outcome.seconds:.1f} s)", flush=True)
        if outcome.error:
            print(outcome.error, file=sys.stderr, flush=True)

    parsed = {page: parse(book.source_path(book.executed_edition(), page)) for page in pages}
    plan = [(page, framework, profiles.resolve_profile(request, framework, page))
            for page in pages for framework in args.framework or (*book.FRAMEWORKS, ALL)
            if framework in notebooks_for(parsed[page])]
    # Quick runs on the CPU share it, the pages that run every framework at
    # once first (their checks take minutes; the short notebooks fill in
    # around them); then the full runs on the CPU (alone by default: their
    # examples/sec are results); then GPU runs and the pages that show what
    # the others recorded (the results appendix), alone, in book order.
    on_gpu = [job for job in plan if job[1] in book.FRAMEWORKS and machine.framework_sees_gpu(job[1])]
    alone = on_gpu + [job for job in plan if parsed[job[0]].runs_last]
    on_cpu = [job for job in plan if job not in alone]
    together = sorted((job for job in on_cpu if job[2] == "quick"), key=lambda job: job[1] != ALL)
    full = [job for job in on_cpu if job[2] == "full"]
    try:
        # Kernels and the cache keys see the request as $PROFILE: a page that
        # reads other pages' executions (the results appendix) follows it.
        with exclusive(book.BUILD / "exec" / "lock"), machine.patched(PROFILE=request):
            _side_by_side(together, args.jobs or default_jobs(), data_dir, args.force, report)
            _side_by_side(full, args.full_jobs, data_dir, args.force, report)
            for page, framework, profile in alone:
                report(profile, execute(page, framework, profile, data_dir, args.force))
    except SourceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except Interrupted as stop:
        kept = sum(o.executed and not o.error for _, o in outcomes)
        print(f"\ninterrupted: {stop} was stopped and not written; the {kept} notebook(s) executed "
              f"before it in this run are kept in {book.shown(book.BUILD / 'exec')}, so running "
              "the same command again resumes from that notebook", file=sys.stderr, flush=True)
        log_timings(outcomes)
        return 130
    failures = [o for _, o in outcomes if o.error]
    ran = [o for _, o in outcomes if o.executed]
    print(f"{len(ran)} notebook(s) executed once for {len(book.editions())} editions "
          f"({', '.join(book.editions())}) in {sum(o.seconds for o in ran):.1f} s; "
          f"{len(outcomes) - len(ran)} cached", flush=True)
    log_timings(outcomes)
    if failures:
        stamp.drop()
        code.drop()
        print(f"{len(failures)} notebook(s) failed; the site was not built.", file=sys.stderr)
        return 1
    stamp.keep(inputs.book_state(request) + selection)
    code.keep(inputs.book_state(request, sources=code_state(pages)) + selection)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Merge each page's executed per-framework notebooks into one MyST page per
edition, ready for Sphinx. Every edition shows the same executions; outputs
that `d2l` made in every language (d2l._core.Localized) show the edition's.

Cells common to all frameworks appear once (their outputs too, unless the
frameworks printed different things, which then get tabs). Each run of
framework-marked cells becomes one sphinx-design tab set, synchronised across
the page by `:sync-group: framework`. Each executed page gets a stamp (profile,
device, versions, date); under a tab set whose cells trained, a table shows
each framework's training results.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import sys
from pathlib import Path

import nbformat
import yaml

from scripts.environment import book, inputs, profiles
from scripts.environment.files import write_if_changed
from scripts.pipeline import records
from scripts.pipeline.execute import cache_key
from scripts.pipeline.source import Cell, Page, SourceError, parse
from scripts.pipeline.split import ALL, notebooks_for, split

# Preferred representation first, as a notebook front end would choose.
MIME_ORDER = ("image/svg+xml", "image/png", "text/html", "text/markdown", "text/plain")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

STRINGS = {
    "ko": {"stamp": "실행 기록", "profile": "프로필", "device": "장치", "date": "실행일",
           "kept": "저장소에 보관된 full 프로필 실행 결과",
           "stale": ("{framework}: 보관된 full 프로필 결과({date}, {device})는 그 뒤 코드나 "
                     "d2l 패키지, 데이터가 바뀌어 더 이상 맞지 않으므로 quick 결과를 보여 줍니다."),
           "gpu_problem": "{framework}: GPU를 쓰지 못해 quick 프로필로 실행했습니다({reason}).",
           "quick": "quick (작은 실제 부분집합으로 축소 실행)", "full": "full (장 전체를 그대로 실행)",
           "results": "프레임워크별 실행 결과",
           "columns": ("프레임워크", "손실", "훈련 정확도", "테스트 정확도", "초당 예제 수", "장치")},
    "zh": {"stamp": "执行记录", "profile": "配置", "device": "设备", "date": "执行日期",
           "kept": "仓库中保存的 full 配置运行结果",
           "stale": ("{framework}：仓库中保存的 full 配置结果（{date}，{device}）之后代码、"
                     "d2l 包或数据有了改动，已不再适用，因此这里显示 quick 结果。"),
           "gpu_problem": "{framework}：无法使用 GPU，因此以 quick 配置运行（{reason}）。",
           "quick": "quick（在真实数据的小子集上缩减运行）", "full": "full（按本章原样完整运行）",
           "results": "各框架的运行结果",
           "columns": ("框架", "损失", "训练精度", "测试精度", "每秒样本数", "设备")},
}


class MergeError(RuntimeError):
    pass


def fence_for(text: str, char: str = "`") -> str:
    longest = max((len(m) for m in re.findall(re.escape(char) + "+", text)), default=0)
    return char * max(3, longest + 1)


def directive(name: str, body: str, depth: int, options: dict | None = None, arg: str = "") -> str:
    """A colon-fenced directive; `depth` extra colons let directives nest."""
    colons = ":" * (3 + depth)
    head = f"{colons}{{{name}}}" + (f" {arg}" if arg else "")
    opts = "".join(f":{k}: {v}\n" for k, v in (options or {}).items())
    return f"{head}\n{opts}\n{body.rstrip()}\n{colons}\n"


def code_block(text: str, language: str, css: str | None = None) -> str:
    fence = fence_for(text)
    if css:
        return f"{fence}{{code-block}} {language}\n:class: {css}\n\n{text.rstrip()}\n{fence}\n"
    return f"{fence}{language}\n{text.rstrip()}\n{fence}\n"


class Assets:
    """Images taken out of notebook outputs and written next to the page,
    named by their content: the same figure from several frameworks is one
    file, and a cell whose frameworks drew the same shows it once."""

    def __init__(self, page_dir: Path, stem: str):
        self.page_dir, self.stem, self.files = page_dir, stem, {}

    def add(self, suffix: str, content: bytes) -> str:
        rel = f"_outputs/{self.stem}-{hashlib.sha256(content).hexdigest()[:16]}{suffix}"
        self.files[self.page_dir / rel] = content
        return rel


def coalesce_streams(outputs):
    """Join consecutive writes to the same stream, as a notebook shows them."""
    joined = []
    for out in outputs:
        if (out.output_type == "stream" and joined and joined[-1].output_type == "stream"
                and joined[-1].name == out.name):
            joined[-1] = nbformat.v4.new_output("stream", name=out.name, text=joined[-1].text + out.text)
        else:
            joined.append(out)
    return joined


def localize(outputs, lang: str):
    """Each output made in every language replaced by the edition's one."""
    from d2l._core import LOCALIZED_MIME   # imports matplotlib: only when merging

    return [nbformat.from_dict(out.data[LOCALIZED_MIME][lang])
            if LOCALIZED_MIME in out.get("data", {}) else out
            for out in outputs]


def alt_text(out, mime: str) -> str | None:
    """What an image output shows, in words: the alt text its maker put in
    the output's metadata (d2l's plots do, see d2l._core.DescribedSVG)."""
    alt = out.get("metadata", {}).get(mime, {}).get("alt")
    return " ".join(alt.split()) if isinstance(alt, str) and alt.strip() else None


def image(path: str, alt: str | None) -> str:
    """An {image} directive for an output image; its options as YAML, so
    that any alt text is quoted whole."""
    options = {"class": "output", **({"alt": alt} if alt else {})}
    lines = "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in options.items())
    return f"```{{image}} {path}\n---\n{lines}---\n```\n"


def render_outputs(outputs, assets: Assets, lang: str) -> str:
    parts = []
    for out in coalesce_streams(localize(outputs, lang)):
        if out.output_type == "stream":
            css = "output stderr" if out.name == "stderr" else "output stream"
            parts.append(code_block(ANSI.sub("", out.text), "none", css))
            continue
        if out.output_type == "error":
            continue
        mime = next((m for m in MIME_ORDER if m in out.get("data", {})), None)
        value = out.data[mime] if mime else None
        if mime == "image/svg+xml":
            parts.append(image(assets.add(".svg", value.encode()), alt_text(out, mime)))
        elif mime == "image/png":
            parts.append(image(assets.add(".png", base64.b64decode(value)), alt_text(out, mime)))
        elif mime == "text/html":
            parts.append(code_block(value, "{raw} html"))
        elif mime == "text/markdown":
            parts.append(value.rstrip() + "\n")
        elif mime == "text/plain":
            parts.append(code_block(ANSI.sub("", value), "none", "output text_plain"))
    return "\n".join(parts)


def render_code(source: str, outputs_md: str) -> str:
    body = code_block(source, "python")
    if outputs_md:
        body += "\n" + directive("container", outputs_md, 0, arg="cell_output")
    return directive("container", body, 1, arg="cell")


def tab_set(items: list[tuple[str, str]], depth: int) -> str:
    tabs = "\n".join(
        directive("tab-item", body, depth, {"sync": fw}, arg=book.FRAMEWORK_LABELS[fw])
        for fw, body in items)
    return directive("tab-set", tabs, depth + 1, {"sync-group": "framework"})


def stamp_md(lang: str, stamps: dict[str, dict]) -> str:
    """Where each framework's outputs come from: profile, device, versions
    and date of its execution, whether they are a kept full-profile record,
    and why a kept record or the GPU was not used. One line when all
    frameworks ran alike, else one line per framework."""
    s = STRINGS[lang]

    def labels(st) -> str:
        return " · ".join(f"{label} {v}" for label, v in st["versions"].items())

    def described(st) -> str:
        kept = f" · {s['kept']}" if st.get("source") == "record" else ""
        d2l = f" · d2l {st['d2l']}" if st.get("d2l") else ""   # kept records may predate it
        return (f"{s['profile']}: {s[st['profile']]} · {s['device']}: {st['device']} · "
                f"Python {st['python']}{d2l} · {s['date']}: {st['date']}{kept}")

    notes = []
    for st in stamps.values():
        names = ", ".join(st["versions"])
        if st.get("stale_record"):
            notes.append(s["stale"].format(framework=names, **st["stale_record"]))
        if st.get("gpu_problem"):
            notes.append(s["gpu_problem"].format(framework=names, reason=st["gpu_problem"]))
    alike = len({described(st) for st in stamps.values()}) == 1
    if alike:
        first = next(iter(stamps.values()))
        text = (f"**{s['stamp']}** — " + " · ".join(labels(st) for st in stamps.values())
                + f" · {described(first)}")
    else:
        text = f"**{s['stamp']}**\n\n" + "\n".join(
            f"- {labels(st)}: {described(st)}" for st in stamps.values())
    text += "".join(f"\n\n{note}" for note in notes)
    return directive("container", text, 0, arg="d2l-stamp") + "\n"


def results_md(lang: str, results: list[dict]) -> str:
    s = STRINGS[lang]
    head = "| " + " | ".join(s["columns"]) + " |\n|" + "---|" * len(s["columns"]) + "\n"
    rows = "".join(
        f"| {book.FRAMEWORK_LABELS[r['framework']]} | {r['loss']:.3f} | {r['train_acc']:.3f} | "
        f"{r['test_acc']:.3f} | {r['examples_per_sec']:,.1f} | {r['device']} |\n"
        for r in results)
    profiles = {s[r["profile"]] for r in results}
    title = f"{s['results']} — {s['profile']}: {', '.join(sorted(profiles))}"
    return directive("container", f"**{title}**\n\n{head}{rows}", 0,
                     arg="d2l-results") + "\n"


def load_executed(page: Page, executed_paths: dict[str, Path], request: str,
                  kept: dict[str, Path] | None = None, framework: str | None = None):
    """Executed notebooks per framework (only `framework`'s, when given, for a
    page split per framework) with, for each, source cell index -> outputs
    and the metadata, its results naming their source cell. Where a
    framework did not run the full profile, its kept record (`kept`, see
    scripts/pipeline/records.py) is used instead while it matches the code."""
    executed = {}
    for fw in notebooks_for(page):
        if framework and fw not in (framework, ALL):
            continue
        profile = profiles.resolve_profile(request, fw, book.page_of(page.path))
        nb, origin = split(page, fw)
        record = (records.lookup(nb, fw, kept[fw]) if profile != "full" and fw in (kept or {})
                  else records.Record(None, None))
        path = executed_paths[fw]
        if record.notebook is not None:
            done = record.notebook
            meta = dict(done.metadata["d2l"], stamp={**done.metadata["d2l"]["stamp"], "source": "record"})
        else:
            if not path.exists():
                raise MergeError(f"{path} is missing: run `make execute PROFILE={request}` first")
            done = nbformat.read(path, as_version=4)
            # What a page's code reads may follow the request (the results
            # appendix): set for this thread only, not in os.environ.
            with profiles.requested(request):
                key = cache_key(nb, fw, profile)
            if done.metadata.get("d2l", {}).get("cache_key") != key:
                raise MergeError(f"{path} is stale for {page.path}: "
                                 f"run `make execute PROFILE={request}` first")
            meta = done.metadata["d2l"]
            if record.stale is not None:
                meta = dict(meta, stamp={**meta["stamp"], "stale_record": {
                    "date": record.stale.get("date", "?"), "device": record.stale.get("device", "?")}})
        # The cache key guarantees the code cells, in order, not the prose
        # between them: outputs and results follow the code cells.
        sources = [origin[i] for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
        ran = [cell for cell in done.cells if cell.cell_type == "code"]
        outputs = {source: cell.get("outputs", []) for source, cell in zip(sources, ran)}
        results = [dict(r, cell=sources[r["code_cell"]]) for r in meta["results"]]
        executed[fw] = (outputs, {**meta, "results": results})
    return executed


def groups(cells: list[Cell]):
    """Yield (index, cell) runs: a common cell alone, or a run of marked cells."""
    run = []
    for index, cell in enumerate(cells):
        if cell.common:
            if run:
                yield run
                run = []
            yield [(index, cell)]
        else:
            run.append((index, cell))
    if run:
        yield run


def target(lang: str, framework: str | None = None) -> Path:
    """Where an edition's merged pages go: the site's, or one framework's
    (the PDF's, scripts/render/pdf.py)."""
    return book.pdf_source(lang, framework) if framework else book.site_source(lang)


def merge_page(lang: str, page_name: str, request: str,
               framework: str | None = None) -> dict[Path, bytes]:
    """Return {path: content} of one merged page of the book and its images."""
    paths, kept = executions(page_name, request)
    return merge_source(book.source_path(lang, page_name), paths,
                        target(lang, framework) / f"{page_name}.md", lang, request, kept, framework)


def executions(page_name: str, request: str) -> tuple[dict[str, Path], dict[str, Path]]:
    """Where a page's executed notebooks are under `request`, and its kept
    full-profile records, per notebook (framework or ALL)."""
    paths = {fw: book.executed_path(profiles.resolve_profile(request, fw, page_name), page_name, fw)
             for fw in (*book.FRAMEWORKS, ALL)}
    kept = {fw: records.record_path(page_name, fw) for fw in (*book.FRAMEWORKS, ALL)}
    return paths, kept


def shown(page_name: str, request: str) -> dict[str, tuple[dict, dict]]:
    """What a merged page shows of each notebook under `request`: its
    outputs by source cell and its metadata (stamp, results naming their
    source cell), from its execution or its kept record (see load_executed)."""
    paths, kept = executions(page_name, request)
    return load_executed(parse(book.source_path(book.executed_edition(), page_name)), paths, request, kept)


def merge_source(source: Path, executed_paths: dict[str, Path], out_path: Path, lang: str,
                 request: str, kept: dict[str, Path] | None = None,
                 framework: str | None = None) -> dict[Path, bytes]:
    """Return {path: content} of the page merged from `source` and its executed
    notebooks (run in the profile `request` resolves to for each, or kept
    full-profile records where they match), to be written at `out_path`, plus
    its output images. With `framework`, the page holds that framework's
    cells and outputs only, without tabs."""
    page = parse(source)
    assets = Assets(out_path.parent, out_path.stem)
    executed = load_executed(page, executed_paths, request, kept, framework)

    def cell_md(index, cell, fw=None):
        if cell.kind == "markdown":
            return cell.source + "\n"
        if fw:
            return render_code(cell.source, render_outputs(executed[fw][0][index], assets, lang))
        rendered = {f: render_outputs(executed[f][0][index], assets, lang)
                    for f in executed}
        if len(set(rendered.values())) == 1:
            return render_code(cell.source, next(iter(rendered.values())))
        # Same code, different outputs: show the code once, the outputs as tabs.
        return render_code(cell.source, "") + "\n" + tab_set(list(rendered.items()), 0)

    blocks, stamped = [], not page.has_code
    for run in groups(page.cells):
        if len(run) == 1 and run[0][1].common:
            index, cell = run[0]
            title = re.search(r"^# .*$", cell.source, re.M) if cell.kind == "markdown" else None
            if title and not stamped:
                # The stamp goes right under the page title.
                stamp = stamp_md(lang, {fw: meta["stamp"] for fw, (_, meta) in executed.items()})
                blocks.append(f"{cell.source[:title.end()]}\n\n{stamp}\n{cell.source[title.end():].lstrip()}\n")
                stamped = True
            else:
                blocks.append(cell_md(index, cell))
            continue
        items = [(fw, "\n".join(cell_md(i, c, fw) for i, c in run if fw in c.frameworks))
                 for fw in book.FRAMEWORKS if any(fw in c.frameworks for _, c in run)
                 and framework in (None, fw)]
        if framework:
            blocks.extend(body for _, body in items)
        else:
            blocks.append(tab_set(items, 2))
        # The frameworks' training results side by side, under the tabs that trained.
        cells = {index for index, _ in run}
        results = [r for _, meta in executed.values() for r in meta["results"] if r["cell"] in cells]
        if results:
            blocks.append(results_md(lang, results))
    front = {k: v for k, v in page.front_matter.items() if k not in ("jupytext", "kernelspec")}
    # Only pages split per framework have notebooks to open in Colab.
    front["d2l_notebooks"] = notebooks_for(page) == book.FRAMEWORKS
    header = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=True) + "---\n\n"
    files = {out_path: (header + "\n".join(blocks)).encode("utf-8")}
    files.update(assets.files)
    return files


# Files in the merged source folder that belong to scripts/render/html.py.
GENERATED_ELSEWHERE = {"_config.yml", "_toc.yml", "conf.py"}


def merge_edition(lang: str, request: str, framework: str | None = None) -> int:
    """Merge every page of one edition (for the site, or with one framework's
    code for its PDF) and copy its other files; return the number of files
    written. Files no longer produced are removed."""
    folder = target(lang, framework)
    files: dict[Path, bytes] = {}
    for page_name in book.pages():
        files.update(merge_page(lang, page_name, request, framework))
    if not framework:  # notebooks offered for download on the site
        for path in (book.NOTEBOOKS / lang).rglob("*.ipynb"):
            files[folder / "_extra" / "_notebooks" / path.relative_to(book.NOTEBOOKS / lang)] = path.read_bytes()
    for path in (book.BOOK / lang).rglob("*"):
        if path.is_file() and path.suffix != ".md":  # pages are merged above
            files[folder / path.relative_to(book.BOOK / lang)] = path.read_bytes()
    for path in book.BOOK.glob("*.bib"):  # one bibliography for both editions
        files[folder / path.name] = path.read_bytes()
    written = sum(write_if_changed(p, c) for p, c in files.items())
    for path in folder.rglob("*"):
        if path.is_file() and path not in files and path.relative_to(folder).as_posix() not in GENERATED_ELSEWHERE:
            path.unlink()
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default=None, help="quick, full or auto")
    parser.add_argument("--lang", choices=list(book.editions()), action="append")
    args = parser.parse_args(argv)
    request = profiles.profile_request(args.profile)
    for lang in args.lang or list(book.editions()):
        stamp = inputs.Stamp(book.BUILD / "stamps" / f"merge-{lang}-{request}.sha256")
        state = inputs.book_state(request, inputs.edition_sources(lang))

        def parts():
            return state + [inputs.tree_state(book.NOTEBOOKS / lang), inputs.tree_state(target(lang))]
        if stamp.current(parts()):
            print(f"merged {lang} ({request}): up to date")
            continue
        try:
            written = merge_edition(lang, request)
        except (MergeError, SourceError) as err:
            stamp.drop()
            print(f"error: {err}", file=sys.stderr)
            return 1
        stamp.keep(parts())
        print(f"merged {lang} ({request}): {written} file(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

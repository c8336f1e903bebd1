"""Export the notebooks that readers open in Colab: one per page with code,
framework and edition, at notebooks/<lang>/<framework>/<page>.ipynb.
Pages executed once with all frameworks together get none.

Each notebook is the page's split for that framework (the same split the build
executes) after two cells of its own: a note that links back to the website
and a cell that installs what Colab lacks. Notebooks carry no outputs and keep
stable cell ids, so regenerating them gives the same bytes and commits stay
small. `--check` regenerates in memory and fails when a committed notebook is
missing, stale or left over from a page that no longer has code.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from scripts.environment import book
from scripts.notebooks import release
from scripts.pipeline.source import parse
from scripts.pipeline.split import notebooks_for, split

REGENERATE = "make notebooks"
MISSING, LEFT_OVER = "missing", "no page with code produces it"
SETUP_PAGE = "setup"   # the learners' set-up page: its commands install d2l too
PAGE_REF = "installs another d2l commit than the notebooks"
INTRO_ID, INSTALL_ID = "intro", "install"
# Colab honours these when it opens a notebook; gpuType is its free tier's GPU.
GPU_METADATA = {"accelerator": "GPU", "colab": {"gpuType": "T4", "provenance": []}}
MXNET_REQUIREMENTS = '"numpy<2" mxnet==1.9.1 setuptools'
# TensorFlow turns its oneDNN CPU kernels on by default only where the CPU
# has AVX512_VNNI; the CPU times the notebooks announce (cpu_minutes) are
# taken with them on, as the build runs TensorFlow (scripts/pipeline/execute.py);
# a value the learner set is kept.
ONEDNN = 'os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")'

# Prose the notebooks add, in each edition's language. {framework} is a label
# such as "PyTorch"; Korean sentences avoid particles right after it because
# the right one depends on how the name is read.
TEXT = {
    "ko": {
        "about": "이 노트북은 《Dive into Deep Learning》 한국어판 「{title}」 장의 {framework} 코드입니다. "
                 "설명과 그림, 실행 결과가 함께 있는 본문은 [웹사이트]({url})에서 읽을 수 있습니다. "
                 "먼저 아래의 설치 셀을 실행하세요.",
        "gpu": "Colab에서는 GPU 런타임으로 열리도록 설정되어 있습니다. GPU가 연결되지 않았다면 "
               "**런타임 > 런타임 유형 변경**에서 GPU를 고르세요.",
        "mxnet_cpu": "**MXNet 노트북은 Colab에서 CPU로 실행됩니다.** MXNet의 마지막 CUDA 빌드는 "
                     "CUDA 11.x와 cuDNN 8용이라 Colab의 CUDA 버전과 맞지 않고, Apache MXNet은 개발이 "
                     "종료(retired)되어 Apache Attic으로 옮겨졌으므로 새 빌드가 나오지 않습니다. CPU에서는 훈련이 오래 걸리므로, "
                     "빠르게 훑어보기만 하려면 설치 셀 다음에 `os.environ['D2L_PROFILE'] = 'quick'`을 "
                     "실행해 데이터 일부만으로 훈련하세요.",
        "mxnet_restart": "MXNet 1.9.1은 numpy 2에서 동작하지 않으므로, 설치 셀은 처음 실행할 때 numpy를 "
                         "1.x로 바꾸고 런타임을 한 번 다시 시작합니다. 세션이 다운되었다는 알림이 떠도 "
                         "정상입니다. pip이 다른 Colab 패키지와의 버전 충돌을 경고해도 이 노트북에는 "
                         "영향이 없습니다. 설치 셀을 한 번 더 실행한 뒤 이어서 진행하세요.",
        "install": "# 이 책의 d2l 패키지를 설치합니다. 프레임워크({framework})는 Colab에 이미 설치되어 있습니다.",
        "mxnet_install": "# MXNet 1.9.1에는 numpy 1.x가 필요합니다. Colab에는 numpy 2가 있으므로 처음 실행할 때는\n"
                         "# 설치한 뒤 런타임을 다시 시작합니다. 다시 시작되면 이 셀을 한 번 더 실행하세요.",
        "restart": "설치를 마쳤습니다. numpy 1.x를 불러오려면 런타임을 다시 시작해야 해서 지금 다시 시작합니다.\n"
                   "세션이 다운되었다는 알림이 떠도 정상입니다. 이 셀을 한 번 더 실행한 뒤 다음 셀로 진행하세요.",
        "lang": "# 그래프의 범례를 한국어로 표시합니다.",
        "wait": "# 메시지가 화면에 표시될 때까지 잠시 기다립니다.",
        "notice": "# GPU 없이 실행하면 훈련에 걸리는 시간과 줄이는 방법을 알려 줍니다.",
        "onednn": "# 기본으로 꺼져 있는 CPU에서도 TensorFlow가 oneDNN 최적화를 쓰게 합니다. TensorFlow를 불러오기 전에 설정해야 합니다.",
    },
    "zh": {
        "about": "本笔记本是《动手学深度学习》中文版“{title}”一节的 {framework} 代码。"
                 "包含讲解、插图和运行结果的正文请见[网站上的对应页面]({url})。请先运行下面的安装单元格。",
        "gpu": "在 Colab 中打开时会请求 GPU 运行时。如果没有连接到 GPU，"
               "请依次选择 **代码执行程序 > 更改运行时类型**，将硬件加速器设为 GPU。",
        "mxnet_cpu": "**MXNet 笔记本在 Colab 中使用 CPU 运行。** MXNet 最后的 CUDA 版本是为 CUDA 11.x 和 "
                     "cuDNN 8 构建的，与 Colab 的 CUDA 版本不匹配；而且 Apache MXNet 已停止开发（retired，已移入 Apache Attic），"
                     "不会再发布新版本。在 CPU 上训练较慢，如果只想快速浏览，可以在安装单元格之后运行 "
                     "`os.environ['D2L_PROFILE'] = 'quick'`，只用一小部分数据训练。",
        "mxnet_restart": "MXNet 1.9.1 无法在 numpy 2 上运行，所以第一次运行安装单元格时，它会把 numpy "
                         "换成 1.x 并重启一次运行时。看到会话崩溃的提示是正常的；pip 提示与 Colab 其他包的"
                         "版本冲突也不影响本笔记本。请再运行一次安装单元格，然后继续。",
        "install": "# 安装本书的 d2l 包；Colab 已经预装了 {framework}。",
        "mxnet_install": "# MXNet 1.9.1 需要 numpy 1.x。Colab 预装的是 numpy 2，所以第一次运行时\n"
                         "# 安装完成后会重启运行时。重启后请再运行一次本单元格。",
        "restart": "安装完成。需要重启运行时才能加载 numpy 1.x，现在自动重启。\n"
                   "看到会话崩溃的提示是正常的：请再运行一次本单元格，然后继续运行后面的单元格。",
        "lang": "# 让图中的图例使用中文。",
        "wait": "# 稍等片刻，让提示先显示出来。",
        "notice": "# 没有 GPU 时，提示训练所需的时间以及缩短的方法。",
        "onednn": "# 让 TensorFlow 在默认关闭 oneDNN 优化的 CPU 上也启用它；必须在导入 TensorFlow 之前设置。",
    },
}


def package_url(notebooks: Path = book.NOTEBOOKS) -> str:
    """pip's URL of the book's `d2l` package at the commit the notebooks
    were made with (notebooks/d2l.json, see release.py); _config.yml is the
    only place that names the repository."""
    record = release.read(notebooks)
    if record is None:
        raise SystemExit(f"error: {book.shown(notebooks / release.RECORD)} is missing; "
                         f"run `{REGENERATE}` to record which d2l the notebooks install")
    return f"git+{book.config()['repository']['url']}@{record['commit']}"


def cpu_minutes(page: str, framework: str) -> float | None:
    """How long the page's training takes in full on a 2-core CPU
    (`_config.yml`'s cpu_minutes); None for a page that does not train."""
    return (book.config().get("cpu_minutes") or {}).get(page, {}).get(framework)


def page_url(lang: str, page: str) -> str:
    return f"{book.config()['html']['baseurl'].rstrip('/')}/{lang}/{page}.html"


def title(nb) -> str | None:
    """The page's first level-1 heading."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = re.search(r"^#\s+(.+?)\s*$", cell.source, re.MULTILINE)
            if found:
                return found.group(1)
    return None


def install_source(lang: str, framework: str, page: str, url: str) -> str:
    """The notebook's first code cell: installs d2l (`url`) and what Colab
    lacks, sets the plots' language, turns TensorFlow's oneDNN kernels on
    and, for a page that trains, says how long that takes where there is no
    GPU."""
    text = TEXT[lang]
    package = f'"d2l @ {url}"'
    if framework == "mxnet":
        # numpy 2 is already imported in a fresh Colab runtime, so after the
        # downgrade only a restart loads numpy 1.x. Installing again after the
        # restart is a quick no-op and also covers runtimes that start on 1.x.
        lines = [
            text["mxnet_install"],
            "import os",
            "import time",
            "import numpy",
            "",
            f"%pip install -q {MXNET_REQUIREMENTS} {package}",
            'if int(numpy.__version__.split(".")[0]) >= 2:',
            f'    print({text["restart"]!r}, flush=True)',
            f"    time.sleep(1)  {text['wait']}",
            "    os.kill(os.getpid(), 9)",
            "",
            text["lang"],
        ]
    else:
        lines = [text["install"].format(framework=book.FRAMEWORK_LABELS[framework]),
                 f"%pip install -q {package}", "", text["lang"], "import os"]
    lines.append(f'os.environ["D2L_LANG"] = "{lang}"')
    if framework == "tensorflow":   # before gpu_notice, which imports TensorFlow
        lines += [text["onednn"], ONEDNN]
    minutes = cpu_minutes(page, framework)
    if minutes is not None:
        module = "torch" if framework == "pytorch" else framework
        lines += [text["notice"], "from d2l import environment",
                  f'environment.gpu_notice("{module}", cpu_minutes={minutes})']
    return "\n".join(lines)


def intro_source(lang: str, page: str, framework: str, heading: str) -> str:
    text = TEXT[lang]
    paragraphs = [text["about"].format(title=heading, framework=book.FRAMEWORK_LABELS[framework],
                                       url=page_url(lang, page))]
    paragraphs += [text["mxnet_cpu"], text["mxnet_restart"]] if framework == "mxnet" else [text["gpu"]]
    return "\n\n".join(paragraphs)


LABEL = re.compile(r"^\(([\w-]+)\)=\s*$", re.MULTILINE)
ROLE = re.compile(r"\{(ref|numref)\}`([^`<]*?)\s*(?:<([\w-]+)>)?`")
CITE = re.compile(r"\{cite:(p|t)\}`([^`]+)`")
FIGURE = re.compile(r"^(`{3,})\{figure\}\s+(\S+)\n((?::[\w-]+:.*\n)*)\n?(.*?)\n\1\s*$",
                    re.MULTILINE | re.DOTALL)
DROPDOWN = re.compile(r"^([ \t]*)(:{3,})\{dropdown\}[ \t]*([^\n]*)\n(.*?)^[ \t]*\2[ \t]*$",
                      re.MULTILINE | re.DOTALL)
FIGURE_ALT = re.compile(r"^:alt:(.*)$", re.MULTILINE)
FIGURE_WORD = {"ko": "그림", "zh": "图"}
REFERENCES = "references"   # the bibliography page of each edition


@dataclass
class Edition:
    """What the prose of one page may point at elsewhere in its edition."""
    lang: str
    targets: dict[str, tuple[str, str]]   # label -> (page, heading)
    citations: dict[str, tuple[str, str]]   # bibtex key -> (authors, year)


def edition(source_root: Path, lang: str) -> Edition:
    targets = {}
    for page in book.pages():
        source = source_root / lang / f"{page}.md"
        if source.exists():
            targets.update({label: (page, title) for label, title in section_titles(parse(source)).items()})
    return Edition(lang, targets, citations(source_root))


def citations(source_root: Path) -> dict[str, tuple[str, str]]:
    """Author-year labels of the bibliography, as the website's citations read."""
    from pybtex.database import parse_file

    found = {}
    for path in sorted(source_root.glob("*.bib")):
        for key, entry in parse_file(str(path)).entries.items():
            names = [" ".join(p.last_names) for p in entry.persons.get("author", [])]
            authors = (names[0] if len(names) == 1 else " & ".join(names) if len(names) == 2
                       else f"{names[0]} et al.")
            found[key] = (authors.replace("{", "").replace("}", ""), entry.fields.get("year", ""))
    return found


def colab_markdown(text: str, page: str, where: Edition) -> str:
    """Prose as Colab renders it: MyST labels dropped, cross-references turned
    into links to the website (on this page or another), citations into
    author-year links to the bibliography, figures into images served by the
    website, dropdowns into HTML <details>."""
    lang = where.lang
    url = page_url(lang, page)
    root = url[: -len(f"{page}.html")]       # the edition's site root

    def role(m):
        kind, text, label = m.group(1), m.group(2), m.group(3) or m.group(2)
        target_page, heading = where.targets.get(label, (page, label))
        if kind == "numref":
            text = FIGURE_WORD[lang] if not m.group(3) else text.replace("%s", "").strip()
        elif not m.group(3):
            text = heading
        return f"[{text}]({root}{target_page}.html#{label})"

    def cite(m):
        shown = []
        for key in (k.strip() for k in m.group(2).split(",")):
            authors, year = where.citations.get(key, (key, ""))
            shown.append((authors, year))
        link = f"{root}{REFERENCES}.html"
        if m.group(1) == "t":
            return ", ".join(f"[{a} ({y})]({link})" for a, y in shown)
        return "(" + "; ".join(f"[{a}, {y}]({link})" for a, y in shown) + ")"

    def figure(m):
        image = m.group(2).rsplit("/", 1)[-1]
        alt = FIGURE_ALT.search(m.group(3))
        # What the figure shows, for a reader who cannot see it (as on the website).
        alt = alt.group(1).strip() if alt else FIGURE_WORD[lang]
        # Sphinx publishes every figure's file under _images/ of the edition.
        return f"![{markdown_alt(alt)}]({root}_images/{image})\n\n*{m.group(4).strip()}*"

    def dropdown(m):
        indent, title, body = m.group(1), m.group(3).strip(), m.group(4).rstrip()
        return f"{indent}<details><summary>{title}</summary>\n\n{body}\n\n{indent}</details>"

    text = DROPDOWN.sub(dropdown, FIGURE.sub(figure, LABEL.sub("", text)))
    return CITE.sub(cite, ROLE.sub(role, text)).strip()


def markdown_alt(text: str) -> str:
    """`text` as the alt text of a Markdown image, escaped so that a bracket
    cannot end it early and f* or x_1 stay as written (not emphasis)."""
    return re.sub(r"([\\\[\]*_`])", r"\\\1", text)


def section_titles(parsed) -> dict[str, str]:
    """Heading text of each labelled section of a page."""
    titles = {}
    for cell in parsed.cells:
        if cell.kind == "markdown":
            for m in re.finditer(r"^\(([\w-]+)\)=\s*\n#+\s+(.+?)\s*$", cell.source, re.MULTILINE):
                titles[m.group(1)] = m.group(2)
    return titles


def notebook(source: Path, lang: str, page: str, framework: str, where: Edition | None = None,
             url: str | None = None):
    """The Colab notebook of one page, or None when the page has none for this
    framework: no code, or code that runs once with all frameworks together
    (the build's own checks, which need this repository). `where` describes
    the edition (read from the sources around `source` when not given);
    `url` is d2l's (package_url() when not given)."""
    parsed = parse(source)
    if framework not in notebooks_for(parsed):
        return None
    where = where or edition(Path(source).parents[page.count("/") + 1], lang)
    nb, _ = split(parsed, framework)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = colab_markdown(cell.source, page, where)
    intro = nbformat.v4.new_markdown_cell(intro_source(lang, page, framework, title(nb) or page))
    install = nbformat.v4.new_code_cell(install_source(lang, framework, page, url or package_url()))
    intro.id, install.id = INTRO_ID, INSTALL_ID
    nb.cells[:0] = [intro, install]
    if framework != "mxnet":
        nb.metadata.update(GPU_METADATA)
    nbformat.validate(nb)
    return nb


def render(nb) -> bytes:
    return (nbformat.writes(nb).rstrip("\n") + "\n").encode("utf-8")


def relative_path(lang: str, framework: str, page: str) -> Path:
    return Path(lang, framework, f"{page}.ipynb")


def expected(source_root: Path = book.BOOK) -> dict[Path, bytes]:
    """Every notebook's path (relative to the output root) and bytes. Pages
    whose source is missing in an edition have nothing to export."""
    found, url = {}, package_url()
    for lang in book.editions():
        where = edition(source_root, lang)
        for page in book.pages():
            source = source_root / lang / f"{page}.md"
            if not source.exists():
                continue
            for framework in book.FRAMEWORKS:
                nb = notebook(source, lang, page, framework, where, url)
                if nb is not None:
                    found[relative_path(lang, framework, page)] = render(nb)
    return found


def differences(wanted: dict[Path, bytes], output_root: Path) -> list[tuple[Path, str]]:
    """(path, reason) for each notebook under output_root that is missing,
    differs from `wanted`, or is left over from a page that no longer has one."""
    problems = []
    for rel, data in sorted(wanted.items()):
        path = output_root / rel
        if not path.exists():
            problems.append((path, MISSING))
        elif path.read_bytes() != data:
            problems.append((path, "out of date"))
    for path in sorted(output_root.rglob("*.ipynb")) if output_root.exists() else ():
        if path.relative_to(output_root) not in wanted:
            problems.append((path, LEFT_OVER))
    return problems


def setup_pages(source_root: Path = book.BOOK) -> dict[Path, bytes]:
    """Each edition's set-up page (its commands install d2l as the notebooks
    do) with every install command pointing at package_url()'s commit."""
    repo = re.escape(book.config()["repository"]["url"])
    found = {}
    for lang in book.editions():
        path = source_root / lang / f"{SETUP_PAGE}.md"
        if path.exists():
            text = re.sub(rf"git\+{repo}@[0-9a-f]{{40}}", package_url(), path.read_text(encoding="utf-8"))
            found[path] = text.encode("utf-8")
    return found


def stale(source_root: Path = book.BOOK, output_root: Path = book.NOTEBOOKS) -> list[tuple[Path, str]]:
    pages = [(path, PAGE_REF) for path, data in setup_pages(source_root).items() if path.read_bytes() != data]
    return differences(expected(source_root), output_root) + pages


def export(source_root: Path = book.BOOK, output_root: Path = book.NOTEBOOKS) -> list[Path]:
    """Write missing and changed notebooks, remove left-over ones, point the
    set-up pages at the same d2l; return the paths touched."""
    wanted = expected(source_root)
    problems = differences(wanted, output_root)
    for path, reason in problems:
        if reason == LEFT_OVER:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(wanted[path.relative_to(output_root)])
    touched = [path for path, _ in problems]
    for path, data in setup_pages(source_root).items():
        if path.read_bytes() != data:
            path.write_bytes(data)
            touched.append(path)
    return touched


def check_message(problems: list[tuple[Path, str]]) -> str:
    lines = [f"{len(problems)} Colab notebook(s) or set-up page(s) do not match the chapter sources and d2l; "
             f"regenerate them with `{REGENERATE}` and commit the result:"]
    lines += [f"  {book.shown(path)}: {reason}" for path, reason in problems]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a committed notebook is missing or stale")
    args = parser.parse_args(argv)
    if args.check:
        wrong = release.problems()
        problems = [] if wrong else stale()
        for problem in wrong:
            print(f"error: {problem}", file=sys.stderr)
        if problems:
            print(check_message(problems), file=sys.stderr)
        if wrong or problems:
            return 1
        print(f"Colab notebooks under {book.shown(book.NOTEBOOKS)}/ are up to date.")
        return 0
    try:
        record = release.update()
    except release.ReleaseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"d2l {record['version']}: the notebooks install commit {record['commit'][:12]}")
    touched = export()
    for path in touched:
        print(f"{'wrote' if path.exists() else 'removed'} {book.shown(path)}")
    print(f"{len(touched)} notebook(s) changed under {book.shown(book.NOTEBOOKS)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())

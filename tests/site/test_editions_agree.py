"""The built book: both editions show the one execution of each page, so
every number in the outputs is the same, and each training figure speaks
its edition's language."""
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from scripts.environment import book
from scripts.pipeline.source import parse
from scripts.pipeline.split import notebooks_for

LEGENDS = {"ko": ("훈련 손실", "훈련 정확도", "테스트 정확도", "에포크"),
           "zh": ("训练损失", "训练精度", "测试精度", "迭代周期")}
PAGES = [page for page in book.pages()
         if notebooks_for(parse(book.source_path(book.executed_edition(), page)))]
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?")


def outputs(site, lang, page):
    html = (site / lang / f"{page}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").select("div.cell-output")


@pytest.mark.parametrize("page", PAGES)
def test_every_number_in_the_outputs_is_the_same_in_both_editions(built_site, page):
    ko, zh = (outputs(built_site, lang, page) for lang in ("ko", "zh"))
    assert len(ko) == len(zh) > 0
    for n, (a, b) in enumerate(zip(ko, zh)):
        numbers = [NUMBER.findall(block.get_text(" ")) for block in (a, b)]
        assert numbers[0] == numbers[1], f"{page}: output {n + 1} shows other numbers in ko and zh"
    # Losses, accuracies and examples/sec are among them, where the page trains.
    text = " ".join(block.get_text(" ") for block in ko)
    if "examples/sec" in text:
        assert re.search(r"loss \d\.\d{3}, train acc \d\.\d{3}, test acc \d\.\d{3}", text)


@pytest.mark.parametrize("page", PAGES)
def test_training_figures_speak_their_editions_language(built_site, page):
    english = ("train loss", "train acc", "test acc", "epoch")
    for lang, words in LEGENDS.items():
        other = LEGENDS["zh" if lang == "ko" else "ko"]
        svgs = [(built_site / lang / Path(page).parent / img["src"]).read_text(encoding="utf-8")
                for block in outputs(built_site, lang, page)
                for img in block.find_all("img") if img["src"].endswith(".svg")]
        for svg in svgs:
            for word in (*other, *english):
                assert f">{word}</text>" not in svg, f"{lang} {page}: a figure says {word!r}"
        # train_ch6's figure: the legend and the axis label, all in the edition's language.
        trained = [svg for svg in svgs if f">{words[1]}</text>" in svg]
        assert all(f">{word}</text>" in svg for svg in trained for word in words)
        if "train_ch6(" in book.source_path(lang, page).read_text(encoding="utf-8"):
            assert trained, f"{lang}: {page} trains but shows no figure with its legend"

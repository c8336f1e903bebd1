"""The landing and 404 pages' own words, per edition, each written in that
edition's language. The book's title and description come from `_config.yml`."""
from __future__ import annotations

TEXT = {
    "ko": {
        "read": "한국어판 읽기",
        "suggest_language": "브라우저 언어가 한국어로 설정되어 있어 한국어판을 권해 드립니다.",
        "suggest_remembered": "지난번에 고른 한국어판으로 이어서 읽어 보세요.",
        "contents": "차례",
        "colab": "Colab에서 열기",
        "downloads": "내려받기",
        "pdf": "{framework}판 PDF",
        "zip": "{framework} 노트북 {count}개 (.zip)",
        "repository": "GitHub에서 노트북 보기",
        "framework": "코드 프레임워크",
        "framework_hint": "여기서 고른 프레임워크가 모든 페이지의 코드 탭과 노트북 링크에 먼저 나타납니다.",
        "not_found": "페이지를 찾을 수 없습니다",
        "not_found_hint": "주소가 바뀌었거나 아직 없는 페이지입니다. 아래에서 읽을 곳을 골라 주세요.",
        "home": "한국어판 첫 페이지",
        "landing": "책 소개 페이지",
        "mode": "화면 모드",
    },
    "zh": {
        "read": "阅读中文版",
        "suggest_language": "您的浏览器语言是中文，推荐从中文版开始阅读。",
        "suggest_remembered": "继续阅读您上次选择的中文版。",
        "contents": "目录",
        "colab": "在 Colab 中打开",
        "downloads": "下载",
        "pdf": "{framework} 版 PDF",
        "zip": "全部 {framework} 笔记本（{count} 个，.zip）",
        "repository": "在 GitHub 上查看笔记本",
        "framework": "代码框架",
        "framework_hint": "在这里选择的框架会成为每一页代码选项卡和笔记本链接的默认选项。",
        "not_found": "找不到该页面",
        "not_found_hint": "该页面的地址可能已经改变，或者页面尚未发布。请从下面选择要去的地方。",
        "home": "中文版首页",
        "landing": "本书介绍页",
        "mode": "显示模式",
    },
}


def text(lang: str) -> dict[str, str]:
    """The words of one edition (an edition without its own uses the first's)."""
    return TEXT.get(lang, next(iter(TEXT.values())))

"""The plot, the messages in three languages and the result object."""

import logging
import types
import warnings

import pytest

from d2l import _core

LEGENDS = {'en': ['train loss', 'train acc', 'test acc', 'epoch'],
           'ko': ['훈련 손실', '훈련 정확도', '테스트 정확도', '에포크'],
           'zh': ['训练损失', '训练精度', '测试精度', '迭代周期']}


def _animate():
    """An Animator as train_ch6 makes it, after two epochs of points."""
    animator = _core.Animator(
        xlabel=_core.message('epoch'), xlim=[1, 2],
        legend=[_core.message(key)
                for key in ('train_loss', 'train_acc', 'test_acc')])
    for epoch in range(2):
        for part in (0.5, 1.0):
            animator.add(epoch + part,
                         (1.5 - epoch / 2, 0.5 + epoch / 4, None))
        animator.add(epoch + 1, (None, None, 0.6 + epoch / 10))
    return animator


@pytest.mark.parametrize('lang', ['en', 'ko', 'zh'])
def test_svg_keeps_localized_text(monkeypatch, caplog, lang):
    monkeypatch.setenv('D2L_LANG', lang)
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # e.g. a glyph missing from the fonts
        with caplog.at_level(logging.WARNING):  # e.g. a font not found
            svg = _animate().svg()
    assert not caplog.records
    assert svg.lstrip().startswith('<?xml') and '</svg>' in svg
    assert svg.count('<text') >= 4 + 3  # legend, label and tick labels
    for text in LEGENDS[lang]:
        assert f'>{text}</text>' in svg
    faces, face = _core._cjk_faces()
    if face:  # fonts-noto-cjk is installed: the SVG names all its faces
        assert ', '.join(f"'{f}'" for f in faces) in svg


def test_svg_is_reproducible():
    assert _animate().svg() == _animate().svg()


def test_notebook_display_is_updated_in_place(monkeypatch):
    import IPython.display
    shown, updates = [], []
    handle = types.SimpleNamespace(update=updates.append)

    def display(obj, display_id=False):
        shown.append((obj, display_id))
        return handle

    monkeypatch.setattr(IPython.display, 'display', display)
    monkeypatch.setattr(_core, '_notebook_kernel', lambda: True)
    animator = _core.Animator(legend=['a'])
    for x in range(3):
        animator.add(x, x)
    assert len(shown) == 1 and shown[0][1] is True
    assert len(updates) == 2
    data, metadata = updates[-1]._repr_mimebundle_()
    assert '>a</text>' in data['image/svg+xml']


def test_where_nobody_watches_the_figure_is_drawn_as_it_ends(monkeypatch):
    # The build (D2L_LIVE_FIGURES=0) keeps only the last state of a display:
    # drawn at the first add, then once when the cell has run.
    import IPython
    import IPython.display
    from IPython.core.events import EventManager, available_events
    shown, updates = [], []
    handle = types.SimpleNamespace(update=updates.append)
    monkeypatch.setattr(IPython.display, 'display', lambda obj, display_id=False: shown.append(obj) or handle)
    monkeypatch.setattr(_core, '_notebook_kernel', lambda: True)
    events = EventManager(None, available_events)
    monkeypatch.setattr(IPython, 'get_ipython', lambda: types.SimpleNamespace(events=events))
    monkeypatch.setenv('D2L_LIVE_FIGURES', '0')
    animator = _core.Animator(legend=['a'])
    for x in range(3):
        animator.add(x, x)
    assert len(shown) == 1 and updates == []
    events.trigger('post_run_cell', None)
    assert len(updates) == 1 and animator.X == [[0, 1, 2]]
    # The figure as it ends: what a live redraw after the last add shows.
    live = _core.Animator(legend=['a'])
    live.X, live.Y = [[0, 1, 2]], [[0, 1, 2]]
    assert updates[0]._repr_mimebundle_()[0]['image/svg+xml'] == IPython.display.SVG(live.svg()).data
    events.trigger('post_run_cell', None)   # drawn once per cell that added
    animator.add(3, 3)
    events.trigger('post_run_cell', None)
    assert len(updates) == 2


def test_one_execution_draws_every_edition(monkeypatch):
    """The build runs a page once for both editions (D2L_LANG=ko,zh): the
    figure holds one drawing per language, each with its own legend."""
    monkeypatch.setenv('D2L_LANG', 'ko,zh')
    animator = _core.Animator(
        xlabel=lambda: _core.message('epoch'),
        legend=[lambda key=key: _core.message(key)
                for key in ('train_loss', 'train_acc', 'test_acc')])
    animator.add(1, (1.0, 0.5, 0.4))
    bundle = animator.image()._repr_mimebundle_()
    drawn = bundle[_core.LOCALIZED_MIME]
    assert list(drawn) == ['ko', 'zh']
    for lang, output in drawn.items():
        svg = output['data']['image/svg+xml']
        assert all(f'>{text}</text>' in svg for text in LEGENDS[lang])
    # Other front ends see plain text; a single language is a plain SVG.
    assert 'text/plain' in bundle and 'image/svg+xml' not in bundle
    monkeypatch.setenv('D2L_LANG', 'zh')
    assert '>训练损失</text>' in animator.image()._repr_mimebundle_()[0]['image/svg+xml']


def test_say_prints_one_language_or_holds_every_one(monkeypatch, capsys):
    import IPython.display
    shown = []
    monkeypatch.setattr(IPython.display, 'display', shown.append)
    monkeypatch.setenv('D2L_LANG', 'zh')
    _core.say(lambda: _core.message('epoch'))
    assert capsys.readouterr().out == '迭代周期\n' and not shown
    monkeypatch.setenv('D2L_LANG', 'ko,zh')
    monkeypatch.setattr(_core, '_notebook_kernel', lambda: True)
    _core.say(lambda: _core.message('epoch'))
    outputs = shown[0].outputs()
    assert outputs == {
        'ko': {'output_type': 'stream', 'name': 'stdout', 'text': '에포크\n'},
        'zh': {'output_type': 'stream', 'name': 'stdout', 'text': '迭代周期\n'}}


def test_headless_draws_nothing_until_asked(monkeypatch):
    def fail():
        raise AssertionError('rendered without a notebook')

    monkeypatch.setattr(_core.Animator, '_show', fail)
    assert not _core._notebook_kernel()
    _core.Animator().add(1, 1)


@pytest.mark.parametrize('lang, notice', [
    ('en', '[quick profile] 256 of 60,000 training images, 256 of 10,000 '
           'test images, 2 of 10 epochs.\nThe figures below are not '
           'comparable with a full run.'),
    ('ko', '[빠른 실행 프로필(quick)] 훈련 이미지 60,000장 중 256장,\n테스트 '
           '이미지 10,000장 중 256장, 10 에포크 중 2 에포크만 사용합니다.\n'
           '아래 수치는 전체 실행 결과와 비교할 수 없습니다.'),
    ('zh', '[快速模式(quick)] 仅使用 60,000 张训练图像中的 256 张、\n10,000 张'
           '测试图像中的 256 张，只训练 10 个迭代周期中的 2 个。\n'
           '下面的结果不能与完整运行相比。'),
])
def test_quick_notice(monkeypatch, lang, notice):
    monkeypatch.setenv('D2L_LANG', lang)
    train = types.SimpleNamespace(num_examples=256, full_size=60000)
    test = types.SimpleNamespace(num_examples=256, full_size=10000)
    assert _core._quick_notice(train, test, 2, 10) == notice
    # Other iterables: only the epochs are known.
    assert '2' in _core._quick_notice([], [], 2, 10)
    assert '60,000' not in _core._quick_notice([], [], 2, 10)


def test_language_falls_back_to_english(monkeypatch):
    monkeypatch.setenv('D2L_LANG', 'ko_KR.UTF-8')
    assert _core.language() == 'ko'
    monkeypatch.setenv('D2L_LANG', 'fr')
    assert _core.message('epoch') == 'epoch'
    monkeypatch.setenv('D2L_LANG', 'zh,ko')
    assert _core.languages() == ['zh', 'ko'] and _core.language() == 'zh'
    with _core.speaking('ko'):
        assert _core.message('epoch') == '에포크'
    assert _core.language() == 'zh'


def test_result_shows_nothing_as_a_cell_value():
    formatters = pytest.importorskip('IPython.core.formatters')
    result = _core.TrainResult('pytorch', 0.5, 0.8, 0.7, 100.0, 'cpu', 2,
                               1.0, 100, 'quick', [0.6, 0.5], [0.7, 0.8],
                               [0.6, 0.7], [0.6, 0.4])
    assert formatters.DisplayFormatter().format(result) == ({}, {})


def test_the_textbooks_english_labels_speak_the_readers_language(monkeypatch):
    """A chapter's own training loop (LeNet's train_ch6) labels its figure
    in English, as the textbook does; each edition draws it in its language,
    and labels of its own are left alone."""
    monkeypatch.setenv('D2L_LANG', 'ko,zh')
    animator = _core.Animator(xlabel='epoch', legend=['train loss', 'train acc', 'test acc', 'lr'])
    animator.add(1, (1.0, 0.5, 0.4, 0.1))
    drawn = animator.image()._repr_mimebundle_()[_core.LOCALIZED_MIME]
    for lang, output in drawn.items():
        svg = output['data']['image/svg+xml']
        assert all(f'>{text}</text>' in svg for text in LEGENDS[lang])
        assert '>train loss</text>' not in svg and '>lr</text>' in svg


TRAIN_ALT = {
    'en': 'Training curves over 2 epochs: final train loss 1.000, train accuracy 0.750, test accuracy 0.700.',
    'ko': ('2 에포크 동안의 훈련 곡선. 마지막 에포크의 훈련 손실 1.000, 훈련 정확도 0.750, '
           '테스트 정확도 0.700.'),
    'zh': '2 个迭代周期的训练曲线：最终训练损失为 1.000，训练精度为 0.750，测试精度为 0.700。',
}


@pytest.mark.parametrize('lang', ['en', 'ko', 'zh'])
def test_training_plot_says_epochs_and_final_values(monkeypatch, lang):
    """The figure's alt text: what train_ch6 plots and where it ended, in
    the reader's language, in the output's metadata (which the book's merge
    turns into the image's alt) and as its text/plain."""
    monkeypatch.setenv('D2L_LANG', lang)
    data, metadata = _animate().image()._repr_mimebundle_()
    assert metadata == {'image/svg+xml': {'alt': TRAIN_ALT[lang]}}
    assert data['text/plain'] == TRAIN_ALT[lang]


def test_every_edition_gets_its_own_alt_text(monkeypatch):
    monkeypatch.setenv('D2L_LANG', 'ko,zh')
    animator = _core.Animator(
        xlabel=lambda: _core.message('epoch'),
        legend=[lambda key=key: _core.message(key)
                for key in ('train_loss', 'train_acc', 'test_acc')])
    animator.add(0.5, (1.0, 0.75, None))
    animator.add(1, (None, None, 0.5))
    drawn = animator.image()._repr_mimebundle_()[_core.LOCALIZED_MIME]
    assert drawn['ko']['metadata']['image/svg+xml']['alt'] == (
        '1 에포크 동안의 훈련 곡선. 마지막 에포크의 훈련 손실 1.000, 훈련 정확도 0.750, 테스트 정확도 0.500.')
    assert drawn['zh']['metadata']['image/svg+xml']['alt'] == (
        '1 个迭代周期的训练曲线：最终训练损失为 1.000，训练精度为 0.750，测试精度为 0.500。')


def test_other_plots_name_their_lines_and_final_values():
    animator = _core.Animator(xlabel='step', legend=['lr'])
    assert animator.describe() == 'Empty line plot.'
    for x in range(1, 4):
        animator.add(x, (0.1 / x, 2.0 * x))   # a second line without a legend entry
    assert animator.describe() == (
        'Line plot of y against step from 1 to 3; final value of each line: lr 0.0333, line 2 6.')


PLOT_ALT = {
    'en': 'Line plot of loss against epoch from 1 to 2; final value of each line: MXNet 0.3, PyTorch 0.31.',
    'ko': '가로축이 에포크(1~2), 세로축이 손실인 선 그래프. 각 곡선의 마지막 값: MXNet 0.3, PyTorch 0.31.',
    'zh': '折线图，横轴为迭代周期（1 到 2），纵轴为损失。各曲线的最终值：MXNet 0.3，PyTorch 0.31。',
}


@pytest.mark.parametrize('lang', ['en', 'ko', 'zh'])
def test_other_plots_name_both_axes(monkeypatch, lang):
    """A plot that is not train_ch6's (the equivalence report's losses)
    says what its values are: the y-axis, in the reader's language."""
    monkeypatch.setenv('D2L_LANG', lang)
    loss = {'en': 'loss', 'ko': '손실', 'zh': '损失'}[lang]
    animator = _core.Animator(xlabel=lambda: _core.message('epoch'), ylabel=loss,
                              legend=['MXNet', 'PyTorch'])
    animator.add(1, (0.5, 0.52))
    animator.add(2, (0.3, 0.31))
    assert animator.describe() == PLOT_ALT[lang]

"""Framework-free pieces shared by d2l.mxnet, d2l.torch and d2l.tensorflow.

The framework modules supply only what needs their tensors (one training
step, evaluation, device synchronisation); the epoch loop, the timing, the
plot, the printed report and the results record live here, so that the three
frameworks are measured and reported the same way.
"""

import contextlib
import dataclasses
import io
import json
import os
import sys
import time
import warnings

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

# The quick profile: a fixed real subset, so a page builds fast on a CPU.
QUICK_TRAIN, QUICK_TEST, QUICK_EPOCHS = 128, 128, 2

MESSAGES = {
    'en': {
        'train_loss': 'train loss',
        'train_acc': 'train acc',
        'test_acc': 'test acc',
        'epoch': 'epoch',
        # A plot's alternative text, for readers who cannot see it.
        'train_alt': ('Training curves over {epochs} epochs: final train '
                      'loss {loss}, train accuracy {train_acc}, test '
                      'accuracy {test_acc}.'),
        'plot_alt': ('Line plot of {ylabel} against {xlabel} from {x0} to '
                     '{x1}; final value of each line: {finals}.'),
        'plot_alt_empty': 'Empty line plot.',
        'line': 'line {n}',
        'list_sep': ', ',
        'quick': ('[quick profile] {n_train:,} of {N_train:,} training '
                  'images, {n_test:,} of {N_test:,} test images, {epochs} '
                  'of {total_epochs} epochs.\nThe figures below are not '
                  'comparable with a full run.'),
        'quick_epochs': ('[quick profile] {epochs} of {total_epochs} '
                         'epochs.\nThe figures below are not comparable '
                         'with a full run.'),
        'mixed_precision': ('{device}: {precision} autocast, channels_last, '
                            'data kept on the device'),
        'bad_profile': ("D2L_PROFILE must be 'full' or 'quick', "
                        'not {value!r}'),
        'downloading': 'Downloading Fashion-MNIST from {url} to {folder} ...',
        'offline': 'Download skipped because D2L_OFFLINE is set.',
        'download_failed': 'Download from {url} failed: {reason}',
        'incomplete': '(incomplete: no {missing})',
        'not_found': (
            'Fashion-MNIST was not found. These folders were searched for '
            'the four files {files} (each either .gz or decompressed):\n'
            '{places}\n{download}\n'
            'Fix: install the data package (sudo apt-get install '
            'dataset-fashion-mnist), or set the environment variable '
            'D2L_DATA_DIR to a folder that holds the four files.'),
        'checksum': (
            'The file {file} is damaged or not the official Fashion-MNIST: '
            'the SHA-256 of its decompressed content is {actual}, expected '
            '{expected}. Fix: delete it (it is downloaded again when '
            'online), reinstall it (sudo apt-get install --reinstall '
            'dataset-fashion-mnist), or set D2L_DATA_DIR to a folder with '
            'intact files.'),
        'corrupt': (
            'The file {file} is corrupt or truncated ({reason}). Fix: '
            'delete it (it is downloaded again when online), reinstall it '
            '(sudo apt-get install --reinstall dataset-fashion-mnist), or '
            'set D2L_DATA_DIR to a folder with intact files.'),
    },
    'ko': {
        'train_loss': '훈련 손실',
        'train_acc': '훈련 정확도',
        'test_acc': '테스트 정확도',
        'epoch': '에포크',
        'train_alt': ('{epochs} 에포크 동안의 훈련 곡선. 마지막 에포크의 훈련 '
                      '손실 {loss}, 훈련 정확도 {train_acc}, 테스트 정확도 '
                      '{test_acc}.'),
        'plot_alt': ('가로축이 {xlabel}({x0}~{x1}), 세로축이 {ylabel}인 선 '
                     '그래프. 각 곡선의 마지막 값: {finals}.'),
        'plot_alt_empty': '빈 선 그래프.',
        'line': '곡선 {n}',
        'list_sep': ', ',
        'quick': ('[빠른 실행 프로필(quick)] 훈련 이미지 {N_train:,}장 중 '
                  '{n_train:,}장,\n테스트 이미지 {N_test:,}장 중 {n_test:,}장, '
                  '{total_epochs} 에포크 중 {epochs} 에포크만 사용합니다.\n'
                  '아래 수치는 전체 실행 결과와 비교할 수 없습니다.'),
        'quick_epochs': ('[빠른 실행 프로필(quick)] {total_epochs} 에포크 중 '
                         '{epochs} 에포크만 사용합니다.\n아래 수치는 전체 실행 '
                         '결과와 비교할 수 없습니다.'),
        'mixed_precision': ('{device}: {precision} 자동 혼합 정밀도(autocast), '
                            'channels_last, 데이터는 장치 메모리에 상주'),
        'bad_profile': ("D2L_PROFILE은 'full' 또는 'quick'이어야 합니다"
                        '(현재 값: {value!r})'),
        'downloading': 'Fashion-MNIST를 {url}에서 {folder}(으)로 내려받는 중...',
        'offline': 'D2L_OFFLINE이 설정되어 있어 내려받지 않았습니다.',
        'download_failed': '{url}에서 내려받지 못했습니다: {reason}',
        'incomplete': '(불완전: {missing} 없음)',
        'not_found': (
            'Fashion-MNIST를 찾지 못했습니다. 다음 폴더에서 네 파일 {files}'
            '(각각 .gz 또는 압축을 푼 파일)을 찾아보았습니다:\n'
            '{places}\n{download}\n'
            '해결 방법: 데이터 패키지를 설치하거나(sudo apt-get install '
            'dataset-fashion-mnist), 네 파일이 들어 있는 폴더를 환경 변수 '
            'D2L_DATA_DIR로 지정하세요.'),
        'checksum': (
            '{file} 파일이 손상되었거나 공식 Fashion-MNIST가 아닙니다. 압축을 '
            '푼 내용의 SHA-256이 {actual}인데, {expected}이어야 합니다. '
            '해결 방법: 파일을 지우거나(온라인이면 다시 내려받습니다), 다시 '
            '설치하거나(sudo apt-get install --reinstall '
            'dataset-fashion-mnist), 온전한 파일이 있는 폴더를 D2L_DATA_DIR로 '
            '지정하세요.'),
        'corrupt': (
            '{file} 파일이 손상되었거나 중간에 잘렸습니다({reason}). '
            '해결 방법: 파일을 지우거나(온라인이면 다시 내려받습니다), 다시 '
            '설치하거나(sudo apt-get install --reinstall '
            'dataset-fashion-mnist), 온전한 파일이 있는 폴더를 D2L_DATA_DIR로 '
            '지정하세요.'),
    },
    'zh': {
        'train_loss': '训练损失',
        'train_acc': '训练精度',
        'test_acc': '测试精度',
        'epoch': '迭代周期',
        'train_alt': ('{epochs} 个迭代周期的训练曲线：最终训练损失为 {loss}，'
                      '训练精度为 {train_acc}，测试精度为 {test_acc}。'),
        'plot_alt': ('折线图，横轴为{xlabel}（{x0} 到 {x1}），纵轴为{ylabel}。'
                     '各曲线的最终值：{finals}。'),
        'plot_alt_empty': '空折线图。',
        'line': '曲线 {n}',
        'list_sep': '，',
        'quick': ('[快速模式(quick)] 仅使用 {N_train:,} 张训练图像中的 '
                  '{n_train:,} 张、\n{N_test:,} 张测试图像中的 {n_test:,} 张，'
                  '只训练 {total_epochs} 个迭代周期中的 {epochs} 个。\n'
                  '下面的结果不能与完整运行相比。'),
        'quick_epochs': ('[快速模式(quick)] 只训练 {total_epochs} 个迭代周期中的 '
                         '{epochs} 个。\n下面的结果不能与完整运行相比。'),
        'mixed_precision': ('{device}：{precision} 自动混合精度（autocast）、'
                            'channels_last，数据常驻设备内存'),
        'bad_profile': ("D2L_PROFILE 只能是 'full' 或 'quick'，"
                        '当前为 {value!r}'),
        'downloading': '正在从 {url} 下载 Fashion-MNIST 到 {folder} ...',
        'offline': '已设置 D2L_OFFLINE，未下载。',
        'download_failed': '从 {url} 下载失败：{reason}',
        'incomplete': '（不完整：缺少 {missing}）',
        'not_found': (
            '找不到 Fashion-MNIST。已在以下文件夹中查找四个文件 {files}'
            '（.gz 或解压后的文件均可）：\n'
            '{places}\n{download}\n'
            '解决方法：安装数据包（sudo apt-get install dataset-fashion-mnist），'
            '或将环境变量 D2L_DATA_DIR 设为包含这四个文件的文件夹。'),
        'checksum': (
            '文件 {file} 已损坏或不是官方的 Fashion-MNIST：解压后内容的 '
            'SHA-256 为 {actual}，应为 {expected}。解决方法：删除该文件'
            '（联网时会重新下载），或重新安装（sudo apt-get install '
            '--reinstall dataset-fashion-mnist），或将 D2L_DATA_DIR 设为包含'
            '完好文件的文件夹。'),
        'corrupt': (
            '文件 {file} 已损坏或不完整（{reason}）。解决方法：删除该文件'
            '（联网时会重新下载），或重新安装（sudo apt-get install '
            '--reinstall dataset-fashion-mnist），或将 D2L_DATA_DIR 设为包含'
            '完好文件的文件夹。'),
    },
}


def languages():
    """The reader's languages from D2L_LANG: 'ko', 'zh' or else 'en'.

    The book's build executes each page once for all its editions and sets
    D2L_LANG to all of them ('ko,zh'); every localized output is then made
    in each language (see Localized) and each edition shows its own.
    """
    codes = [code.strip()[:2].lower()
             for code in os.environ.get('D2L_LANG', '').split(',')]
    return [code for code in codes if code in MESSAGES] or ['en']


# The language being drawn while an output is made in each of several.
_speaking = None


def language():
    """The language to write in now: the reader's first, unless an output is
    being made in another (see Localized)."""
    return _speaking or languages()[0]


@contextlib.contextmanager
def speaking(lang):
    """Makes language() return `lang` inside the block."""
    global _speaking
    previous, _speaking = _speaking, lang
    try:
        yield
    finally:
        _speaking = previous


# A display output that holds one output per language: {lang: output}, each
# an nbformat output (stream or display_data). The build's merge keeps the
# edition's one; other front ends show the text/plain beside it.
LOCALIZED_MIME = 'application/vnd.d2l.localized+json'


class Localized:
    """An output made by `render()` in the reader's language, or in each of
    several languages when D2L_LANG names several (one execution of a page
    shown in every edition). `render` returns anything IPython can display,
    or a str, which is shown as printed text."""

    def __init__(self, render):
        self.render = render

    def outputs(self):
        """{lang: nbformat output dict} for each of the reader's languages."""
        from IPython.core.formatters import DisplayFormatter

        made = {}
        for lang in languages():
            with speaking(lang):
                obj = self.render()
            if isinstance(obj, str):
                made[lang] = {'output_type': 'stream', 'name': 'stdout',
                              'text': obj + '\n'}
            else:
                data, metadata = DisplayFormatter().format(obj)
                made[lang] = {'output_type': 'display_data', 'data': data,
                              'metadata': metadata}
        return made

    def _repr_mimebundle_(self, include=None, exclude=None):
        made = self.outputs()
        first = next(iter(made.values()))
        plain = (first['text'] if first['output_type'] == 'stream'
                 else first['data'].get('text/plain', ''))
        if len(made) == 1:
            # An image's metadata holds its alt text (DescribedSVG).
            return ({'text/plain': plain} if first['output_type'] == 'stream'
                    else (first['data'], first['metadata']))
        return {'text/plain': plain, LOCALIZED_MIME: made}


def say(render):
    """Prints render() in the reader's language, or in each of them as one
    Localized output when there are several and a notebook shows it."""
    if len(languages()) == 1 or not _notebook_kernel():
        print(render())
        return
    from IPython.display import display
    display(Localized(render))


def message(key, **fields):
    return MESSAGES[language()][key].format(**fields)


def profile():
    """'full' (the default) or 'quick', from D2L_PROFILE."""
    value = os.environ.get('D2L_PROFILE') or 'full'
    if value not in ('full', 'quick'):
        raise ValueError(message('bad_profile', value=value))
    return value


class Timer:
    """Records multiple running times."""

    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        self.tik = time.perf_counter()

    def stop(self):
        self.times.append(time.perf_counter() - self.tik)
        return self.times[-1]

    def avg(self):
        return sum(self.times) / len(self.times)

    def sum(self):
        return sum(self.times)

    def cumsum(self):
        sums, total = [], 0.0
        for t in self.times:
            total += t
            sums.append(total)
        return sums


class Accumulator:
    """Sums n variables.

    Values may be framework scalars: they are added as they come, so a GPU
    is not stalled every minibatch, and turned into floats only when read.
    """

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + b for a, b in zip(self.data, args)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return float(self.data[idx])


_CJK_FACES = {
    'ko': ['Noto Sans CJK KR', 'Noto Sans CJK SC', 'Noto Sans CJK JP'],
    'zh': ['Noto Sans CJK SC', 'Noto Sans CJK KR', 'Noto Sans CJK JP']}


def _cjk_faces():
    """The Noto CJK faces in the reader's preferred order (Han glyph forms
    differ per locale) and the one of them matplotlib can use, or None.

    matplotlib 3.9 sees only the first face of a .ttc collection, so it knows
    one of these names at most; all faces have the same metrics, so it lays
    text out with that one, and the SVG then names all of them for viewers.
    """
    faces = _CJK_FACES.get(language(), _CJK_FACES['ko'])
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return faces, next((f for f in faces if f in installed), None)


def _plot_style(face):
    """rcParams for the plots: SVG that keeps text as text, CJK-capable fonts
    (only installed ones: a missing one makes matplotlib warn)."""
    families = ([face] if face else []) + ['DejaVu Sans', 'sans-serif']
    return {'svg.fonttype': 'none', 'svg.hashsalt': 'd2l',
            'font.family': families}


def figure_svg(fig, faces, face):
    """A matplotlib Figure drawn with _plot_style(face) as SVG text whose
    fonts name all of `faces` (see _cjk_faces)."""
    buffer = io.StringIO()
    with matplotlib.rc_context(_plot_style(face)), warnings.catch_warnings():
        # Text stays text in the SVG, so the viewer's fonts draw any
        # glyph that matplotlib's fonts lack; its warning would be noise.
        warnings.filterwarnings('ignore', message='Glyph .* missing')
        fig.savefig(buffer, format='svg', bbox_inches='tight',
                    metadata={'Date': None})
    if face is None:
        return buffer.getvalue()
    return buffer.getvalue().replace(
        f"'{face}'", ', '.join(f"'{f}'" for f in faces))


def _live_figures():
    """Whether a figure in a notebook is redrawn on every add, for a reader
    who watches it grow; D2L_LIVE_FIGURES=0 (set by the book's build, which
    keeps only the figure as it ends) draws it when the cell has run."""
    return os.environ.get('D2L_LIVE_FIGURES', '1') != '0'


def _notebook_kernel():
    """Whether this runs in a Jupyter kernel (not a script, not a terminal)."""
    ipython = sys.modules.get('IPython')  # a kernel has imported it already
    shell = ipython.get_ipython() if ipython else None
    return getattr(shell, 'kernel', None) is not None


class DescribedSVG:
    """An SVG image for display with its alternative text: in the output's
    metadata, where front ends read an image's options (myst-nb its width
    and height; the book's merge, scripts/pipeline/merge.py, its alt), and as
    the output's text/plain, which front ends that show no image print."""

    def __init__(self, svg, alt):
        from IPython.display import SVG
        # The <svg> element alone, without its XML prolog, as IPython's SVG shows it.
        self.svg, self.alt = SVG(svg).data, alt

    def _repr_mimebundle_(self, include=None, exclude=None):
        return ({'image/svg+xml': self.svg, 'text/plain': self.alt},
                {'image/svg+xml': {'alt': self.alt}})


# The plot labels the textbook writes in English, by their message key.
_ENGLISH_LABELS = {MESSAGES['en'][key]: key
                   for key in ('epoch', 'train_loss', 'train_acc', 'test_acc')}


class Animator:
    """Plots data in animation: the figure is redrawn after each `add`.

    In a notebook the figure is one display that is updated in place, so
    lines printed before or after it stay, and the final figure remains in
    the saved notebook. It is a bare matplotlib Figure, never pyplot, so no
    interactive backend is involved and nothing opens a window when headless.
    Labels and legend entries may be functions of no arguments, called when
    the figure is drawn: a figure shown in several languages (see Localized)
    is then drawn in each. Where nobody watches the figure grow
    (D2L_LIVE_FIGURES=0, the book's build), it is drawn at the first add and
    then once more when the cell has run, as it ends up. The textbook's own
    English labels ('epoch',
    'train loss', 'train acc', 'test acc') are drawn in the reader's
    language like train_ch6's, so a chapter's code stays the textbook's.
    """

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None,
                 ylim=None, xscale='linear', yscale='linear',
                 fmts=('-', 'm--', 'g-.', 'r:'), nrows=1, ncols=1,
                 figsize=(3.5, 2.5), xticks=None):
        with matplotlib.rc_context(_plot_style(_cjk_faces()[1])):
            self.fig = Figure(figsize=figsize)
            self.axes = self.fig.subplots(nrows, ncols, squeeze=False).ravel()
        self._axis = dict(xlabel=xlabel, ylabel=ylabel, xlim=xlim, ylim=ylim,
                          xscale=xscale, yscale=yscale, xticks=xticks)
        self.legend, self.fmts = legend, fmts
        self.X, self.Y = None, None
        self._display, self._pending = None, False

    def add(self, x, y):
        """Adds one point per line; a None y leaves its line unchanged."""
        if not hasattr(y, '__len__'):
            y = [y]
        if not hasattr(x, '__len__'):
            x = [x] * len(y)
        if self.X is None:
            self.X, self.Y = [[] for _ in y], [[] for _ in y]
        for i, (a, b) in enumerate(zip(x, y)):
            if a is not None and b is not None:
                self.X[i].append(a)
                self.Y[i].append(b)
        if _notebook_kernel():
            self._show()

    @staticmethod
    def _text(value):
        """A label as drawn now: called if a function, the textbook's English
        labels in the language of the moment."""
        if callable(value):
            return value()
        key = _ENGLISH_LABELS.get(value) if isinstance(value, str) else None
        return message(key) if key else value

    def describe(self):
        """The plot in words, in the language of the moment: for the
        training curves (an epoch axis and the three lines of train_ch6) the
        epochs and the final loss and accuracies, else both axes (the
        x-range included) and each line's final value."""
        lines = [(xs, ys) for xs, ys in zip(self.X or (), self.Y or ()) if xs]
        if not lines:
            return message('plot_alt_empty')
        labels = [self._text(entry) for entry in self.legend or ()]
        labels += [message('line', n=i + 1) for i in range(len(labels), len(self.X))]
        finals = {label: ys[-1] for label, (xs, ys) in zip(labels, zip(self.X, self.Y)) if ys}
        x0 = min(xs[0] for xs, _ in lines)
        x1 = max(xs[-1] for xs, _ in lines)
        training = {key: finals.get(message(key)) for key in ('train_loss', 'train_acc', 'test_acc')}
        xlabel = self._text(self._axis['xlabel'])
        if xlabel == message('epoch') and None not in training.values():
            return message('train_alt', epochs=f'{x1:g}', loss=f"{training['train_loss']:.3f}",
                           train_acc=f"{training['train_acc']:.3f}",
                           test_acc=f"{training['test_acc']:.3f}")
        ylabel = self._text(self._axis['ylabel'])
        return message('plot_alt', xlabel=xlabel or 'x', ylabel=ylabel or 'y',
                       x0=f'{x0:g}', x1=f'{x1:g}',
                       finals=message('list_sep').join(
                           f'{label} {value:.3g}' for label, value in finals.items()))

    def _draw(self, style):
        text = self._text
        with matplotlib.rc_context(style):
            ax = self.axes[0]
            ax.cla()
            for xs, ys, fmt in zip(self.X or (), self.Y or (), self.fmts):
                ax.plot(xs, ys, fmt)
            ax.set(**{k: text(v) for k, v in self._axis.items()
                      if v is not None})
            if self.legend:
                ax.legend([text(entry) for entry in self.legend])
            ax.grid()

    def svg(self):
        """The figure as SVG text, in the language of the moment."""
        faces, face = _cjk_faces()
        self._draw(_plot_style(face))
        return figure_svg(self.fig, faces, face)

    def _repr_svg_(self):
        return self.svg()

    def image(self):
        """The figure for display, described in words: in each of the
        reader's languages."""
        return Localized(lambda: DescribedSVG(self.svg(), self.describe()))

    def _show(self):
        from IPython.display import display
        if self._display is None:
            self._display = display(self.image(), display_id=True)
        elif _live_figures():
            self._display.update(self.image())
        elif not self._pending:
            # Nobody watches (the book's build): draw the figure as it ends
            # up, once, when the cell has run, not on every add.
            import IPython
            events = IPython.get_ipython().events

            def flush(*args):
                events.unregister('post_run_cell', flush)
                self._pending = False
                self._display.update(self.image())
            events.register('post_run_cell', flush)
            self._pending = True


@dataclasses.dataclass
class TrainResult:
    """What train_ch6 measured; D2L_RESULTS_FILE gets it as a JSON line."""
    framework: str
    loss: float
    train_acc: float
    test_acc: float
    examples_per_sec: float
    device: str
    num_epochs: int
    seconds: float
    examples: int
    profile: str
    epoch_losses: list
    epoch_train_accs: list
    epoch_test_accs: list
    epoch_seconds: list  # the first includes one-off costs (autotuning)

    def _ipython_display_(self):
        """Shows nothing: as a cell's last value, the printed report and the
        figure already say it all."""


def _quick_notice(train_iter, test_iter, epochs, num_epochs):
    sizes = {}
    for key, it in (('train', train_iter), ('test', test_iter)):
        sizes[f'n_{key}'] = getattr(it, 'num_examples', None)
        sizes[f'N_{key}'] = getattr(it, 'full_size', None)
    if None in sizes.values():  # not our loader: only the epochs are known
        return message('quick_epochs', epochs=epochs, total_epochs=num_epochs)
    return message('quick', epochs=epochs, total_epochs=num_epochs, **sizes)


def fit(framework, device, train_iter, test_iter, num_epochs, step, evaluate,
        sync, notes=()):
    """Runs and reports the epochs of train_ch6, the same for each framework.

    step(X, y) trains on one minibatch and returns (loss sum, number
    correct, number of examples), possibly as device scalars; evaluate()
    returns the test accuracy; sync() waits until the device is idle; each
    note is a function returning a line to print in the language of the
    moment (see say).

    examples/sec = training examples / seconds of the training epochs, data
    loading included; evaluation and drawing are not timed, and the device is
    synchronised before every reading of the clock.
    """
    mode = profile()
    epochs = num_epochs if mode == 'full' else min(num_epochs, QUICK_EPOCHS)
    if mode == 'quick':
        say(lambda: _quick_notice(train_iter, test_iter, epochs, num_epochs))
    for note in notes:
        say(note)
    # xlim [1, 1] is singular (matplotlib warns): one epoch autoscales.
    animator = Animator(xlabel=lambda: message('epoch'),
                        xlim=[1, epochs] if epochs > 1 else None,
                        legend=[lambda key=key: message(key) for key in
                                ('train_loss', 'train_acc', 'test_acc')])
    timer, num_batches = Timer(), len(train_iter)
    every = max(num_batches // 5, 1)
    examples, epoch_seconds = 0, []
    epoch_losses, epoch_train_accs, epoch_test_accs = [], [], []
    for epoch in range(epochs):
        metric = Accumulator(3)
        timer.start()
        for i, (X, y) in enumerate(train_iter):
            metric.add(*step(X, y))
            if (i + 1) % every == 0 or i == num_batches - 1:
                sync()
                timer.stop()
                animator.add(epoch + (i + 1) / num_batches,
                             (metric[0] / metric[2], metric[1] / metric[2],
                              None))
                timer.start()
        sync()
        timer.stop()
        test_acc = evaluate()
        animator.add(epoch + 1, (None, None, test_acc))
        examples += int(metric[2])
        epoch_losses.append(metric[0] / metric[2])
        epoch_train_accs.append(metric[1] / metric[2])
        epoch_test_accs.append(test_acc)
        epoch_seconds.append(timer.sum() - sum(epoch_seconds))
    result = TrainResult(
        framework=framework, loss=epoch_losses[-1],
        train_acc=metric[1] / metric[2], test_acc=test_acc,
        examples_per_sec=examples / timer.sum(), device=str(device),
        num_epochs=epochs, seconds=timer.sum(), examples=examples,
        profile=mode, epoch_losses=epoch_losses,
        epoch_train_accs=epoch_train_accs, epoch_test_accs=epoch_test_accs,
        epoch_seconds=epoch_seconds)
    print(f'loss {result.loss:.3f}, train acc {result.train_acc:.3f}, '
          f'test acc {result.test_acc:.3f}')
    print(f'{result.examples_per_sec:.1f} examples/sec on {result.device}')
    path = os.environ.get('D2L_RESULTS_FILE')
    if path:
        with open(path, 'a', encoding='utf-8') as f:
            f.write(json.dumps(dataclasses.asdict(result),
                               ensure_ascii=False) + '\n')
    return result

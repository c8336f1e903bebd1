"""What d2l needs of the learner's machine, and what to do when it is not
there: each framework module calls `require` before importing its framework
and `check_version` after, so that a missing framework, one too old, or
numpy 2 under MXNet fails at ``from d2l import ... as d2l`` with the problem
and the command that fixes it, instead of deep inside the framework.
`gpu_notice` tells a notebook's reader on a machine without a GPU how long
its training takes on the CPU and how to change that.

This module imports no framework at import time.
"""

import dataclasses
import importlib.metadata
import importlib.util
import math
import platform
import re
import sys

from d2l import _core


@dataclasses.dataclass(frozen=True)
class Framework:
    """One framework as d2l knows it: its module, the distribution the book
    tested (also pinned by the package's extra of the same name), and the
    oldest release whose API d2l uses."""
    label: str
    module: str
    distribution: str
    tested: str
    minimum: tuple
    extra: str


FRAMEWORKS = {
    'mxnet': Framework('MXNet', 'mxnet', 'mxnet', '1.9.1', (1, 9), 'mxnet'),
    # torch.amp.GradScaler(device) came with PyTorch 2.3, autocast on mps
    # with 2.5.
    'torch': Framework('PyTorch', 'torch', 'torch', '2.13.0', (2, 5),
                       'pytorch'),
    # Keras 3 (layer.kernel.assign, optimizer.build) came with TensorFlow 2.16.
    'tensorflow': Framework('TensorFlow', 'tensorflow', 'tensorflow',
                            '2.21.0', (2, 16), 'tensorflow'),
}

# How to restart a kernel, in Jupyter and on Colab.
RESTART = {
    'en': 'then restart the kernel (Colab: Runtime > Restart session)',
    'ko': '그다음 커널을 다시 시작하세요(Colab: 런타임 > 세션 다시 시작)',
    'zh': '然后重启内核（Colab：代码执行程序 > 重启会话）',
}

MESSAGES = {
    'en': {
        'missing': ('d2l.{module} needs {label}, which this Python ({python}) '
                    'does not have.\nFix: pip install {pins}   (in a notebook: '
                    '%pip install {pins}, {restart})'),
        'no_build': ('{label} {tested}, its last release, has no build for '
                     '{platform}. Use the PyTorch or TensorFlow code of the '
                     'book here, or run the MXNet notebooks on Colab, on '
                     'Linux or in WSL.'),
        'numpy2': ('MXNet 1.9.1, the last release of MXNet, works only with '
                   'numpy 1.x, but numpy {version} is installed.\nFix: pip '
                   'install "numpy<2"   (in a notebook: %pip install '
                   '"numpy<2", {restart})'),
        'numpy2_loaded': ('MXNet 1.9.1, the last release of MXNet, works only '
                          'with numpy 1.x. numpy {installed} is installed, '
                          'but numpy {version} was imported before it was.'
                          '\nFix: restart the kernel (Colab: Runtime > '
                          'Restart session) and run the cells again.'),
        'old': ('d2l.{module} needs {label} {minimum} or newer, but {version} '
                'is installed.\nFix: pip install "{distribution}=={tested}"   '
                '(in a notebook: %pip install "{distribution}=={tested}", '
                '{restart})'),
        'mps_precision': '{device}: {precision} autocast, data kept on the '
                         'device',
        'apple_silicon': 'macOS on Apple silicon',
        'no_gpu': ('No GPU is attached: the training in this notebook takes '
                   '{time} on this CPU.\nFix: Runtime > Change runtime type > '
                   'T4 GPU, then run the notebook again from the top (or '
                   "first run os.environ['D2L_PROFILE'] = 'quick' to try it "
                   'on a small subset in a minute or two).'),
        'cpu_only': ('MXNet trains on the CPU here: the training in this '
                     'notebook takes {time}. To try it on a small subset in a '
                     "minute or two, first run os.environ['D2L_PROFILE'] = "
                     "'quick'."),
        'cpu_enough': ('No GPU is attached, but the training in this notebook '
                       'takes only {time} on this CPU.'),
        'minutes': 'about {n} minutes',
        'hours': 'about {n} hours',
    },
    'ko': {
        'missing': ('d2l.{module} 모듈에는 {label} 패키지가 필요한데, 이 '
                    '파이썬({python})에는 설치되어 있지 않습니다.\n해결 방법: pip install {pins}   '
                    '(노트북에서는 %pip install {pins}, {restart})'),
        'no_build': ('{label}의 마지막 릴리스인 {tested}에는 {platform}용 빌드가 '
                     '없습니다. 이 컴퓨터에서는 책의 PyTorch나 TensorFlow 코드를 '
                     '쓰고, MXNet 노트북은 Colab이나 리눅스, WSL에서 실행하세요.'),
        'numpy2': ('MXNet의 마지막 릴리스인 1.9.1은 numpy 1.x에서만 동작하는데, '
                   '설치된 numpy는 {version}입니다.\n해결 방법: pip install '
                   '"numpy<2"   (노트북에서는 %pip install "numpy<2", '
                   '{restart})'),
        'numpy2_loaded': ('MXNet의 마지막 릴리스인 1.9.1은 numpy 1.x에서만 '
                          '동작합니다. numpy {installed}이(가) 설치되어 있지만, '
                          '그 전에 불러온 numpy {version}이(가) 아직 메모리에 '
                          '있습니다.\n해결 방법: 커널을 다시 시작한 뒤(Colab: '
                          '런타임 > 세션 다시 시작) 셀을 다시 실행하세요.'),
        'old': ('d2l.{module}에는 {label} {minimum} 이상이 필요한데, {version}이(가) '
                '설치되어 있습니다.\n해결 방법: pip install '
                '"{distribution}=={tested}"   (노트북에서는 %pip install '
                '"{distribution}=={tested}", {restart})'),
        'mps_precision': ('{device}: {precision} 자동 혼합 정밀도(autocast), '
                          '데이터는 장치 메모리에 상주'),
        'apple_silicon': 'Apple 실리콘 macOS',
        'no_gpu': ('GPU가 연결되어 있지 않습니다. 이 노트북의 훈련은 이 CPU에서 '
                   '{time} 걸립니다.\n해결 방법: 런타임 > 런타임 유형 변경에서 '
                   'T4 GPU를 고른 뒤 노트북을 처음부터 다시 실행하세요. 데이터 '
                   '일부만으로 1~2분 안에 빠르게 돌려 보려면 먼저 '
                   "os.environ['D2L_PROFILE'] = 'quick'을 실행하세요."),
        'cpu_only': ('이 환경에서 MXNet은 CPU로만 훈련하므로, 이 노트북의 훈련에는 '
                     '{time}이 걸립니다. 데이터 일부만으로 1~2분 안에 빠르게 돌려 '
                     "보려면 먼저 os.environ['D2L_PROFILE'] = 'quick'을 "
                     '실행하세요.'),
        'cpu_enough': ('GPU가 연결되어 있지 않지만, 이 노트북의 훈련은 이 CPU에서도 '
                       '{time}이면 끝납니다.'),
        'minutes': '약 {n}분',
        'hours': '약 {n}시간',
    },
    'zh': {
        'missing': ('d2l.{module} 需要 {label}，但当前的 Python（{python}）中没有'
                    '安装。\n解决方法：pip install {pins}   （在笔记本中：'
                    '%pip install {pins}，{restart}）'),
        'no_build': ('{label} 的最后一个版本 {tested} 没有适用于 {platform} 的'
                     '安装包。在这台电脑上请使用本书的 PyTorch 或 TensorFlow '
                     '代码，MXNet 笔记本请在 Colab、Linux 或 WSL 中运行。'),
        'numpy2': ('MXNet 的最后一个版本 1.9.1 只能搭配 numpy 1.x，但安装的 '
                   'numpy 是 {version}。\n解决方法：pip install "numpy<2"   '
                   '（在笔记本中：%pip install "numpy<2"，{restart}）'),
        'numpy2_loaded': ('MXNet 的最后一个版本 1.9.1 只能搭配 numpy 1.x。已经'
                          '安装了 numpy {installed}，但之前导入的 numpy '
                          '{version} 仍在内存中。\n解决方法：重启内核（Colab：'
                          '代码执行程序 > 重启会话）后重新运行各单元格。'),
        'old': ('d2l.{module} 需要 {label} {minimum} 或更高版本，但安装的是 '
                '{version}。\n解决方法：pip install "{distribution}=={tested}"'
                '   （在笔记本中：%pip install "{distribution}=={tested}"，'
                '{restart}）'),
        'mps_precision': '{device}：{precision} 自动混合精度（autocast），'
                         '数据常驻设备内存',
        'apple_silicon': 'Apple 芯片的 macOS',
        'no_gpu': ('没有连接 GPU：本笔记本的训练在这个 CPU 上需要{time}。\n'
                   '解决方法：依次选择“代码执行程序 > 更改运行时类型”，将硬件加速器'
                   '设为 T4 GPU，然后从头重新运行笔记本。如果只想用一小部分数据在'
                   "一两分钟内试一试，请先运行 os.environ['D2L_PROFILE'] = "
                   "'quick'。"),
        'cpu_only': ('在这个环境中，MXNet 只能用 CPU 训练，本笔记本的训练需要{time}。如果只'
                     '想用一小部分数据在一两分钟内试一试，请先运行 '
                     "os.environ['D2L_PROFILE'] = 'quick'。"),
        'cpu_enough': '没有连接 GPU，不过本笔记本的训练在这个 CPU 上也只需{time}。',
        'minutes': '约 {n} 分钟',
        'hours': '约 {n} 小时',
    },
}

# Where MXNet 1.9.1 has a wheel on PyPI: Linux (x86_64, aarch64) and
# Intel Macs; not Windows, not Apple silicon.
MXNET_PLATFORMS = {('linux', 'x86_64'), ('linux', 'aarch64'),
                   ('darwin', 'x86_64')}


def message(key, **fields):
    """A message of this module in the reader's language (D2L_LANG)."""
    lang = _core.language()
    return MESSAGES[lang][key].format(restart=RESTART[lang], **fields)


def release(version):
    """The leading numbers of a version string: '2.13.0+cpu' -> (2, 13, 0)."""
    return tuple(int(n) for n in re.findall(r'\d+', version.split('+')[0])[:3])


def _pins(fw):
    """The pip arguments that install what the book tested for `fw`."""
    pins = [f'"{fw.distribution}=={fw.tested}"']
    if fw.module == 'mxnet':
        pins.append('"numpy<2"')
    return ' '.join(pins)


def _platform():
    """(sys.platform, machine) with the machine names PyPI's wheels use."""
    machine = platform.machine().lower()
    return sys.platform, {'amd64': 'x86_64', 'arm64': 'aarch64'}.get(
        machine, machine)


def _platform_label(where):
    """A platform as the messages name it: 'Windows (x86_64)'; Apple
    silicon in the reader's language."""
    if where == ('darwin', 'aarch64'):
        return message('apple_silicon')
    system, machine = where
    return f'{"Windows" if system == "win32" else system} ({machine})'


def _installed(distribution):
    """The installed version of `distribution`, or None."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def require(module):
    """Raises ImportError naming the fix when `module` ('mxnet', 'torch',
    'tensorflow') cannot be imported here, or (MXNet) numpy is 2.x."""
    fw = FRAMEWORKS[module]
    if importlib.util.find_spec(module) is None:
        where = _platform()
        if module == 'mxnet' and where not in MXNET_PLATFORMS:
            raise ImportError(message('no_build', label=fw.label,
                                      tested=fw.tested,
                                      platform=_platform_label(where)),
                              name=module)
        # For MXNet, the pins include numpy<2: one command fixes both.
        raise ImportError(message(
            'missing', module=module, label=fw.label, pins=_pins(fw),
            python='.'.join(map(str, sys.version_info[:3]))), name=module)
    if module == 'mxnet':
        _require_numpy1()


def _require_numpy1():
    """MXNet 1.9 fails deep inside its own import under numpy 2: say so
    first. A kernel that imported numpy 2 keeps it after pip installs 1.x,
    which only a restart cures."""
    import numpy

    if release(numpy.__version__)[0] < 2:
        return
    installed = _installed('numpy')
    if installed and release(installed)[0] < 2:
        raise ImportError(message('numpy2_loaded', version=numpy.__version__,
                                  installed=installed), name='numpy')
    raise ImportError(message('numpy2', version=numpy.__version__),
                      name='numpy')


def check_version(module, version):
    """Raises ImportError naming the fix when the imported framework is
    older than d2l supports."""
    fw = FRAMEWORKS[module]
    if release(version)[:2] < fw.minimum:
        raise ImportError(message(
            'old', module=module, label=fw.label, version=version,
            minimum='.'.join(map(str, fw.minimum)),
            distribution=fw.distribution, tested=fw.tested), name=module)


# Trainings this short need no advice on how to avoid them.
SHORT_MINUTES = 10


def _duration(minutes):
    """'about 7 hours', 'about 2 minutes', rounded half up."""
    if minutes < 90:
        return message('minutes', n=max(1, math.floor(minutes + 0.5)))
    return message('hours', n=math.floor(minutes / 60 + 0.5))


def _gpu_attached(module):
    """Whether `module`'s framework sees a GPU (CUDA, or Apple's); MXNet's
    GPU build is never what a notebook installs."""
    if module == 'torch':
        import torch
        return torch.cuda.is_available() or torch.backends.mps.is_available()
    if module == 'tensorflow':
        import tensorflow as tf
        return bool(tf.config.list_physical_devices('GPU'))
    return False


def gpu_notice(module, cpu_minutes):
    """Prints, where `module`'s framework sees no GPU, how long the
    notebook's training takes on the CPU (`cpu_minutes`, measured on a
    2-core machine like Colab's) and how to change that; nothing where it
    sees one."""
    if _gpu_attached(module):
        return
    time = _duration(cpu_minutes)
    if cpu_minutes <= SHORT_MINUTES:
        print(message('cpu_enough', time=time))
    else:
        print(message('cpu_only' if module == 'mxnet' else 'no_gpu', time=time))

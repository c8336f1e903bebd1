"""d2l.environment: what `from d2l import <framework>` says when the
framework is missing, too old, or (MXNet) meets numpy 2, and the notice a
notebook gives on a machine without a GPU."""

import importlib
import re
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

from d2l import environment

ROOT = Path(__file__).resolve().parents[2]


def import_fresh(monkeypatch, module):
    """Imports d2l.<module> anew (its import-time checks run again); the
    module loaded before is put back after the test."""
    monkeypatch.delitem(sys.modules, f'd2l.{module}', raising=False)
    return importlib.import_module(f'd2l.{module}')


def test_mxnet_under_numpy_2_names_the_version_and_the_pip_command(
        monkeypatch):
    monkeypatch.setattr(numpy, '__version__', '2.3.5')
    monkeypatch.setattr(environment, '_installed', lambda name: '2.3.5')
    with pytest.raises(ImportError) as raised:
        import_fresh(monkeypatch, 'mxnet')
    assert str(raised.value) == (
        'MXNet 1.9.1, the last release of MXNet, works only with numpy 1.x, '
        'but numpy 2.3.5 is installed.\n'
        'Fix: pip install "numpy<2"   (in a notebook: %pip install "numpy<2", '
        'then restart the kernel (Colab: Runtime > Restart session))')
    print(raised.value)


def test_numpy_1_installed_but_2_still_loaded_asks_for_a_restart(
        monkeypatch):
    """Colab: pip replaced numpy, but the kernel holds the numpy 2 it
    imported first."""
    monkeypatch.setattr(numpy, '__version__', '2.0.2')
    monkeypatch.setattr(environment, '_installed', lambda name: '1.26.4')
    with pytest.raises(ImportError) as raised:
        import_fresh(monkeypatch, 'mxnet')
    message = str(raised.value)
    assert 'numpy 1.26.4 is installed' in message
    assert 'numpy 2.0.2 was imported' in message
    assert 'restart the kernel' in message


def test_the_message_is_in_the_readers_language(monkeypatch):
    monkeypatch.setenv('D2L_LANG', 'ko')
    monkeypatch.setattr(numpy, '__version__', '2.3.5')
    monkeypatch.setattr(environment, '_installed', lambda name: '2.3.5')
    with pytest.raises(ImportError, match=r'설치된 numpy는 2\.3\.5입니다'):
        environment.require('mxnet')
    monkeypatch.setenv('D2L_LANG', 'zh')
    with pytest.raises(ImportError, match=r'安装的 numpy 是 2\.3\.5'):
        environment.require('mxnet')


@pytest.mark.parametrize('module, pins', [
    ('torch', 'pip install "torch==2.13.0"'),
    ('tensorflow', 'pip install "tensorflow==2.21.0"'),
    ('mxnet', 'pip install "mxnet==1.9.1" "numpy<2"'),
])
def test_a_missing_framework_names_the_pip_command(monkeypatch, module, pins):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, 'find_spec',
                        lambda name, *a: None if name == module
                        else real(name, *a))
    with pytest.raises(ImportError) as raised:
        import_fresh(monkeypatch, module)
    assert raised.value.name == module
    assert pins in str(raised.value)
    assert f'd2l.{module} needs ' in str(raised.value)


def test_missing_mxnet_under_numpy_2_gets_one_command_for_both(monkeypatch):
    monkeypatch.setattr(numpy, '__version__', '2.3.5')
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, 'find_spec',
                        lambda name, *a: None if name == 'mxnet'
                        else real(name, *a))
    with pytest.raises(ImportError,
                       match=re.escape('pip install "mxnet==1.9.1" "numpy<2"')):
        environment.require('mxnet')


def test_a_missing_framework_in_a_real_environment():
    """The MXNet environment has no PyTorch: importing d2l.torch there."""
    python = ROOT / '.venvs' / 'mxnet' / 'bin' / 'python'
    run = subprocess.run([str(python), '-c', 'from d2l import torch'],
                         capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-2:]
    assert last[0].startswith('ImportError: d2l.torch needs PyTorch, which '
                              'this Python (3.11.')
    assert last[1] == ('Fix: pip install "torch==2.13.0"   (in a notebook: '
                       '%pip install "torch==2.13.0", then restart the kernel '
                       '(Colab: Runtime > Restart session))')


@pytest.mark.parametrize('where, label', [
    (('win32', 'x86_64'), 'Windows (x86_64)'),
    (('darwin', 'aarch64'), 'macOS on Apple silicon'),
])
def test_mxnet_says_where_it_has_no_build(monkeypatch, where, label):
    monkeypatch.setattr(environment, '_platform', lambda: where)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, 'find_spec',
                        lambda name, *a: None if name == 'mxnet'
                        else real(name, *a))
    with pytest.raises(ImportError, match=re.escape(f'no build for {label}.')):
        environment.require('mxnet')


@pytest.mark.parametrize('lang, label', [('ko', 'Apple 실리콘 macOS'), ('zh', 'Apple 芯片的 macOS')])
def test_the_platform_is_named_in_the_reader_s_language(monkeypatch, lang, label):
    monkeypatch.setenv('D2L_LANG', lang)
    assert environment._platform_label(('darwin', 'aarch64')) == label
    assert environment._platform_label(('win32', 'x86_64')) == 'Windows (x86_64)'


def test_a_framework_too_old_names_the_tested_version():
    with pytest.raises(ImportError) as raised:
        environment.check_version('torch', '2.1.2+cpu')
    assert str(raised.value).startswith(
        'd2l.torch needs PyTorch 2.5 or newer, but 2.1.2+cpu is installed.\n'
        'Fix: pip install "torch==2.13.0"')
    environment.check_version('torch', '2.13.0+cpu')
    environment.check_version('tensorflow', '2.21.0')
    environment.check_version('mxnet', '1.9.1')


@pytest.mark.parametrize('module, attached, minutes, expected', [
    ('torch', False, 443.5, 'No GPU is attached: the training in this '
                            'notebook takes about 7 hours on this CPU.'),
    ('tensorflow', False, 15, 'No GPU is attached: the training in this '
                              'notebook takes about 15 minutes on this CPU.'),
    ('torch', True, 443.5, None),
    ('mxnet', False, 894, 'MXNet trains on the CPU here: the training in '
                          'this notebook takes about 15 hours.'),
    ('torch', False, 150, 'No GPU is attached: the training in this '
                          'notebook takes about 3 hours on this CPU.'),
    ('mxnet', False, 1.7, 'No GPU is attached, but the training in this '
                          'notebook takes only about 2 minutes on this CPU.'),
])
def test_gpu_notice(monkeypatch, capsys, module, attached, minutes, expected):
    monkeypatch.setattr(environment, '_gpu_attached', lambda name: attached)
    environment.gpu_notice(module, minutes)
    out = capsys.readouterr().out
    if expected is None:
        assert out == ''
    else:
        assert out.startswith(expected)
    if expected and module != 'mxnet' and minutes > environment.SHORT_MINUTES:
        assert 'Runtime > Change runtime type > T4 GPU' in out
        assert "os.environ['D2L_PROFILE'] = 'quick'" in out

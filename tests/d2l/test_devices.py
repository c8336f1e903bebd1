"""Device choice with the backends faked: PyTorch takes CUDA, then an Apple
GPU (mps), then the CPU, and trains on mps in fp16 without channels_last;
TensorFlow names an Apple GPU (tensorflow-metal) in its report. No Apple
machine has run these paths."""

import pytest
import tensorflow as tf
import torch

from d2l import tensorflow as d2l_tf
from d2l import torch as d2l_torch


def fake_torch(monkeypatch, cuda=0, mps=False):
    """Makes PyTorch see `cuda` CUDA GPUs and, if `mps`, an Apple GPU."""
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: cuda > 0)
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, 'is_available', lambda: mps)


@pytest.mark.parametrize('cuda, mps, first, second, everything', [
    (0, True, 'mps', 'cpu', ['mps']),
    (2, True, 'cuda:0', 'cuda:1', ['cuda:0', 'cuda:1']),   # CUDA first
    (1, False, 'cuda:0', 'cpu', ['cuda:0']),
    (0, False, 'cpu', 'cpu', ['cpu']),
])
def test_torch_picks_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, first,
                                            second, everything):
    fake_torch(monkeypatch, cuda, mps)
    assert d2l_torch.try_gpu() == torch.device(first)
    assert d2l_torch.try_gpu(1) == torch.device(second)
    assert d2l_torch.try_all_gpus() == [torch.device(d) for d in everything]


def test_torch_trains_in_fp16_on_mps_and_says_so(monkeypatch):
    fake_torch(monkeypatch, 0, True)
    mps = d2l_torch.try_gpu()
    dtype = d2l_torch._autocast_dtype(mps)
    assert dtype == torch.float16
    # Loss scaling comes with fp16 (train_ch6 enables GradScaler for it).
    assert not d2l_torch._channels_last(mps, dtype)
    assert d2l_torch._precision_note(mps, 'fp16')() == (
        'mps: fp16 autocast, data kept on the device')
    # The CUDA path keeps its layout and its line.
    cuda = torch.device('cuda:0')
    assert d2l_torch._channels_last(cuda, torch.bfloat16)
    assert d2l_torch._precision_note(cuda, 'bf16')() == (
        'cuda: bf16 autocast, channels_last, data kept on the device')
    assert not d2l_torch._channels_last(torch.device('cpu'), None)


def test_the_mps_line_in_each_language(monkeypatch):
    mps = torch.device('mps')
    monkeypatch.setenv('D2L_LANG', 'ko')
    assert d2l_torch._precision_note(mps, 'fp16')() == (
        'mps: fp16 자동 혼합 정밀도(autocast), 데이터는 장치 메모리에 상주')
    monkeypatch.setenv('D2L_LANG', 'zh')
    assert d2l_torch._precision_note(mps, 'fp16')() == (
        'mps：fp16 自动混合精度（autocast），数据常驻设备内存')


def test_torch_waits_for_the_device_it_trains_on(monkeypatch):
    calls = []
    monkeypatch.setattr(torch.mps, 'synchronize', lambda: calls.append('mps'))
    monkeypatch.setattr(torch.cuda, 'synchronize',
                        lambda device=None: calls.append(str(device)))
    for name in ('mps', 'cuda:1', 'cpu'):
        d2l_torch._synchronize(torch.device(name))
    assert calls == ['mps', 'cuda:1']


def fake_tf(monkeypatch, platform, details):
    """Makes TensorFlow list one GPU whose details are `details`, on
    `platform` (sys.platform), on a Mac whose chip is an Apple M2 Pro."""
    gpu = tf.config.PhysicalDevice(name='/physical_device:GPU:0',
                                   device_type='GPU')
    monkeypatch.setattr(tf.config, 'list_physical_devices',
                        lambda kind=None: [gpu] if kind == 'GPU' else [])
    monkeypatch.setattr(tf.config.experimental, 'get_device_details',
                        lambda device: details)
    monkeypatch.setattr(d2l_tf.sys, 'platform', platform)
    monkeypatch.setattr(d2l_tf, '_mac_chip', lambda: 'Apple M2 Pro')


@pytest.mark.parametrize('platform, details, expected', [
    ('darwin', {}, 'Apple M2 Pro'),                  # tensorflow-metal
    ('darwin', {'device_name': 'METAL'}, 'Apple M2 Pro'),
    ('linux', {'device_name': 'Apple M1 Max'}, 'Apple M1 Max'),
    ('linux', {'device_name': 'NVIDIA A100-SXM4-40GB',
               'compute_capability': (8, 0)}, None),
])
def test_tensorflow_names_an_apple_gpu(monkeypatch, platform, details,
                                       expected):
    fake_tf(monkeypatch, platform, details)
    assert d2l_tf.metal_gpu() == expected
    assert d2l_tf.metal_gpu(1) is None
    label = d2l_tf._device_label('/GPU:0')
    assert label == (f'/GPU:0 ({expected}, Metal)' if expected else '/GPU:0')
    assert d2l_tf._device_label('/CPU:0') == '/CPU:0'

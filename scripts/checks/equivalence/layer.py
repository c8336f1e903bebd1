"""The common description of a leaf layer (`Layer`), the same in every
framework, and the errors a comparison raises."""
from __future__ import annotations

import math
from dataclasses import dataclass


class EquivalenceError(AssertionError):
    """The frameworks disagree; the message names the chapter, the framework and the layer."""


class _Failure(Exception):
    """A layer of one framework's net cannot run on what comes before it."""


@dataclass(frozen=True)
class Layer:
    """One leaf layer, described the same way in every framework."""
    kind: str                    # conv, maxpool, avgpool, global avgpool, zeropad, flatten,
                                 # dense, dropout, activation, batchnorm, concat, add, or the class name
                                 # of a layer (or block) the check does not know
    shape: tuple[int, ...]       # output shape of one example, channels first
    params: int
    kernel: tuple[int, ...] | None = None
    stride: tuple[int, ...] | None = None
    padding: tuple[tuple[int, int], ...] | None = None   # (before, after) per dimension
    width: int | None = None     # output channels or features; a concat's or add's number of paths
    activation: str | None = None
    rate: float | None = None
    epsilon: float | None = None   # batchnorm: added to the variance
    momentum: float | None = None  # batchnorm: the weight of the old running value
                                   # (MXNet's and Keras' momentum, 1 - PyTorch's)

    @property
    def macs(self) -> int:
        """Multiply-adds for one example as the chapters count them: k²·C_in
        per output value of a conv layer, inputs × outputs of a dense one,
        nothing elsewhere (biases, activations, pooling, normalization)."""
        if self.kind == "conv":    # params = C_out · (k²·C_in + 1): every conv has a bias
            return math.prod(self.shape) * (self.params // self.width - 1)
        if self.kind == "dense":
            return self.params - self.width
        return 0

    def describe(self) -> str:
        """E.g. `conv 3x3, stride 1, pad 1 + relu`; the width is in the shape."""
        parts = [self.kind]
        if self.kernel:
            parts[0] += " " + "x".join(map(str, self.kernel))
        if self.kind == "dense":
            parts[0] += f" {self.width}"
        if self.kind in ("concat", "add"):
            parts[0] += f" of {self.width} paths"
        if self.kind == "batchnorm":
            parts += [f"eps {self.epsilon:g}", f"momentum {self.momentum:g}"]
        if self.rate is not None:
            parts[0] += f" {self.rate:g}"
        if self.stride:
            parts.append(f"stride {_compact(self.stride)}")
        if self.padding and (self.kind == "conv" or any(map(any, self.padding))):
            pads = {p for pair in self.padding for p in pair}
            parts.append(f"pad {pads.pop()}" if len(pads) == 1 else f"pad {self.padding}")
        return ", ".join(parts) + (f" + {self.activation}" if self.activation else "")


def _compact(values) -> str:
    return str(values[0]) if len(set(values)) == 1 else "x".join(map(str, values))


def _pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def _padding(padding, spatial, kernel, stride) -> tuple[tuple[int, int], ...]:
    """Explicit (before, after) pads from a number, a tuple or 'same'/'valid'."""
    if padding == "valid":
        return ((0, 0),) * len(kernel)
    if padding == "same":
        pads = []
        for n, k, s in zip(spatial, kernel, stride):
            total = max((-(-n // s) - 1) * s + k - n, 0)
            pads.append((total // 2, total - total // 2))
        return tuple(pads)
    return tuple((p, p) for p in _pair(padding))

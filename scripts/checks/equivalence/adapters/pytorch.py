"""The PyTorch adapter: how the checks build, walk, describe, load and train
PyTorch nets (torch.nn)."""
from __future__ import annotations

import dataclasses

from scripts.checks.equivalence.adapters.base import Framework, Join, _framework_class
from scripts.checks.equivalence.layer import Layer, _padding, _pair


class PyTorch(Framework):
    name, rate_attr = "pytorch", "p"
    unbiased_running_var = True

    def __init__(self, namespace, network="vgg"):
        super().__init__(namespace, network)
        import torch

        self.torch, self.nn, self.cpu = torch, torch.nn, torch.device("cpu")
        self.activations = {self.nn.ReLU: "relu", self.nn.Tanh: "tanh", self.nn.Sigmoid: "sigmoid"}
        F = torch.nn.functional
        # Activations a forward may call as functions (Inception's F.relu).
        self.functions = {F.relu: "relu", torch.relu: "relu", torch.Tensor.relu: "relu",
                          F.tanh: "tanh", torch.tanh: "tanh", torch.Tensor.tanh: "tanh",
                          F.sigmoid: "sigmoid", torch.sigmoid: "sigmoid", torch.Tensor.sigmoid: "sigmoid",
                          # and how it joins paths: ResNet's Y + X, DenseNet's torch.cat
                          torch.Tensor.add: Join("add"), torch.Tensor.__add__: Join("add"),
                          torch.add: Join("add"), torch.cat: Join("concat"), torch.concat: Join("concat")}

    def build(self):
        return super().build().eval()

    def leaves(self, module):
        if isinstance(module, self.nn.Sequential):
            for child in module:
                yield from self.leaves(child)
        else:
            yield module

    def sublayers(self, module):
        containers = (self.nn.Sequential, self.nn.ModuleList, self.nn.ModuleDict)
        if _framework_class(module, "torch") and not isinstance(module, containers):
            return []
        return list(module.children())   # in creation order

    def trace(self, block, x):
        """Module hooks give the leaves as they run; a TorchFunctionMode gives
        the activation functions called between them (not those inside a leaf)."""
        from torch.overrides import TorchFunctionMode

        events, depth, functions = [], [0], self.functions
        enter, leave = self.leaf_hooks(events, depth)

        class Activations(TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):
                out = func(*args, **(kwargs or {}))
                if depth[0] == 0 and func in functions:
                    events.append(Framework.event(functions[func], args, out))
                return out

        leaves = [m for m in block.modules() if not self.sublayers(m)]
        handles = [h for m in leaves for h in (m.register_forward_pre_hook(enter),
                                                m.register_forward_hook(leave))]
        try:
            with self.torch.no_grad(), Activations():
                y = block(x)
        finally:
            for handle in handles:
                handle.remove()
        return events, y

    def zeros(self):
        return self.torch.zeros((1, *self.network.image))

    def call(self, leaf, x):
        with self.torch.no_grad():
            return leaf(x)

    def shape(self, x):
        return tuple(x.shape[1:])

    def describe(self, leaf, x_in, out):
        nn = self.nn
        params = sum(p.numel() for p in leaf.parameters())
        if isinstance(leaf, nn.modules.batchnorm._BatchNorm):
            # PyTorch's momentum is the weight of the new value; None: a cumulative average.
            momentum = None if leaf.momentum is None else round(1 - leaf.momentum, 12)
            return [Layer("batchnorm", out, params, width=out[0], epsilon=leaf.eps, momentum=momentum)]
        if isinstance(leaf, nn.Conv2d):
            return [Layer("conv", out, params, leaf.kernel_size, leaf.stride,
                          _padding(leaf.padding, x_in[1:], leaf.kernel_size, leaf.stride), leaf.out_channels)]
        if isinstance(leaf, (nn.MaxPool2d, nn.AvgPool2d)):
            kernel = _pair(leaf.kernel_size)
            stride = _pair(leaf.stride or leaf.kernel_size)
            kind = "maxpool" if isinstance(leaf, nn.MaxPool2d) else "avgpool"
            return [Layer(kind, out, params, kernel, stride, _padding(leaf.padding, x_in[1:], kernel, stride))]
        if isinstance(leaf, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
            kind = "avgpool" if isinstance(leaf, nn.AdaptiveAvgPool2d) else "maxpool"
            if _pair(leaf.output_size) == (1, 1):     # the mean (or max) of each whole channel
                return [Layer(f"global {kind}", out, params)]
            return [Layer(f"adaptive {kind}", out, params)]
        if isinstance(leaf, nn.ZeroPad2d):
            left, right, top, bottom = leaf.padding
            return [Layer("zeropad", out, params, padding=((top, bottom), (left, right)))]
        if isinstance(leaf, nn.Flatten):
            return [Layer("flatten", out, params)]
        if isinstance(leaf, nn.Linear):    # LazyLinear becomes a Linear once it has run
            return [Layer("dense", out, params, width=leaf.out_features)]
        if isinstance(leaf, nn.Dropout):
            return [Layer("dropout", out, params, rate=leaf.p)]
        if type(leaf) in self.activations:
            return [Layer("activation", out, params, activation=self.activations[type(leaf)])]
        return [Layer(type(leaf).__name__, out, params)]

    def _arrays(self, leaf):
        if isinstance(leaf, self.nn.modules.batchnorm._BatchNorm):
            return leaf.weight, leaf.bias, leaf.running_mean, leaf.running_var
        return leaf.weight, leaf.bias

    def set_param(self, leaf, param):
        with self.torch.no_grad():
            for p, value in zip(self._arrays(leaf), (param.weight, param.bias, param.mean, param.var)):
                p.copy_(self.torch.from_numpy(value))

    def get_param(self, leaf, like):
        values = [p.detach().numpy().copy() for p in self._arrays(leaf)]
        return dataclasses.replace(like, **dict(zip(("weight", "bias", "mean", "var"), values)))

    def images(self, X):
        return X.numpy()

    def logits(self, net, X):
        net.eval()
        with self.torch.no_grad():
            return net(X).numpy()

"""The MXNet adapter: how the checks build, walk, describe, load and train
MXNet nets (Gluon)."""
from __future__ import annotations

import dataclasses
import math

from scripts.checks.equivalence.adapters.base import Framework, Join, _framework_class
from scripts.checks.equivalence.layer import Layer, _padding


class MXNet(Framework):
    name, rate_attr = "mxnet", "_rate"

    def __init__(self, namespace, network="vgg"):
        super().__init__(namespace, network)
        import mxnet as mx

        self.mx, self.nn, self.cpu = mx, mx.gluon.nn, mx.cpu()

    def build(self):
        net = super().build()
        net.initialize(ctx=self.cpu)
        return net

    def leaves(self, block):
        if isinstance(block, (self.nn.Sequential, self.nn.HybridSequential)):
            for child in block:
                yield from self.leaves(child)
        else:
            yield block

    def sublayers(self, block):
        # Registered in creation order; MXNet 2 keeps weak references. A
        # Gluon layer is a leaf even where it has children (Conv2D's `act`);
        # a Sequential inside a block is a container.
        if _framework_class(block, "mxnet") and not isinstance(
                block, (self.nn.Sequential, self.nn.HybridSequential)):
            return []
        return [c() if not isinstance(c, self.mx.gluon.Block) else c for c in block._children.values()]

    def _leaf_blocks(self, block):
        children = self.sublayers(block)
        return [b for c in children for b in self._leaf_blocks(c)] if children else [block]

    def trace(self, block, x):
        events, depth, mx = [], [0], self.mx
        enter, leave = self.leaf_hooks(events, depth)
        handles = [h for leaf in self._leaf_blocks(block)
                   for h in (leaf.register_forward_pre_hook(enter), leaf.register_forward_hook(leave))]
        functions = {(mx.np.ndarray, "__add__"): Join("add"), (mx.np, "add"): Join("add"),
                     (mx.np, "concatenate"): Join("concat"), (mx.np, "concat"): Join("concat"),
                     (mx.npx, "relu"): "relu", (mx.npx, "sigmoid"): "sigmoid", (mx.np, "tanh"): "tanh"}
        try:
            with self.recording(events, depth, functions):
                y = block(x)
        finally:
            for handle in handles:
                handle.detach()
        return events, y

    def zeros(self):
        return self.mx.np.zeros((1, *self.network.image), ctx=self.cpu)

    def call(self, leaf, x):
        return leaf(x)

    def shape(self, x):
        return tuple(x.shape[1:])

    def describe(self, leaf, x_in, out):
        nn = self.nn
        params = sum(p.data().size for p in leaf.collect_params().values())
        act = leaf.act._act_type if getattr(leaf, "act", None) else None
        if isinstance(leaf, nn.BatchNorm):
            # Trained: gamma and beta; the running statistics are not counted.
            trained = sum(p.data().size for p in leaf.collect_params().values() if p.grad_req != "null")
            k = leaf._kwargs
            return [Layer("batchnorm", out, trained, width=out[0], epsilon=k["eps"],
                          momentum=round(k["momentum"], 12))]
        if isinstance(leaf, nn.Conv2D):
            k = leaf._kwargs
            return [Layer("conv", out, params, k["kernel"], k["stride"],
                          _padding(k["pad"], x_in[1:], k["kernel"], k["stride"]), leaf._channels, act)]
        if getattr(leaf, "_kwargs", {}).get("global_pool"):
            return [Layer(f"global {leaf._kwargs['pool_type']}pool", out, params)]
        if isinstance(leaf, (nn.MaxPool2D, nn.AvgPool2D)):
            k = leaf._kwargs
            return [Layer(k["pool_type"] + "pool", out, params, k["kernel"], k["stride"],
                          _padding(k["pad"], x_in[1:], k["kernel"], k["stride"]))]
        if isinstance(leaf, nn.Dense):
            # Dense(flatten=True), the default, flattens a multi-axis input itself.
            flat = [Layer("flatten", (math.prod(x_in),), 0)] if leaf._flatten and len(x_in) > 1 else []
            return flat + [Layer("dense", out, params, width=leaf._units, activation=act)]
        if isinstance(leaf, nn.Flatten):
            return [Layer("flatten", out, params)]
        if isinstance(leaf, nn.Dropout):
            return [Layer("dropout", out, params, rate=leaf._rate)]
        if isinstance(leaf, nn.Activation):
            return [Layer("activation", out, params, activation=leaf._act_type)]
        return [Layer(type(leaf).__name__, out, params)]

    def _arrays(self, leaf):
        if isinstance(leaf, self.nn.BatchNorm):
            return leaf.gamma, leaf.beta, leaf.running_mean, leaf.running_var
        return leaf.weight, leaf.bias

    def set_param(self, leaf, param):
        for p, value in zip(self._arrays(leaf), (param.weight, param.bias, param.mean, param.var)):
            p.set_data(self.mx.np.array(value, ctx=self.cpu))

    def get_param(self, leaf, like):
        values = [p.data().asnumpy() for p in self._arrays(leaf)]
        return dataclasses.replace(like, **dict(zip(("weight", "bias", "mean", "var"), values)))

    def images(self, X):
        return X.asnumpy()

    def logits(self, net, X):
        return net(X).asnumpy()        # outside autograd.record(): inference mode

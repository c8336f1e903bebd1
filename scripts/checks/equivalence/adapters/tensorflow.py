"""The TensorFlow adapter: how the checks build, walk, describe, load and train
TensorFlow nets (Keras)."""
from __future__ import annotations

import dataclasses

import numpy as np

from scripts.checks.equivalence.adapters.base import Framework, Join, _framework_class
from scripts.checks.equivalence.layer import Layer, _padding


class TensorFlow(Framework):
    name, rate_attr = "tensorflow", "rate"
    cpu = "/CPU:0"

    def __init__(self, namespace, network="vgg"):
        super().__init__(namespace, network)
        import tensorflow as tf

        self.tf, self.layers = tf, tf.keras.layers

    def leaves(self, layer):
        if isinstance(layer, self.tf.keras.Sequential):
            for child in layer.layers:
                yield from self.leaves(child)
        else:
            yield layer

    def sublayers(self, layer):
        # Keras tracks a layer's sublayers in the order they were assigned;
        # a Sequential inside a block is a container.
        if _framework_class(layer, "keras") and not isinstance(layer, self.tf.keras.Sequential):
            return []
        return list(layer._flatten_layers(include_self=False, recursive=False))

    def trace(self, block, x):
        """Keras has no forward hooks: Layer.__call__ is wrapped for the
        duration and records the block's own leaves. The block runs once
        before, because Keras builds a subclassed model by running it."""
        leaves = {id(layer) for layer in block._flatten_layers(include_self=False, recursive=True)
                  if not self.sublayers(layer)}
        events, depth, base, tf = [], [0], self.layers.Layer, self.tf
        original = base.__call__

        def recording(layer, *args, **kwargs):
            if id(layer) not in leaves:
                return original(layer, *args, **kwargs)
            depth[0] += 1
            try:
                out = original(layer, *args, **kwargs)
            finally:
                depth[0] -= 1
            events.append((layer, args[0], out))
            return out

        functions = {(tf.Tensor, "__add__"): Join("add"), (tf, "add"): Join("add"), (tf.math, "add"): Join("add"),
                     (tf, "concat"): Join("concat"), (tf.nn, "relu"): "relu", (tf.nn, "sigmoid"): "sigmoid",
                     (tf.math, "sigmoid"): "sigmoid", (tf.nn, "tanh"): "tanh", (tf.math, "tanh"): "tanh"}
        with self.tf.device(self.cpu):
            block(x)
            base.__call__ = recording
            try:
                with self.recording(events, depth, functions):
                    y = block(x)
            finally:
                base.__call__ = original
        return events, y

    def zeros(self):
        with self.tf.device(self.cpu):
            c, h, w = self.network.image
            return self.tf.zeros((1, h, w, c))

    def call(self, leaf, x):
        with self.tf.device(self.cpu):
            return leaf(x)

    def shape(self, x):
        shape = tuple(x.shape[1:])
        return (shape[-1], *shape[:-1]) if len(shape) == 3 else shape   # NHWC -> CHW

    def _activation(self, leaf):
        name = leaf.activation.__name__
        return None if name == "linear" else name

    def describe(self, leaf, x_in, out):
        layers = self.layers
        params = leaf.count_params()
        if isinstance(leaf, layers.BatchNormalization):
            # count_params() counts the moving mean and variance too.
            trained = sum(int(np.prod(w.shape)) for w in leaf.trainable_weights)
            return [Layer("batchnorm", out, trained, width=out[0], epsilon=leaf.epsilon,
                          momentum=round(leaf.momentum, 12))]
        if isinstance(leaf, layers.Conv2D):
            return [Layer("conv", out, params, leaf.kernel_size, leaf.strides,
                          _padding(leaf.padding, x_in[1:], leaf.kernel_size, leaf.strides),
                          leaf.filters, self._activation(leaf))]
        if isinstance(leaf, (layers.MaxPooling2D, layers.AveragePooling2D)):
            kind = "maxpool" if isinstance(leaf, layers.MaxPooling2D) else "avgpool"
            return [Layer(kind, out, params, leaf.pool_size, leaf.strides,
                          _padding(leaf.padding, x_in[1:], leaf.pool_size, leaf.strides))]
        if isinstance(leaf, (layers.GlobalAveragePooling2D, layers.GlobalMaxPooling2D)):
            kind = "avgpool" if isinstance(leaf, layers.GlobalAveragePooling2D) else "maxpool"
            # keepdims=False drops the 1x1 the other frameworks keep until Flatten.
            return [Layer(f"global {kind}", out if len(out) == 3 else (*out, 1, 1), params)]
        if isinstance(leaf, layers.ZeroPadding2D):
            return [Layer("zeropad", out, params, padding=tuple(map(tuple, leaf.padding)))]
        if isinstance(leaf, layers.Flatten):
            return [Layer("flatten", out, params)]
        if isinstance(leaf, layers.Dense):
            return [Layer("dense", out, params, width=leaf.units, activation=self._activation(leaf))]
        if isinstance(leaf, layers.Dropout):
            return [Layer("dropout", out, params, rate=leaf.rate)]
        if isinstance(leaf, layers.Activation):
            return [Layer("activation", out, params, activation=self._activation(leaf))]
        if isinstance(leaf, layers.ReLU):
            return [Layer("activation", out, params, activation="relu")]
        return [Layer(type(leaf).__name__, out, params)]

    def set_param(self, leaf, param):
        if hasattr(leaf, "moving_variance"):           # BatchNormalization
            for v, value in zip((leaf.gamma, leaf.beta, leaf.moving_mean, leaf.moving_variance),
                                (param.weight, param.bias, param.mean, param.var)):
                v.assign(value)
            return
        w = param.weight
        if w.ndim == 4:
            kernel = w.transpose(2, 3, 1, 0)          # OIHW -> HWIO
        else:
            if param.image:                           # inputs (c, h, w) -> Keras' NHWC order (h, w, c)
                w = w.reshape(len(w), *param.image).transpose(0, 2, 3, 1).reshape(len(w), -1)
            kernel = w.T                              # (out, in) -> (in, out)
        leaf.kernel.assign(kernel)
        leaf.bias.assign(param.bias)

    def get_param(self, leaf, like):
        if hasattr(leaf, "moving_variance"):           # BatchNormalization
            values = [v.numpy() for v in (leaf.gamma, leaf.beta, leaf.moving_mean, leaf.moving_variance)]
            return dataclasses.replace(like, **dict(zip(("weight", "bias", "mean", "var"), values)))
        kernel = leaf.kernel.numpy()
        if kernel.ndim == 4:
            w = kernel.transpose(3, 2, 0, 1)          # HWIO -> OIHW
        else:
            w = kernel.T
            if like.image:
                c, h, width = like.image
                w = w.reshape(len(w), h, width, c).transpose(0, 3, 1, 2).reshape(len(w), -1)
        return dataclasses.replace(like, weight=np.ascontiguousarray(w), bias=leaf.bias.numpy())

    def images(self, X):
        return X.numpy().transpose(0, 3, 1, 2)

    def logits(self, net, X):
        with self.tf.device(self.cpu):
            return net(X, training=False).numpy()

    def train(self, net, train_iter, test_iter, num_epochs):
        # train_ch6 takes a function that makes the net; ours is already built.
        # Each call traces its training step anew, which TensorFlow warns
        # about from the fifth net on (four networks here, several calls each).
        logger = self.tf.get_logger()
        level = logger.level
        logger.setLevel("ERROR")
        try:
            super().train(lambda: net, train_iter, test_iter, num_epochs)
        finally:
            logger.setLevel(level)
        return self.d2l.last_result

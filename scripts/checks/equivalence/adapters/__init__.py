"""One adapter per framework, registered in ADAPTERS by the framework's name
(scripts.environment.book.FRAMEWORKS). Adding a framework is one module here
with its class added below (and its environment, requirements file and
kernel, see CONTRIBUTING.md)."""
from scripts.checks.equivalence.adapters.base import Framework, Join, Param
from scripts.checks.equivalence.adapters.mxnet import MXNet
from scripts.checks.equivalence.adapters.pytorch import PyTorch
from scripts.checks.equivalence.adapters.tensorflow import TensorFlow

ADAPTERS: dict[str, type[Framework]] = {"mxnet": MXNet, "pytorch": PyTorch, "tensorflow": TensorFlow}

__all__ = ["ADAPTERS", "Framework", "Join", "MXNet", "Param", "PyTorch", "TensorFlow"]

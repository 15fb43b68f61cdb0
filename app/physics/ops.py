"""Elementary functions that take either a tensor or one Python float.

Tensors keep torch's batching and autograd. A float goes through `math`, which costs well
under a microsecond, where torch spends several microseconds of dispatch on every op of a
one-element tensor. This lets the physics and the network's output transform be written once
and still serve one target quickly.
"""

from __future__ import annotations

import math
from typing import TypeVar

import torch
from torch import Tensor

Value = TypeVar("Value", Tensor, float)  # a tensor (batched, differentiable) or one float


def sin(x: Value) -> Value:
    return torch.sin(x) if isinstance(x, Tensor) else math.sin(x)


def sqrt(x: Value) -> Value:
    return torch.sqrt(x) if isinstance(x, Tensor) else math.sqrt(x)


def sigmoid(x: Value) -> Value:
    if isinstance(x, Tensor):
        return torch.sigmoid(x)
    if x >= 0:  # the two branches keep exp from overflowing
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


def clamp(x: Value, low: float, high: float) -> Value:
    return x.clamp(low, high) if isinstance(x, Tensor) else min(max(x, low), high)

"""Small building blocks shared by the encoder, prompt encoder and decoder (spec §1)."""
import contextlib
from typing import Type

import torch
from torch import nn
import torch.nn.functional as F


def has_sdpa() -> bool:
    """True on torch >= 2.0, where `scaled_dot_product_attention` (flash / memory-efficient kernels) exists."""
    return hasattr(F, 'scaled_dot_product_attention')


class LayerNorm3d(nn.Module):
    """LayerNorm over the channel axis of a channels-first volume.

    x: (B, C, D, H, W) -> (B, C, D, H, W). Mean and *biased* variance over C per voxel, eps 1e-6, then the
    per-channel affine `weight[c] * x + bias[c]` (parameters named `weight`, `bias`, shape (C,)).
    """

    def __init__(self, num_channels: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_channels))
        self.bias = nn.Parameter(torch.zeros(num_channels))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.eps)
        return self.weight[:, None, None, None] * x + self.bias[:, None, None, None]


class MLPBlock(nn.Module):
    """Transformer feed-forward: lin2(act(lin1(x))). x: (..., embedding_dim) -> (..., embedding_dim)."""

    def __init__(self, embedding_dim: int, mlp_dim: int, act: Type[nn.Module] = nn.GELU) -> None:
        super().__init__()
        self.lin1 = nn.Linear(embedding_dim, mlp_dim)
        self.lin2 = nn.Linear(mlp_dim, embedding_dim)
        self.act = act()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin2(self.act(self.lin1(x)))


class MLP(nn.Module):
    """The decoder's heads: `num_layers` Linear layers (keys `layers.{i}`), ReLU between them, none after.

    x: (..., input_dim) -> (..., output_dim).
    """

    def __init__(self, input_dim: int, hidden_dim: int, output_dim: int, num_layers: int) -> None:
        super().__init__()
        dims_in = [input_dim] + [hidden_dim] * (num_layers - 1)
        dims_out = [hidden_dim] * (num_layers - 1) + [output_dim]
        self.layers = nn.ModuleList(nn.Linear(n, k) for n, k in zip(dims_in, dims_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < last:
                x = F.relu(x)
        return x


def _sdpa_accepts_scale() -> bool:
    import inspect
    try:
        return 'scale' in inspect.signature(F.scaled_dot_product_attention).parameters
    except (TypeError, ValueError):
        return False


_SDPA = has_sdpa()
_SDPA_SCALE = _SDPA and _sdpa_accepts_scale()
_FORCE_MATH = [False]


@contextlib.contextmanager
def math_attention():
    """Use plain MatMul/Softmax attention inside the block (ONNX export: every torch version then traces the
    same opset-17 graph, whatever its SDPA export support)."""
    previous = _FORCE_MATH[0]
    _FORCE_MATH[0] = True
    try:
        yield
    finally:
        _FORCE_MATH[0] = previous


def scaled_dot_product_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: 'torch.Tensor | None', scale: float
) -> torch.Tensor:
    """softmax(scale * q k^T + bias) v. q: (..., Nq, d), k/v: (..., Nk, d), bias broadcastable to (..., Nq, Nk).

    Uses torch's fused `scaled_dot_product_attention` (flash / memory-efficient kernels on GPU) when present
    (torch >= 2.0), plain MatMul/Softmax otherwise (torch 1.13; also what the ONNX export traces there).
    """
    if not _FORCE_MATH[0]:
        if _SDPA_SCALE:
            return F.scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=scale)
        if _SDPA:  # torch 2.0: fixed 1/sqrt(d) inside the kernel; pre-scale q to get `scale` exactly.
            return F.scaled_dot_product_attention(q * (scale * q.shape[-1] ** 0.5), k, v, attn_mask=bias)
    logits = (q * scale) @ k.transpose(-2, -1)
    if bias is not None:
        logits = logits + bias
    return logits.softmax(dim=-1) @ v

"""The decoder's output path with ConvTranspose3d (k2 s2) rewritten as per-voxel MatMuls + one reshuffle.

A k2 s2 transposed convolution maps each input voxel independently to a 2x2x2 block of output voxels:
    out[o, 2i+p, 2j+q, 2k+r] = sum_c in[c, i, j, k] * W[c, o, p, q, r] + b[o]
i.e. a MatMul of the (voxels, C_in) matrix with W viewed as (C_in, C_out*8). Both upscaling stages are kept
in "block" order (voxel, sub-voxel, channel) - the LayerNorm3d and GELUs act per voxel, so the order does not
matter to them - and the hypernetwork contraction over the 48 channels happens *before* the one reshuffle to
the (32, 32, 32) C-order grid, so only one channel is ever transposed (measured ~2x faster than ConvTranspose
on onnxruntime CPU).
"""
import torch
from torch import nn
import torch.nn.functional as F

from ..modeling.common import LayerNorm3d


def conv_transpose_k2s2_as_matmul_weights(conv: nn.ConvTranspose3d):
    """(W (C_in, C_out*8), b (C_out*8,)) with column index o*8 + (4p + 2q + r)."""
    if tuple(conv.kernel_size) != (2, 2, 2) or tuple(conv.stride) != (2, 2, 2) or tuple(conv.padding) != (0, 0, 0):
        raise ValueError('only ConvTranspose3d with kernel 2, stride 2, padding 0 can be rewritten')
    w = conv.weight.detach()
    c_in, c_out = w.shape[0], w.shape[1]
    b = conv.bias.detach() if conv.bias is not None else torch.zeros(c_out)
    return w.reshape(c_in, c_out * 8).clone(), b.repeat_interleave(8).clone()


class MatMulConvTranspose3d(nn.Module):
    """Drop-in equivalent of a k2 s2 ConvTranspose3d on channels-first input: (B,C_in,D,H,W) -> (B,C_out,2D,2H,2W).
    Used by the tests to prove the rewrite; the exported decoder uses the fused `MatMulUpscaler`."""

    def __init__(self, conv: nn.ConvTranspose3d) -> None:
        super().__init__()
        w, b = conv_transpose_k2s2_as_matmul_weights(conv)
        self.register_buffer('weight', w)
        self.register_buffer('bias', b)
        self.c_out = conv.weight.shape[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, d, h, w = x.shape
        y = x.permute(0, 2, 3, 4, 1).reshape(b, d * h * w, c) @ self.weight + self.bias
        y = y.reshape(b, d, h, w, self.c_out, 2, 2, 2).permute(0, 4, 1, 5, 2, 6, 3, 7)
        return y.reshape(b, self.c_out, 2 * d, 2 * h, 2 * w)


class MatMulUpscaler(nn.Module):
    """keys (1, G^3, C) (token order C-order over the G^3 grid) and one hypernetwork vector (1, C/8)
    -> mask logits (1, 1, 4G, 4G, 4G), equal to `hyper @ output_upscaling(keys as (1,C,G,G,G))`."""

    def __init__(self, output_upscaling: nn.Sequential, grid_size: int) -> None:
        super().__init__()
        conv1, ln, _, conv2, _ = output_upscaling
        if not isinstance(ln, LayerNorm3d):
            raise TypeError('unexpected output_upscaling layout')
        w1, b1 = conv_transpose_k2s2_as_matmul_weights(conv1)
        w2, b2 = conv_transpose_k2s2_as_matmul_weights(conv2)
        self.register_buffer('w1', w1)
        self.register_buffer('b1', b1)
        self.register_buffer('w2', w2)
        self.register_buffer('b2', b2)
        self.register_buffer('ln_weight', ln.weight.detach().clone())
        self.register_buffer('ln_bias', ln.bias.detach().clone())
        self.ln_eps = ln.eps
        self.c1 = conv1.weight.shape[1]
        self.c2 = conv2.weight.shape[1]
        self.grid = grid_size

    def forward(self, keys: torch.Tensor, hyper: torch.Tensor) -> torch.Tensor:
        g, c1, c2 = self.grid, self.c1, self.c2
        n = g * g * g
        y = keys.reshape(n, -1) @ self.w1 + self.b1                       # (n, c1*8): [voxel, o, s1]
        y = y.reshape(n, c1, 8).transpose(1, 2)                           # (n, 8, c1): [voxel, s1, o]
        y = F.gelu(F.layer_norm(y, (c1,), self.ln_weight, self.ln_bias, self.ln_eps))
        y = y.reshape(n * 8, c1) @ self.w2 + self.b2                      # (n*8, c2*8): [voxel s1, o, s2]
        y = F.gelu(y.reshape(n * 8, c2, 8))
        m = hyper.reshape(1, c2) @ y                                      # (n*8, 1, 8): [voxel s1, s2]
        m = m.reshape(g, g, g, 2, 2, 2, 2, 2, 2).permute(0, 3, 6, 1, 4, 7, 2, 5, 8)
        return m.reshape(1, 1, 4 * g, 4 * g, 4 * g)

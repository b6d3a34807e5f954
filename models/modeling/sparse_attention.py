"""3D sparse ("dilated") attention as the FastSAM3D paper describes it (paper §2.3, Eq. 3; spec §5).

The token sequence (N tokens, C-order over the 3D token grid) is cut into blocks of w*r consecutive tokens.
Inside a block, sparse segment i (i = 0..r-1) takes every r-th token starting at i:
    S^_i = [S_i, S_{i+r}, ..., S_{i+(w-1)r}]      (w tokens, dilation r)
so the r segments of a block partition it. Attention runs independently inside each segment (one batched
call: the "parallel" part), and the outputs are recomposed to the *input order* (the official code's
recombination permutes the spatial axes instead - spec §5.2 bug - which is not reproduced here).

With w = N and r = 1 there is one segment holding every token: exactly dense attention.
On the 8^3 student grid, w = 8, r = 64 gives the paper's setting: segment i = the 8 tokens sharing (t1, t2).

Optionally the layer's relative-position bias is kept, restricted to the (query, key) pairs of each segment
(the official sparse variant drops it; the released weights were trained with it, so keeping it is closer).
"""
from dataclasses import dataclass
from typing import Optional

import torch

from .common import scaled_dot_product_attention


@dataclass(frozen=True)
class SparseAttentionConfig:
    """segment_length = w (tokens per sparse segment), dilation = r (stride between a segment's tokens)."""

    segment_length: int
    dilation: int
    keep_rel_pos: bool = True

    def __post_init__(self) -> None:
        if self.segment_length < 1 or self.dilation < 1:
            raise ValueError(f'sparse attention needs w >= 1 and r >= 1, got w={self.segment_length}, r={self.dilation}')


def segment_token_index(num_tokens: int, config: SparseAttentionConfig) -> torch.Tensor:
    """(num_segments, w) token positions of every sparse segment, segments ordered block by block, i = 0..r-1."""
    w, r = config.segment_length, config.dilation
    if num_tokens % (w * r):
        raise ValueError(f'sparse attention: {num_tokens} tokens are not a whole number of blocks of w*r = {w}*{r}')
    blocks = num_tokens // (w * r)
    return torch.arange(num_tokens).reshape(blocks, w, r).transpose(1, 2).reshape(blocks * r, w)


def sparse_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    config: SparseAttentionConfig,
    bias: Optional[torch.Tensor] = None,
    scale: Optional[float] = None,
) -> torch.Tensor:
    """q, k, v: (BH, N, hd); bias: optional (BH, N, N) dense additive bias. Returns (BH, N, hd) in input order.

    Reshape/transpose only (no gather on the activations), so it exports to plain ONNX ops and batches all
    segments into one attention call (SDPA / flash kernels on torch >= 2).
    """
    bh, n, hd = q.shape
    w, r = config.segment_length, config.dilation
    index = segment_token_index(n, config)  # validates divisibility
    blocks = n // (w * r)
    scale = hd ** -0.5 if scale is None else scale

    def to_segments(t: torch.Tensor) -> torch.Tensor:
        # (BH, N, hd) -> (BH, blocks*r, w, hd): [blk, m, i] -> [blk, i, m]
        return t.reshape(bh, blocks, w, r, hd).transpose(2, 3).reshape(bh, blocks * r, w, hd)

    segment_bias = None
    if bias is not None and config.keep_rel_pos:
        index = index.to(bias.device)
        segment_bias = bias[:, index[:, :, None], index[:, None, :]]  # (BH, segments, w, w)
    out = scaled_dot_product_attention(to_segments(q), to_segments(k), to_segments(v), segment_bias, scale)
    return out.reshape(bh, blocks, r, w, hd).transpose(2, 3).reshape(bh, n, hd)

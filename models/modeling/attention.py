"""Encoder self-attention with the decomposed relative-position bias *as the official code computes it*
(spec §2.3, §2.4). The broadcasting quirk below is MUST-KEEP: the released weights were trained with it.

Token grids are cubes of side G (8 for global attention at 128^3 input, 14 for the teacher's padded windows).
Tokens are flattened in C-order over (t0, t1, t2): flat = G*G*t0 + G*t1 + t2.
"""
from typing import Optional, Tuple

import torch
from torch import nn
import torch.nn.functional as F

from .common import scaled_dot_product_attention
from .sparse_attention import SparseAttentionConfig, sparse_attention


def gather_rel_pos(table: torch.Tensor, size: int) -> torch.Tensor:
    """E[a, m] = table[a - m + size - 1]. table: (2*size-1, hd) -> (size, size, hd).

    No interpolation: at 128^3 input the table length always equals 2*size-1 (spec §12.3).
    """
    if table.shape[0] != 2 * size - 1:
        raise ValueError(f'relative-position table has {table.shape[0]} rows, expected {2 * size - 1} for a grid of {size}')
    coords = torch.arange(size, device=table.device)
    index = coords[:, None] - coords[None, :] + (size - 1)
    return table[index]


def rel_pos_terms_as_implemented(
    q: torch.Tensor, e_d: torch.Tensor, e_h: torch.Tensor, e_w: torch.Tensor, extent: int
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The three decomposed terms, already shaped to broadcast onto logits viewed as
    (BH, Q, Q, Q, G, G, G) = [a, b, c | a', b', c'] (Q = extent query rows per axis, G keys per axis).

    q: (BH, G, G, G, hd), the *unscaled* queries of the whole (possibly zero-padded) grid.
    As implemented (spec §2.4): bias(a,b,c ; a',b',c') = Pd[a,b,c,c'] + Ph[a,b,a',c'] + Pw[a,b,b',c']
    with Pd[a,b,c,m] = q(a,b,c).Ed[a,m], Ph[a,b,c,m] = q(a,b,c).Eh[b,m], Pw[a,b,c,m] = q(a,b,c).Ew[c,m].
    Ph and Pw read q at (a, b, x) with x running over the *key* range, hence q over the whole grid.
    Returns Pd (BH,Q,Q,Q,1,1,G), Ph (BH,Q,Q,1,G,1,G), Pw (BH,Q,Q,1,1,G,G).
    """
    grid = q.shape[1]
    if extent == grid:
        rows, e_d_rows, e_h_rows, q_rows = q, e_d, e_h, q
    else:
        rows = q[:, :extent, :extent]
        q_rows, e_d_rows, e_h_rows = rows[:, :, :, :extent], e_d[:extent], e_h[:extent]
    p_d = torch.einsum('bdhwc,dkc->bdhwk', q_rows, e_d_rows)
    p_h = torch.einsum('bdhwc,hkc->bdhwk', rows, e_h_rows)
    p_w = torch.einsum('bdhwc,wkc->bdhwk', rows, e_w)
    return p_d[:, :, :, :, None, None, :], p_h[:, :, :, None, :, None, :], p_w[:, :, :, None, None, :, :]


class Attention3D(nn.Module):
    """Multi-head self-attention over a cubic token grid, with the as-implemented rel-pos bias.

    Keys: `qkv` (Linear dim -> 3*dim, channel layout [q | k | v], each head-major), `proj`, and
    `rel_pos_d`, `rel_pos_h`, `rel_pos_w` (2G-1, head_dim) when use_rel_pos.
    `sparse`: None = dense attention (the released-weights path); a SparseAttentionConfig switches this layer
    to the paper's 3D sparse attention (see sparse_attention.py).
    """

    def __init__(
        self,
        dim: int,
        num_heads: int,
        qkv_bias: bool = True,
        use_rel_pos: bool = True,
        grid_size: int = 8,
        sparse: Optional[SparseAttentionConfig] = None,
    ) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'dim {dim} is not divisible by num_heads {num_heads}')
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.grid_size = grid_size
        self.use_rel_pos = use_rel_pos
        self.sparse = sparse
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)
        if use_rel_pos:
            self.rel_pos_d = nn.Parameter(torch.zeros(2 * grid_size - 1, self.head_dim))
            self.rel_pos_h = nn.Parameter(torch.zeros(2 * grid_size - 1, self.head_dim))
            self.rel_pos_w = nn.Parameter(torch.zeros(2 * grid_size - 1, self.head_dim))
        self._frozen_tables: Optional[Tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = None

    def freeze_rel_pos_tables(self) -> None:
        """Precompute the gathered tables E (G,G,hd) once (ONNX export: they become constants)."""
        if self.use_rel_pos:
            with torch.no_grad():
                self._frozen_tables = tuple(
                    gather_rel_pos(t, self.grid_size).detach().clone() for t in (self.rel_pos_d, self.rel_pos_h, self.rel_pos_w)
                )

    def gathered_tables(self) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        if self._frozen_tables is not None:
            return self._frozen_tables
        g = self.grid_size
        return gather_rel_pos(self.rel_pos_d, g), gather_rel_pos(self.rel_pos_h, g), gather_rel_pos(self.rel_pos_w, g)

    def forward(self, x: torch.Tensor, query_extent: Optional[int] = None) -> torch.Tensor:
        """x: (B, G, G, G, dim) -> (B, Q, Q, Q, dim) with Q = query_extent (default G).

        query_extent < G computes only the first Q query rows per axis, while keys/values (and the rel-pos
        terms, which read q at key positions) still span the whole grid: the teacher's exact shortcut for its
        8^3 tokens zero-padded to a 14^3 window (spec §6).
        """
        b, g, g1, g2, dim = x.shape
        if not (g == g1 == g2 == self.grid_size):
            raise ValueError(f'attention expects a {self.grid_size}^3 token grid, got {(g, g1, g2)}')
        q_ext = g if query_extent is None else query_extent
        n, heads, hd = g * g * g, self.num_heads, self.head_dim
        # (3, B*heads, G, G, G, hd)
        qkv = self.qkv(x).reshape(b, n, 3, heads, hd).permute(2, 0, 3, 1, 4).reshape(3, b * heads, g, g, g, hd)
        q_grid, k, v = qkv[0], qkv[1].reshape(b * heads, n, hd), qkv[2].reshape(b * heads, n, hd)
        q = q_grid if q_ext == g else q_grid[:, :q_ext, :q_ext, :q_ext]
        q = q.reshape(b * heads, q_ext ** 3, hd)

        bias = None
        if self.use_rel_pos:
            p_d, p_h, p_w = rel_pos_terms_as_implemented(q_grid, *self.gathered_tables(), q_ext)
            bias = (p_d + p_h + p_w).reshape(b * heads, q_ext ** 3, n)

        if self.sparse is not None:
            if q_ext != g:
                raise ValueError('sparse attention is only defined for global (unpadded) attention layers')
            out = sparse_attention(q, k, v, self.sparse, bias, self.scale)
        else:
            out = scaled_dot_product_attention(q, k, v, bias, self.scale)
        out = out.reshape(b, heads, q_ext, q_ext, q_ext, hd).permute(0, 2, 3, 4, 1, 5).reshape(b, q_ext, q_ext, q_ext, dim)
        return self.proj(out)


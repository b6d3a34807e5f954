"""3D ViT image encoders: the FastSAM3D student and the SAM-Med3D ViT-B teacher (spec §2, §6).

Tokens stay channels-last (B, G, G, G, C) inside the encoder (G = img_size / patch_size = 8 at 128^3); the
neck and everything after it are channels-first (B, C, G, G, G).
"""
from typing import Dict, List, Optional, Sequence

import torch
from torch import nn
import torch.nn.functional as F

from .attention import Attention3D
from .common import LayerNorm3d, MLPBlock
from .sparse_attention import SparseAttentionConfig

RESIDUAL_FORMS = ('fastsam3d', 'sammed3d')


class PatchEmbed3D(nn.Module):
    """Conv3d(in_chans, embed_dim, k=patch, s=patch). (B, 1, 128,128,128) -> (B, 8, 8, 8, embed_dim)."""

    def __init__(self, patch_size: int, in_chans: int, embed_dim: int) -> None:
        super().__init__()
        self.proj = nn.Conv3d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).permute(0, 2, 3, 4, 1)


class Block3D(nn.Module):
    """One transformer block on (B, G, G, G, C) tokens.

    residual_form 'fastsam3d' (FastSAM3D's Block3D, MUST-KEEP for the student): y = x + Attn(LN1(x));
        z = LN2(y); out = z + MLP(z)   (LN2 is applied to the residual stream itself).
    residual_form 'sammed3d' (SAM-Med3D, standard pre-norm): out = y + MLP(LN2(y)).
    has_attention=False (student blocks 0-1, `Block3D_woatt`): z = LN2(x); out = z + MLP(z); no norm1/attn keys.
    window_size > 0: windowed attention; a window larger than the grid zero-pads the (LayerNormed) tokens at the
        high end of each axis and attends over all padded tokens without a mask (teacher, spec §6, MUST-KEEP).
    """

    def __init__(
        self,
        dim: int,
        num_heads: int,
        mlp_ratio: float = 4.0,
        qkv_bias: bool = True,
        use_rel_pos: bool = True,
        grid_size: int = 8,
        window_size: int = 0,
        has_attention: bool = True,
        residual_form: str = 'fastsam3d',
        sparse: Optional[SparseAttentionConfig] = None,
    ) -> None:
        super().__init__()
        if residual_form not in RESIDUAL_FORMS:
            raise ValueError(f'residual_form must be one of {RESIDUAL_FORMS}, got {residual_form!r}')
        if sparse is not None and (not has_attention or window_size > 0):
            raise ValueError('sparse attention is only available on global attention blocks')
        self.has_attention = has_attention
        self.residual_form = residual_form
        self.window_size = window_size
        self.grid_size = grid_size
        if has_attention:
            self.norm1 = nn.LayerNorm(dim, eps=1e-6)
            self.attn = Attention3D(
                dim, num_heads, qkv_bias=qkv_bias, use_rel_pos=use_rel_pos,
                grid_size=window_size if window_size > 0 else grid_size, sparse=sparse,
            )
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = MLPBlock(dim, int(dim * mlp_ratio), nn.GELU)

    def _attend(self, h: torch.Tensor) -> torch.Tensor:
        ws, g = self.window_size, self.grid_size
        if ws <= 0:
            return self.attn(h)
        if ws >= g:  # one window holding the whole grid: pad, attend from the real query rows only (exact)
            pad = ws - g
            return self.attn(F.pad(h, (0, 0, 0, pad, 0, pad, 0, pad)), query_extent=g)
        return self._attend_windows(h)

    def _attend_windows(self, h: torch.Tensor) -> torch.Tensor:
        """Several windows per axis: pad to a multiple of ws, attend inside each window, crop back."""
        b, g, _, _, c = h.shape
        ws = self.window_size
        gp = -(-g // ws) * ws
        pad = gp - g
        h = F.pad(h, (0, 0, 0, pad, 0, pad, 0, pad))
        n = gp // ws
        win = h.reshape(b, n, ws, n, ws, n, ws, c).permute(0, 1, 3, 5, 2, 4, 6, 7).reshape(-1, ws, ws, ws, c)
        win = self.attn(win)
        h = win.reshape(b, n, n, n, ws, ws, ws, c).permute(0, 1, 4, 2, 5, 3, 6, 7).reshape(b, gp, gp, gp, c)
        return h[:, :g, :g, :g].contiguous()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, G, G, G, dim) -> (B, G, G, G, dim)."""
        if not self.has_attention:
            z = self.norm2(x)
            return z + self.mlp(z)
        y = x + self._attend(self.norm1(x))
        if self.residual_form == 'fastsam3d':
            z = self.norm2(y)
            return z + self.mlp(z)
        return y + self.mlp(self.norm2(y))


class ImageEncoderViT3D(nn.Module):
    """(B, in_chans, S, S, S) -> image embedding (B, out_chans, S/p, S/p, S/p); (1,1,128^3) -> (1,384,8,8,8).

    Student (FastSAM3D): depth 6, embed_dim 768, 6 heads, skip_layer 2, window 0, residual 'fastsam3d'.
    Teacher (SAM-Med3D vit_b_ori): depth 12, 12 heads, window 14, global blocks 2/5/8/11, residual switchable.
    Key names match the official state dict (spec §2.5, §6).
    """

    def __init__(
        self,
        img_size: int = 128,
        patch_size: int = 16,
        in_chans: int = 1,
        embed_dim: int = 768,
        depth: int = 6,
        num_heads: int = 6,
        mlp_ratio: float = 4.0,
        out_chans: int = 384,
        qkv_bias: bool = True,
        use_abs_pos: bool = True,
        use_rel_pos: bool = True,
        window_size: int = 0,
        global_attn_indexes: Sequence[int] = (),
        skip_layer: int = 0,
        residual_form: str = 'fastsam3d',
        sparse_attention: Optional[Dict[int, SparseAttentionConfig]] = None,
    ) -> None:
        super().__init__()
        if img_size % patch_size:
            raise ValueError(f'img_size {img_size} is not a multiple of patch_size {patch_size}')
        self.img_size = img_size
        self.grid_size = img_size // patch_size
        self.patch_embed = PatchEmbed3D(patch_size, in_chans, embed_dim)
        g = self.grid_size
        self.pos_embed = nn.Parameter(torch.zeros(1, g, g, g, embed_dim)) if use_abs_pos else None
        sparse_attention = dict(sparse_attention or {})
        unknown = [i for i in sparse_attention if not (skip_layer <= i < depth)]
        if unknown:
            raise ValueError(f'sparse attention requested for blocks {unknown}, which have no attention')
        self.blocks = nn.ModuleList(
            Block3D(
                embed_dim, num_heads, mlp_ratio, qkv_bias, use_rel_pos, grid_size=g,
                window_size=0 if i in global_attn_indexes else window_size,
                has_attention=i >= skip_layer, residual_form=residual_form,
                sparse=sparse_attention.get(i),
            )
            for i in range(depth)
        )
        self.neck = nn.Sequential(
            nn.Conv3d(embed_dim, out_chans, kernel_size=1, bias=False),
            LayerNorm3d(out_chans),
            nn.Conv3d(out_chans, out_chans, kernel_size=3, padding=1, bias=False),
            LayerNorm3d(out_chans),
        )

    def _check_input(self, x: torch.Tensor) -> None:
        s = self.img_size
        if x.dim() != 5 or tuple(x.shape[1:]) != (self.patch_embed.proj.in_channels, s, s, s):
            raise ValueError(f'image encoder expects (B, {self.patch_embed.proj.in_channels}, {s}, {s}, {s}), got {tuple(x.shape)}')

    def forward_intermediates(self, x: torch.Tensor) -> List[torch.Tensor]:
        """The official list: [patch+pos, after block 2, 4, ... (channels-last), embedding (channels-first)]."""
        self._check_input(x)
        x = self.patch_embed(x)
        if self.pos_embed is not None:
            x = x + self.pos_embed
        out = [x]
        for i, block in enumerate(self.blocks):
            x = block(x)
            if i % 2 == 1:
                out.append(x)
        out.append(self.neck(x.permute(0, 4, 1, 2, 3)))
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, 1, 128,128,128) float32, z-normalised -> (B, 384, 8, 8, 8)."""
        self._check_input(x)
        x = self.patch_embed(x)
        if self.pos_embed is not None:
            x = x + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.neck(x.permute(0, 4, 1, 2, 3))

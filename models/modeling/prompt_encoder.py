"""3D prompt encoder (spec §4): random-Fourier positional encoding, point and mask prompts.

Two quirks of the official 3D port are kept (MUST-KEEP, both networks were trained with them):
* the encoding is concat(sin f, cos f, sin f) - the third block repeats sin;
* the dense image PE swaps the first two axes relative to the point convention (§4.2).
"""
import math
from typing import Optional, Tuple

import torch
from torch import nn

from .common import LayerNorm3d

NEGATIVE, POSITIVE, PADDING = 0, 1, -1


class PositionEmbeddingRandom3D(nn.Module):
    """pe(u), u in [0,1]^3: f = 2*pi * (2u - 1) @ G, G = buffer `positional_encoding_gaussian_matrix` (3, F);
    output concat(sin f, cos f, sin f) -> 3F channels (F = 128: 384)."""

    def __init__(self, num_pos_feats: int = 128, scale: float = 1.0) -> None:
        super().__init__()
        self.register_buffer('positional_encoding_gaussian_matrix', scale * torch.randn((3, num_pos_feats)))

    def encode_unit(self, coords: torch.Tensor) -> torch.Tensor:
        """coords (..., 3) in [0, 1] -> (..., 3F)."""
        f = (2 * coords - 1) @ self.positional_encoding_gaussian_matrix
        f = 2 * math.pi * f
        return torch.cat([torch.sin(f), torch.cos(f), torch.sin(f)], dim=-1)

    def dense(self, grid_size: int) -> torch.Tensor:
        """Dense image PE (1, 3F, G, G, G): position (t0,t1,t2) gets pe((t1+.5)/G, (t0+.5)/G, (t2+.5)/G)."""
        device = self.positional_encoding_gaussian_matrix.device
        centre = (torch.arange(grid_size, dtype=torch.float32, device=device) + 0.5) / grid_size
        t0, t1, t2 = torch.meshgrid(centre, centre, centre, indexing='ij')
        u = torch.stack([t1, t0, t2], dim=-1)  # the official axis swap
        return self.encode_unit(u).permute(3, 0, 1, 2).unsqueeze(0)

    def forward_with_coords(self, coords: torch.Tensor, image_size: Tuple[int, int, int]) -> torch.Tensor:
        """coords (B, N, 3) in voxel units (already +0.5) along tensor axes (a0,a1,a2) -> (B, N, 3F)."""
        size = torch.tensor(image_size, dtype=coords.dtype, device=coords.device)
        return self.encode_unit(coords / size)


class PromptEncoder3D(nn.Module):
    """Points (B,N,3) + labels (B,N) and/or a low-res mask (B,1,32,32,32) -> sparse (B, N+1, 384) and
    dense (B, 384, 8, 8, 8) prompt embeddings. Key names as spec §4.1."""

    def __init__(
        self,
        embed_dim: int = 384,
        image_embedding_size: Tuple[int, int, int] = (8, 8, 8),
        input_image_size: Tuple[int, int, int] = (128, 128, 128),
        mask_in_chans: int = 16,
    ) -> None:
        super().__init__()
        if embed_dim % 3 or (embed_dim // 3) % 1:
            raise ValueError(f'embed_dim {embed_dim} must be a multiple of 3 (three Fourier blocks)')
        self.embed_dim = embed_dim
        self.image_embedding_size = tuple(image_embedding_size)
        self.input_image_size = tuple(input_image_size)
        self.pe_layer = PositionEmbeddingRandom3D(embed_dim // 3)
        self.point_embeddings = nn.ModuleList([nn.Embedding(1, embed_dim) for _ in range(2)])  # 0 neg, 1 pos
        self.not_a_point_embed = nn.Embedding(1, embed_dim)
        self.mask_input_size = tuple(4 * s for s in image_embedding_size)
        self.mask_downscaling = nn.Sequential(
            nn.Conv3d(1, mask_in_chans // 4, kernel_size=2, stride=2),
            LayerNorm3d(mask_in_chans // 4),
            nn.GELU(),
            nn.Conv3d(mask_in_chans // 4, mask_in_chans, kernel_size=2, stride=2),
            LayerNorm3d(mask_in_chans),
            nn.GELU(),
            nn.Conv3d(mask_in_chans, embed_dim, kernel_size=1),
        )
        self.no_mask_embed = nn.Embedding(1, embed_dim)

    def get_dense_pe(self) -> torch.Tensor:
        """(1, 384, 8, 8, 8), depends only on the buffer."""
        return self.pe_layer.dense(self.image_embedding_size[0])

    def embed_points(self, points: torch.Tensor, labels: torch.Tensor, pad: bool = True) -> torch.Tensor:
        """points (B, N, 3) raw voxel indices (p0,p1,p2); labels (B, N) 1 = positive, 0 = negative.

        +0.5, then (no box prompt) one padding point (0,0,0) with label -1 is appended *after* the shift,
        -> (B, N+1, 384). Label selection uses `where` (exports without NonZero/ScatterND)."""
        points = points + 0.5
        labels = labels.to(points.dtype)
        if pad:
            b = points.shape[0]
            points = torch.cat([points, torch.zeros((b, 1, 3), dtype=points.dtype, device=points.device)], dim=1)
            labels = torch.cat([labels, torch.full((b, 1), float(PADDING), dtype=labels.dtype, device=labels.device)], dim=1)
        pe = self.pe_layer.forward_with_coords(points, self.input_image_size)
        lab = labels.unsqueeze(-1)
        zero = torch.zeros_like(pe)
        out = torch.where(lab == PADDING, zero, pe)
        out = out + torch.where(lab == PADDING, self.not_a_point_embed.weight + zero, zero)
        out = out + torch.where(lab == NEGATIVE, self.point_embeddings[0].weight + zero, zero)
        out = out + torch.where(lab == POSITIVE, self.point_embeddings[1].weight + zero, zero)
        return out

    def embed_mask(self, masks: torch.Tensor) -> torch.Tensor:
        """(B, 1, 32, 32, 32) raw low-res logits -> (B, 384, 8, 8, 8) through the downscaling convs."""
        return self.mask_downscaling(masks)

    def no_mask_dense(self, batch: int) -> torch.Tensor:
        g = self.image_embedding_size
        return self.no_mask_embed.weight.reshape(1, -1, 1, 1, 1).expand(batch, -1, g[0], g[1], g[2])

    def forward(
        self,
        points: Optional[Tuple[torch.Tensor, torch.Tensor]],
        masks: Optional[torch.Tensor],
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """-> sparse (B, N+1, 384) (B, 0, 384 without points), dense (B, 384, 8, 8, 8)."""
        if points is None and masks is None:
            raise ValueError('prompt encoder needs points, a mask, or both')
        batch = points[0].shape[0] if points is not None else masks.shape[0]
        if points is not None:
            coords, labels = points
            if coords.dim() != 3 or coords.shape[-1] != 3 or tuple(labels.shape) != tuple(coords.shape[:2]):
                raise ValueError(f'points must be (B,N,3) with labels (B,N), got {tuple(coords.shape)} and {tuple(labels.shape)}')
            sparse = self.embed_points(coords, labels, pad=True)
        else:
            sparse = torch.empty((batch, 0, self.embed_dim), device=self.no_mask_embed.weight.device)
        if masks is not None:
            expected = (1,) + self.mask_input_size
            if masks.dim() != 5 or tuple(masks.shape[1:]) != expected:
                raise ValueError(f'mask input must be (B, {", ".join(map(str, expected))}), got {tuple(masks.shape)}')
            dense = self.embed_mask(masks)
        else:
            dense = self.no_mask_dense(batch)
        return sparse, dense

"""The image encoder of the promptable U-Net (`fastsam-xr-unet`): a small 3D residual U-Net run ONCE per
128^3 crop; the runtime caches its output and every click reuses it.

Why a U-Net and not a ViT: convolutions give the local prior (edges, texture, "same tissue as here") that a
ViT trained from scratch on a few dozen volumes never learnt (the shipped ViT drew one 16^3-token blob);
the U-Net's coarse levels still see the whole crop.

Output: ONE tensor, so the runtime's encoder contract (`image` -> `image_embeddings`) stays as it is:

    embedding (1, dense + 8 * fine, S/4, S/4, S/4)
      [:, :dense]   dense features at S/4 = 32^3 (6 mm), what the decoder's hypernetwork is dotted with
      [:, dense:]   fine features at S/2 = 64^3 (3 mm), `fine` channels (channel 0 = the 2x-pooled image)
                    folded into 8*fine channels at 32^3 by space-to-depth (`fold2`), unfolded by the decoder

With dense 32 and fine 4 that is 64 x 32^3 float32 = 8 MiB per cached crop.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def fold2(x: torch.Tensor) -> torch.Tensor:
    """Space-to-depth by 2 on a (1, C, 2a, 2b, 2c) tensor -> (1, 8C, a, b, c); `unfold2` inverts it."""
    n, c, d, h, w = x.shape
    x = x.reshape(n, c, d // 2, 2, h // 2, 2, w // 2, 2)
    x = x.permute(0, 1, 3, 5, 7, 2, 4, 6)
    return x.reshape(n, c * 8, d // 2, h // 2, w // 2)


def unfold2(x: torch.Tensor, channels: int) -> torch.Tensor:
    """Depth-to-space by 2: (1, 8C, a, b, c) -> (1, C, 2a, 2b, 2c), with C = `channels`."""
    n, _, d, h, w = x.shape
    x = x.reshape(n, channels, 2, 2, 2, d, h, w)
    x = x.permute(0, 1, 5, 2, 6, 3, 7, 4)
    return x.reshape(n, channels, d * 2, h * 2, w * 2)


def conv_norm_act(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv3d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.InstanceNorm3d(cout, affine=True),
        nn.LeakyReLU(0.1, inplace=True),
    )


class ResBlock(nn.Module):
    """Two 3^3 convolutions with a residual connection (same channels, same size)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = conv_norm_act(channels, channels)
        self.conv2 = nn.Sequential(
            nn.Conv3d(channels, channels, 3, padding=1, bias=False),
            nn.InstanceNorm3d(channels, affine=True),
        )
        self.act = nn.LeakyReLU(0.1, inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(x + self.conv2(self.conv1(x)))


class UNetEncoder3D(nn.Module):
    """(1, 1, S, S, S) z-normalised crop -> (1, dense + 8*fine, S/4, S/4, S/4) embedding (see module doc).

    Levels (S = 128): 64^3 x c[0], 32^3 x c[1], 16^3 x c[2], 8^3 x c[3]; decoder path back up to 32^3.
    The full-resolution level is one strided convolution only: at 128^3 every channel costs ~2M voxels.
    """

    def __init__(self, channels=(8, 24, 48, 96), dense: int = 32, fine: int = 4) -> None:
        super().__init__()
        c0, c1, c2, c3 = channels
        self.dense, self.fine = dense, fine
        self.stem = conv_norm_act(1, c0, stride=2)                       # S/2
        self.level0 = conv_norm_act(c0, c0)
        self.down1 = nn.Sequential(conv_norm_act(c0, c1, stride=2), ResBlock(c1))   # S/4
        self.down2 = nn.Sequential(conv_norm_act(c1, c2, stride=2), ResBlock(c2))   # S/8
        self.down3 = nn.Sequential(conv_norm_act(c2, c3, stride=2), ResBlock(c3), ResBlock(c3))  # S/16
        self.up2 = conv_norm_act(c3 + c2, c2)                            # S/8
        self.up1 = nn.Sequential(conv_norm_act(c2 + c1, dense), nn.Conv3d(dense, dense, 1))  # S/4
        # fine features: the pooled image itself plus (fine - 1) learnt edge/texture channels at S/2
        self.fine_head = nn.Conv3d(c0 + 1, fine - 1, 3, padding=1)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        pooled = F.avg_pool3d(image, 2)
        e0 = self.level0(self.stem(image))
        e1 = self.down1(e0)
        e2 = self.down2(e1)
        e3 = self.down3(e2)
        u2 = self.up2(torch.cat([F.interpolate(e3, scale_factor=2.0, mode='trilinear', align_corners=False), e2], 1))
        u1 = self.up1(torch.cat([F.interpolate(u2, scale_factor=2.0, mode='trilinear', align_corners=False), e1], 1))
        fine = torch.cat([pooled, self.fine_head(torch.cat([e0, pooled], 1))], 1)
        return torch.cat([u1, fold2(fine)], 1)

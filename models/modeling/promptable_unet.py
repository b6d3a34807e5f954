"""`fastsam-xr-unet`: the project's own default promptable model - SAM's split (encode once per crop, a light
decoder per click) with a CNN encoder (`unet_encoder.py`) and a click decoder that sees every click
(`click_decoder.py`). Named configurations live here; `build_unet(name)` builds one (weights random).

    encode(image (1,1,S,S,S))                              -> embedding (1, dense+8*fine, S/4, S/4, S/4)
    decode(embedding, coords (1,N,3), labels (1,N), mask (1,1,S/2,S/2,S/2), has_mask (1,))
                                                          -> logits (1,1,S/2,S/2,S/2), iou (1,1)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Sequence, Tuple

import torch
import torch.nn as nn

from .click_decoder import ClickDecoder3D
from .unet_encoder import UNetEncoder3D


@dataclass(frozen=True)
class UNetConfig:
    img_size: int = 128
    channels: Sequence[int] = (8, 24, 48, 96)
    dense: int = 32
    fine: int = 4
    dim: int = 64
    heads: int = 4
    depth: int = 2
    hyper: int = 32
    flood_steps: Tuple[int, int] = (16, 4)  # region-growing rounds (coarse 6 mm, fine 3 mm); see intensity_flood.py
    global_logits: bool = True  # the global path adds to the logits directly (see click_decoder.py)
    global_gate: bool = False  # ... multiplied by a per-voxel gate the local head computes (click_decoder.py)
    unit_gate: bool = False  # ... the same gate as 2 * sigmoid, starting at 1 with slope 0.5 (click_decoder.py)
    description: str = ''

    @property
    def low_res(self) -> int:
        return self.img_size // 2

    @property
    def embedding_shape(self) -> Tuple[int, int, int, int, int]:
        e = self.img_size // 4
        return (1, self.dense + 8 * self.fine, e, e, e)


UNET_CONFIGS: Dict[str, UNetConfig] = {
    'fastsam-xr-unet': UNetConfig(description='promptable residual U-Net: encoder once per 128^3 crop, '
                                               'two-way click decoder + region growing from the clicks + 64^3 local head'),
    'fastsam-xr-unet-local': UNetConfig(global_logits=False, description='fastsam-xr-unet whose global path '
                                        'reaches the logits through the local head only'),
    'fastsam-xr-unet-gated': UNetConfig(global_gate=True, description='fastsam-xr-unet whose direct global logits '
                                        'pass a per-voxel gate computed by the local head'),
    'fastsam-xr-unet-unitgate': UNetConfig(unit_gate=True, description='fastsam-xr-unet whose direct global '
                                           'logits pass a per-voxel gate 2*sigmoid(x) computed by the local head, '
                                           'starting at 1'),
    'tiny-unet': UNetConfig(img_size=32, channels=(4, 8, 8, 16), dense=8, fine=2, dim=16, heads=2, depth=1, hyper=8,
                            flood_steps=(3, 2), description='test-sized promptable U-Net (32^3 crop)'),
}


class PromptableUNet(nn.Module):
    def __init__(self, config: UNetConfig) -> None:
        super().__init__()
        self.config = config
        self.image_encoder = UNetEncoder3D(config.channels, config.dense, config.fine)
        self.decoder = ClickDecoder3D(config.img_size, config.dense, config.fine, config.dim, config.heads,
                                      config.depth, config.hyper, flood_steps=config.flood_steps,
                                      global_logits=config.global_logits, global_gate=config.global_gate,
                                      unit_gate=config.unit_gate)

    def encode(self, image: torch.Tensor) -> torch.Tensor:
        return self.image_encoder(image)

    def decode(self, embedding: torch.Tensor, coords: torch.Tensor, labels: torch.Tensor, mask: torch.Tensor,
               has_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return self.decoder(embedding, coords, labels, mask, has_mask)


def build_unet(name: str) -> PromptableUNet:
    if name not in UNET_CONFIGS:
        raise KeyError(f'unknown promptable U-Net config {name!r} (known: {", ".join(sorted(UNET_CONFIGS))})')
    return PromptableUNet(UNET_CONFIGS[name])

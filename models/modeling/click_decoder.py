"""The per-click decoder of the promptable U-Net (`fastsam-xr-unet`): every click so far, the previous mask and
the cached encoder embedding -> low-resolution mask logits at S/2 (64^3 for a 128^3 crop).

Three paths, cheapest last (per-click cost ~10 ms on a CPU):
1. Global: one token per click (random-Fourier position + label + the dense feature under the click) plus a
   mask and an IoU token go through SAM's two-way transformer over 16^3 coarse image tokens (features pooled
   from the 32^3 dense map + the previous mask). The mask token becomes, through a hypernetwork, a vector
   dotted with the 32^3 dense features: the "which organ" decision sees the whole crop, not a blob around
   the click (what the shipped ViT and per-click convolutions drew).
2. Intensity: the similarity of each fine voxel to the image value under the positive clicks, with a learnt
   width - the cue a region grower uses and a from-scratch network is slow to learn.
3. Region growing: the minimax intensity path cost from the positive clicks and from the negative ones
   (`intensity_flood`, 26-connected at 64^3, ~100 mm far) - the evaluation's HU region growing
   at every tolerance, as an input, so connectivity is given rather than learnt (the blob the first run drew
   after 2600 steps, whatever the organ, was the local head falling back on the click maps).
4. Local: a per-voxel MLP (1x1x1 convolutions only) at 64^3 on [upsampled global logits, previous logits
   (both squashed by tanh(x/4)), fine features, similarity, Gaussian maps of positive and negative clicks,
   the path costs] corrects, at 3 mm, logits that start from the region-growing prior (`FLOOD_PRIOR`)
   plus a small share of the global logits, and lets a negative click cut exactly where it was placed.
   Not `up + head(...)`: then the loss drove the global path to about -9 everywhere but a blob round the
   click within 400 steps, which the small head could not outvote even where region growing said "inside".

Inputs follow the runtime's decoder contract (names, shapes, units) so server, CLI and eval run it unchanged:
    embedding (1, dense + 8*fine, S/4, S/4, S/4), point_coords (1, N, 3) continuous crop voxel indices
    (a0, a1, a2) of the S^3 crop, point_labels (1, N) 1 = positive / 0 = negative, mask_input (1, 1, S/2,
    S/2, S/2) previous logits, has_mask_input (1,) 0 or 1.
Outputs: low_res_logits (1, 1, S/2, S/2, S/2), iou_predictions (1, 1).
"""
from __future__ import annotations

import math
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .common import MLP
from .mask_decoder import TwoWayTransformer3D
from .prompt_encoder import PositionEmbeddingRandom3D
from .intensity_flood import coarse_to_fine_path_cost
from .unet_encoder import unfold2


# The path costs reach the local head as exp(-T / scale): fine resolution near CT's tolerances (0.1 z ~ 40 HU
# in an abdominal crop) and MR's (~0.5 z); (channel, scale) with channel 0 = positive clicks, 1 = negative.
FLOOD_SCALES = ((0, 0.1), (0, 0.4), (1, 0.2))
FLOOD_SEED = 0.5  # seeds: the fine cells where a click's Gaussian map exceeds this (~2.4 cells = 7 mm round it)
# The head's output is scaled up so Adam's per-step moves reach mask-sized logits (|x| ~ 5) within a few
# hundred steps rather than a thousand (the head's weights start small).
HEAD_GAIN = 4.0
# global_gate: the global path's direct logits are multiplied per voxel by sigmoid(gate), the gate read off
# the local head's hidden layer (which sees the region-growing costs, the click maps and the global logits
# themselves). Its weights start at zero and its bias here, sigmoid(3) = 0.95, so a decoder initialised from
# ungated weights starts where they were; training can then close the gate where the flood is sure of a
# voxel (the demo liver: region growing reaches 81 % of it, the global path alone vetoes it with logits ~ -6)
# and keep it open where the flood leaks (small low-contrast organs, which the ungated-free form h lost).
GATE_BIAS = 3.0
# unit_gate: the same gate as 2 * sigmoid(x) with x starting at 0, i.e. gate 1 (the ungated form exactly) with
# slope 0.5 where sigmoid(3) has 0.045: run i's gate (global_gate) hardly moved in 1 200 steps (b 3.00 -> 2.97,
# |w| <= 0.03). It can open past 1 (up to 2) as well as close; its own module name, so run i's trained `gate`
# weights are not read into it.
# The region-growing prior the logits start from: alpha * (exp(-T_pos / 0.4) - beta) - alpha_neg *
# exp(-T_neg / 0.2), i.e. at initialisation "inside" = reached from a positive click within ~0.28 z (about
# 110 HU in an abdominal crop); all three are learnt. Adam moves a weight ~1e-3 per step, so a head that
# starts near zero needs ~1000 steps to say what region growing says on the first step: a run where the
# flood was only a head input still drew a blob at step 185.
FLOOD_PRIOR = (10.0, 0.5, 4.0)


class ClickDecoder3D(nn.Module):
    def __init__(self, crop_size: int = 128, dense: int = 32, fine: int = 4, dim: int = 64, heads: int = 4,
                 depth: int = 2, hyper: int = 32, click_radius: float = 2.0,
                 flood_steps: Tuple[int, int] = (0, 0), global_logits: bool = True,
                 global_gate: bool = False, unit_gate: bool = False) -> None:
        super().__init__()
        self.crop_size, self.dense, self.fine, self.dim, self.hyper = crop_size, dense, fine, dim, hyper
        self.token_grid = crop_size // 8
        self.pe = PositionEmbeddingRandom3D(dim // 2)
        self.pe_proj = nn.Linear(3 * (dim // 2), dim)
        self.token_proj = nn.Linear(dense, dim)
        self.mask_embed = nn.Conv3d(1, dim, 1)
        self.no_mask = nn.Parameter(torch.zeros(1, dim, 1, 1, 1))
        self.label_embed = nn.Parameter(torch.randn(2, dim) * 0.1)  # row 0 negative, row 1 positive
        self.click_feature = nn.Linear(dense, dim)
        self.output_tokens = nn.Parameter(torch.randn(2, dim) * 0.1)  # IoU token, mask token
        self.transformer = TwoWayTransformer3D(depth=depth, embedding_dim=dim, num_heads=heads, mlp_dim=4 * dim)
        self.hyper_mlp = MLP(dim, dim, hyper, 3)
        self.iou_head = MLP(dim, dim, 1, 3)
        self.coarse_to_hyper = nn.Linear(dim, hyper)
        self.dense_to_hyper = nn.Conv3d(dense, hyper, 1)
        # intensity similarity: exp(-(x - mu)^2 / (2 s^2)), s = exp(log_sigma) in z-units of the crop
        self.log_sigma = nn.Parameter(torch.tensor(math.log(0.3)))
        self.click_radius = click_radius  # Gaussian click maps, in fine voxels (3 mm each)
        self.flood_steps = flood_steps  # (coarse, fine) rounds; (0, 0): no region-growing path
        local_in = 2 + fine + 3 + (len(FLOOD_SCALES) if any(flood_steps) else 0)
        self.flood_prior = nn.Parameter(torch.tensor(FLOOD_PRIOR))  # (alpha, beta, alpha_neg), used with a flood
        # the global path's direct share of the logits; global_logits=False: it reaches the logits through the
        # local head only (tanh(up/4) is one of its inputs), so it cannot veto what region growing reached
        self.global_gain = nn.Parameter(torch.tensor(0.25)) if global_logits else None
        self.local = nn.Sequential(nn.Conv3d(local_in, 16, 1), nn.LeakyReLU(0.1), nn.Conv3d(16, 1, 1))
        if (global_gate or unit_gate) and not global_logits:
            raise ValueError('a gate gates the direct global logits: it needs global_logits=True')
        if global_gate and unit_gate:
            raise ValueError('global_gate and unit_gate are two forms of one gate: choose one')
        self.gate = nn.Conv3d(16, 1, 1) if global_gate else None
        if self.gate is not None:
            nn.init.zeros_(self.gate.weight)
            nn.init.constant_(self.gate.bias, GATE_BIAS)
        self.unit_gate = nn.Conv3d(16, 1, 1) if unit_gate else None
        if self.unit_gate is not None:
            nn.init.zeros_(self.unit_gate.weight)
            nn.init.zeros_(self.unit_gate.bias)

    def _gather(self, grid: torch.Tensor, coords: torch.Tensor, scale: int) -> torch.Tensor:
        """Values of grid (1, C, G, G, G) at the cells holding crop voxels `coords` (1, N, 3) -> (1, N, C)."""
        g = grid.shape[2]
        idx = torch.clamp(torch.floor((coords + 0.5) / scale), 0, g - 1).to(torch.int64)
        flat = (idx[..., 0] * g + idx[..., 1]) * g + idx[..., 2]          # (1, N)
        values = grid.flatten(2)                                           # (1, C, G^3)
        return torch.gather(values, 2, flat.unsqueeze(1).expand(-1, values.shape[1], -1)).transpose(1, 2)

    def _click_maps(self, coords: torch.Tensor, labels: torch.Tensor, size: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """Max over clicks of a Gaussian bump at each click, positives and negatives apart: 2 x (1, 1, s, s, s).

        The bump is separable (a product of three 1-D Gaussians): 3*s exponentials per click, not s^3.
        """
        scale = self.crop_size / size
        centre = (torch.arange(size, dtype=coords.dtype, device=coords.device) + 0.5) * scale - 0.5  # fine cell centres in crop voxels
        p = coords[0]                                                           # (N, 3)
        g = torch.exp(-((centre[None, None, :] - p[:, :, None]) / scale) ** 2 / (2 * self.click_radius ** 2))  # (N, 3, s)
        bump = g[:, 0, :, None, None] * g[:, 1, None, :, None] * g[:, 2, None, None, :]                     # (N, s, s, s)
        lab = labels[0][:, None, None, None]
        pos = (bump * lab).amax(0, keepdim=True)[None]
        neg = (bump * (1 - lab)).amax(0, keepdim=True)[None]
        return pos, neg

    def _local_head(self, x: torch.Tensor) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """The 1x1x1 MLP `self.local` as two matrix products over the flattened voxels (a 1x1x1 Conv3d is the
        same function; onnxruntime runs MatMul several times faster than a 3-D convolution at 64^3).
        Returns (head output, gate (0..1, or 0..2 for the unit gate) or None), both (1, 1, s, s, s)."""
        first, act, last = self.local
        flat = x.flatten(2)                                                     # (1, C, s^3)
        h = act(torch.matmul(first.weight.flatten(1), flat) + first.bias[:, None])
        out = (torch.matmul(last.weight.flatten(1), h) + last.bias[:, None]).reshape(1, 1, *x.shape[2:])
        if self.gate is not None:
            gate = torch.sigmoid(torch.matmul(self.gate.weight.flatten(1), h) + self.gate.bias[:, None])
        elif self.unit_gate is not None:
            gate = 2 * torch.sigmoid(torch.matmul(self.unit_gate.weight.flatten(1), h) + self.unit_gate.bias[:, None])
        else:
            return out, None
        return out, gate.reshape(1, 1, *x.shape[2:])

    def _path_costs(self, image: torch.Tensor, coords: torch.Tensor, labels: torch.Tensor, pos: torch.Tensor,
                    neg: torch.Tensor, size: int) -> torch.Tensor:
        """Minimax path cost (1, 2, s, s, s) from the positive (channel 0) and negative (1) clicks over the fine image."""
        smooth = F.avg_pool3d(image, 3, stride=1, padding=1, count_include_pad=False)  # CT noise ~ 0.05 z
        under = self._gather(smooth, coords, self.crop_size // size)[0, :, 0]         # (N,) value at each click
        d = torch.abs(smooth[0] - under[:, None, None, None])                        # (N, s, s, s)
        lab = labels[0][:, None, None, None]
        big = 1e3
        cost = torch.stack([(d + (1 - lab) * big).amin(0), (d + lab * big).amin(0)])[None]  # (1, 2, s, s, s)
        seeds = torch.cat([pos, neg], 1) > FLOOD_SEED
        return coarse_to_fine_path_cost(cost, seeds, *self.flood_steps)

    def forward(self, embedding: torch.Tensor, point_coords: torch.Tensor, point_labels: torch.Tensor,
                mask_input: torch.Tensor, has_mask_input: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        dense = embedding[:, : self.dense]
        fine = unfold2(embedding[:, self.dense:], self.fine)                   # (1, fine, S/2, S/2, S/2)
        fine_size = fine.shape[2]
        has = has_mask_input.reshape(1, 1, 1, 1, 1)
        prev = mask_input * has

        # 1. global path: click tokens x coarse image tokens
        g = self.token_grid
        # fixed kernels (not adaptive pooling): S/4 -> S/8 and S/2 -> S/8, exported as plain AveragePool
        coarse = F.avg_pool3d(dense, 2)
        centre = (torch.arange(g, dtype=dense.dtype, device=dense.device) + 0.5) / g
        t0, t1, t2 = torch.meshgrid(centre, centre, centre, indexing='ij')
        grid_pe = self.pe_proj(self.pe.encode_unit(torch.stack([t0, t1, t2], -1).reshape(1, g ** 3, 3)))
        prior = torch.tanh(F.avg_pool3d(prev, 4) / 4)
        prior_tokens = self.mask_embed(prior) * has + self.no_mask * (1 - has)
        image_tokens = self.token_proj(coarse.flatten(2).transpose(1, 2)) + prior_tokens.flatten(2).transpose(1, 2)
        lab = point_labels.unsqueeze(-1)                                        # (1, N, 1)
        click_pe = self.pe_proj(self.pe.encode_unit((point_coords + 0.5) / self.crop_size))
        clicks = (click_pe + lab * self.label_embed[1] + (1 - lab) * self.label_embed[0]
                  + self.click_feature(self._gather(dense, point_coords, self.crop_size // dense.shape[2])))
        tokens = torch.cat([self.output_tokens.unsqueeze(0), clicks], 1)
        image_grid = image_tokens.transpose(1, 2).reshape(1, self.dim, g, g, g)
        pe_grid = grid_pe.transpose(1, 2).reshape(1, self.dim, g, g, g)
        out_tokens, out_image = self.transformer(image_grid, pe_grid, tokens)
        iou = self.iou_head(out_tokens[:, 0])
        weights = self.hyper_mlp(out_tokens[:, 1])                               # (1, hyper)
        # weights . (upsample(coarse tokens -> hyper) + dense_to_hyper(dense)) / sqrt(hyper), computed with the
        # dot product first: both maps are linear, so this is the same function with one channel upsampled
        # instead of `hyper`, and one 1x1 convolution of `dense` instead of `hyper` of them
        w = weights[0] / math.sqrt(self.hyper)                                  # (hyper,)
        coarse_logit = torch.matmul(self.coarse_to_hyper(out_image[0]), w)       # (g^3,)
        coarse_logit = coarse_logit.reshape(1, 1, g, g, g)
        dense_w = torch.matmul(w, self.dense_to_hyper.weight.flatten(1))         # (dense,)
        dense_logit = (torch.matmul(dense_w, dense[0].flatten(1)) + torch.dot(w, self.dense_to_hyper.bias))
        logits_dense = (F.interpolate(coarse_logit, size=dense.shape[2:], mode='trilinear', align_corners=False)
                        + dense_logit.reshape(1, 1, *dense.shape[2:]))

        # 2. intensity similarity to the positive clicks (0 where there is none)
        image = fine[:, :1]
        n_pos = point_labels.sum()
        under = self._gather(image, point_coords, self.crop_size // fine_size)[..., 0]  # (1, N)
        mu = (under * point_labels).sum() / torch.clamp(n_pos, min=1.0)
        sigma = torch.exp(self.log_sigma)
        similarity = torch.exp(-((image - mu) ** 2) / (2 * sigma * sigma)) * (n_pos > 0).to(image.dtype)

        # 3. local per-voxel refinement at S/2
        up = F.interpolate(logits_dense, size=(fine_size,) * 3, mode='trilinear', align_corners=False)
        pos, neg = self._click_maps(point_coords, point_labels, fine_size)
        # the global logits enter squashed like the previous ones: the head decides (see the module doc)
        parts = [torch.tanh(up / 4), torch.tanh(prev / 4), fine, similarity, pos, neg]
        logits = torch.zeros_like(up)
        if any(self.flood_steps):
            t = self._path_costs(image, point_coords, point_labels, pos, neg, fine_size)
            flood = [torch.exp(-t[:, c:c + 1] / scale) for c, scale in FLOOD_SCALES]
            parts += flood
            alpha, beta, alpha_neg = self.flood_prior[0], self.flood_prior[1], self.flood_prior[2]
            logits = logits + alpha * (flood[1] - beta) - alpha_neg * flood[2]
        head, gate = self._local_head(torch.cat(parts, 1))
        if self.global_gain is not None:
            direct = self.global_gain * up
            logits = logits + (direct if gate is None else gate * direct)
        logits = logits + HEAD_GAIN * head
        return logits, iou

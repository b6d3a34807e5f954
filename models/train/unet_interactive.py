"""The interactive loop of the promptable U-Net, shared by its training and evaluation.

Encode the crop once, then one decoder pass per click with EVERY click so far (what the decoder was built
for) or - with probability `newest_only_p` while training - only the newest one, so the weights also work
under the SAM-Med3D protocol (newest click + previous logits) that older callers use. The previous pass's
raw logits are the mask input (zeros with has_mask_input = 1 before the first click, as the runtime does).

Clicks follow spec §9.1 (`clicks.next_click`) on the prediction upsampled to the crop. The loss is Dice + BCE
at the decoder's own resolution (S/2) against the 2x-pooled target (a soft target: the fraction of each
cell inside), summed over the clicks, plus a small IoU-head regression; the encoder runs forward and
backward once per sample, so extra clicks cost only decoder passes.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from ..modeling.promptable_unet import PromptableUNet
from .clicks import Click, next_click
from .interactive import dice_score


def click_tensors(clicks: List[Click], device: torch.device = torch.device('cpu')) -> Tuple[torch.Tensor, torch.Tensor]:
    coords = torch.tensor([[list(c.point) for c in clicks]], dtype=torch.float32, device=device)
    labels = torch.tensor([[float(c.label) for c in clicks]], dtype=torch.float32, device=device)
    return coords, labels


def soft_dice_bce(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    p = torch.sigmoid(logits)
    dice = 1 - (2 * (p * target).sum() + 1e-5) / (p.sum() + target.sum() + 1e-5)
    return dice + F.binary_cross_entropy_with_logits(logits, target)


def upsample_np(low: torch.Tensor, size: int) -> np.ndarray:
    return F.interpolate(low, size=(size,) * 3, mode='trilinear', align_corners=False)[0, 0].cpu().numpy()


def train_sample(model: PromptableUNet, image: np.ndarray, target: np.ndarray, max_clicks: int,
                 rng: np.random.Generator, newest_only_p: float = 0.3,
                 first_click: Optional[Tuple[int, int, int]] = None) -> Tuple[torch.Tensor, List[float]]:
    """Forward one sample with 1..max_clicks clicks; returns (loss tensor, Dice in the crop after each click).
    `first_click`: a positive first click given by the sampler (the crop's centre, as the app places it);
    None: drawn by the spec 9.1 simulation like every later one."""
    size = image.shape[0]
    device = next(model.parameters()).device  # the training device (--device); numpy stays on the CPU
    x = torch.from_numpy(np.ascontiguousarray(image))[None, None].to(device)
    gt = torch.from_numpy(target.astype(np.float32))[None, None].to(device)
    soft = F.avg_pool3d(gt, 2)
    embedding = model.encode(x)
    low_size = size // 2
    low = torch.zeros(1, 1, low_size, low_size, low_size, device=device)
    has = torch.ones(1, device=device)
    newest_only = rng.random() < newest_only_p
    n_clicks = int(rng.integers(1, max_clicks + 1))
    clicks: List[Click] = []
    prev: Optional[np.ndarray] = None
    total = torch.zeros((), device=device)
    dices: List[float] = []
    for k in range(n_clicks):
        if k == 0 and first_click is not None:
            click = Click(tuple(first_click), 1, 'centre')
        else:
            click = next_click(prev, target, k, rng, 0.0)
        if click is None:
            break
        clicks.append(click)
        coords, labels = click_tensors(clicks[-1:] if newest_only else clicks, device)
        logits, iou = model.decode(embedding, coords, labels, low, has)
        with torch.no_grad():
            pred = logits > 0
            inter = (pred & (soft > 0.5)).sum().float()
            union = (pred | (soft > 0.5)).sum().float()
            actual_iou = inter / torch.clamp(union, min=1.0)
        total = total + soft_dice_bce(logits, soft) + 0.1 * (torch.sigmoid(iou[0, 0]) - actual_iou) ** 2
        low = logits.detach()
        prev = upsample_np(low, size)
        dices.append(dice_score(prev > 0, target))
    return total / max(1, len(dices)), dices


@torch.no_grad()
def evaluate_target(model: PromptableUNet, image: np.ndarray, target: np.ndarray, num_clicks: int,
                    rng: np.random.Generator, threshold: float = 0.5, all_clicks: bool = True) -> List[float]:
    """Spec §9.1/§9.2 Dice in the crop after each click (see interactive.evaluate_target)."""
    size = image.shape[0]
    embedding = model.encode(torch.from_numpy(np.ascontiguousarray(image))[None, None])
    low = torch.zeros(1, 1, size // 2, size // 2, size // 2)
    clicks: List[Click] = []
    prev: Optional[np.ndarray] = None
    dices: List[float] = []
    for k in range(num_clicks):
        click = next_click(prev, target, k, rng, threshold)
        if click is None:
            dices.append(dices[-1] if dices else float('nan'))
            continue
        clicks.append(click)
        coords, labels = click_tensors(clicks if all_clicks else clicks[-1:])
        low, _ = model.decode(embedding, coords, labels, low, torch.ones(1))
        prev = upsample_np(low, size)
        dices.append(dice_score(prev > 0, target))
    return dices

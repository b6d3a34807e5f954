"""The interactive loop shared by training and evaluation (spec §8.3): encode the crop once, then one decoder
step per click with ONLY the newest click plus the previous step's raw low-res logits as mask input (zeros
before the first click), low-res logits upsampled trilinearly (align_corners=False) to the crop.

Training runs the iterative scheme of SAM-Med3D/FastSAM3D `train.py`: several clicks per sample, each drawn
from the errors of the previous prediction and conditioned on the previous low-res logits (detached: the
gradient of each step goes through its own decoder pass and the shared image embedding)."""
from __future__ import annotations

from typing import List, Optional

import numpy as np
import torch
import torch.nn.functional as F

from ..modeling.sam3d import Sam3D
from .clicks import Click, next_click


def decoder_step(model: Sam3D, embedding: torch.Tensor, click: Click, low: torch.Tensor) -> torch.Tensor:
    """One decoder pass -> low-res logits (1,1,L,L,L) (multimask channel 0, the eval path)."""
    points = torch.tensor([[click.point]], dtype=torch.float32)
    labels = torch.tensor([[click.label]], dtype=torch.int64)
    masks, _, _, _ = model.decode_all(embedding, points, labels, low)
    return masks[:, :1]


def upsample(low: torch.Tensor, size: int) -> torch.Tensor:
    return F.interpolate(low, size=(size, size, size), mode='trilinear', align_corners=False)


def dice_bce_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Soft Dice + BCE on the upsampled logits (1,1,S,S,S) vs the binary GT.

    Why both, and why on the upsampled logits: the app thresholds the UPSAMPLED logits, so that is the map
    to get right (SAM-Med3D/FastSAM3D fine-tune with MONAI DiceCELoss on the same map). Dice is insensitive
    to the foreground/background imbalance of small targets in a 128^3 crop (a 30-voxel lesion would
    otherwise be drowned by 2M background voxels); BCE gives well-scaled per-voxel gradients early in
    training, when soft Dice is flat, and keeps the logits calibrated around the threshold 0."""
    p = torch.sigmoid(logits)
    inter = (p * target).sum()
    dice = 1 - (2 * inter + 1e-5) / (p.sum() + target.sum() + 1e-5)
    bce = F.binary_cross_entropy_with_logits(logits, target)
    return dice + bce


def dice_score(pred: np.ndarray, gt: np.ndarray) -> float:
    """2|G & P| / (|G| + |P|); NaN when both are empty (spec §9.2)."""
    s = int(pred.sum()) + int(gt.sum())
    return float('nan') if s == 0 else 2.0 * float((pred & gt).sum()) / s


def train_sample(
    model: Sam3D, image: np.ndarray, target: np.ndarray, num_clicks: int, rng: np.random.Generator,
    threshold: float = 0.0,
) -> tuple:
    """Forward the iterative loop on one sample; returns (summed loss tensor, per-click Dice list)."""
    size = image.shape[0]
    x = torch.from_numpy(np.ascontiguousarray(image))[None, None]
    gt_t = torch.from_numpy(target.astype(np.float32))[None, None]
    embedding = model.image_encoder(x)
    low_size = 4 * model.image_encoder.grid_size
    low = torch.zeros(1, 1, low_size, low_size, low_size)
    prev = None
    total = torch.zeros(())
    dices: List[float] = []
    for k in range(num_clicks):
        click = next_click(prev, target, k, rng, threshold)
        if click is None:
            break
        low_new = decoder_step(model, embedding, click, low)
        up = upsample(low_new, size)
        total = total + dice_bce_loss(up, gt_t)
        low = low_new.detach()
        prev = up.detach()[0, 0].numpy()
        dices.append(dice_score(prev > 0, target))
    return total, dices


@torch.no_grad()
def evaluate_target(
    model: Sam3D, image: np.ndarray, target: np.ndarray, num_clicks: int, rng: np.random.Generator,
    threshold: float = 0.5,
) -> List[float]:
    """The eval protocol of spec §9.1/§9.2: Dice inside the crop after each click (threshold 0 for the
    prediction; the click simulation uses `threshold`, the official 0.5-logit quirk by default). When the
    prediction is already perfect the remaining clicks keep its Dice."""
    size = image.shape[0]
    embedding = model.image_encoder(torch.from_numpy(np.ascontiguousarray(image))[None, None])
    low_size = 4 * model.image_encoder.grid_size
    low = torch.zeros(1, 1, low_size, low_size, low_size)
    prev: Optional[np.ndarray] = None
    dices: List[float] = []
    for k in range(num_clicks):
        click = next_click(prev, target, k, rng, threshold)
        if click is None:
            dices.append(dices[-1] if dices else float('nan'))
            continue
        low = decoder_step(model, embedding, click, low)
        prev = upsample(low, size)[0, 0].numpy()
        dices.append(dice_score(prev > 0, target))
    return dices

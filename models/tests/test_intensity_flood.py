"""The region-growing layer of the promptable U-Net's decoder (`modeling/intensity_flood.py`)."""
from typing import Optional

import nibabel as nib
import numpy as np
import pytest
import torch
from scipy import ndimage

from models.modeling import intensity_flood
from models.modeling.intensity_flood import UNREACHED, coarse_to_fine_path_cost, minimax_path_cost
from models.tests.paths import shared_path


def region_grow(cost: np.ndarray, seed, tol: float) -> np.ndarray:
    """Plain 26-connected region growing: the component of {cost <= tol} holding the seed."""
    lab, _ = ndimage.label(cost <= tol, structure=np.ones((3, 3, 3)))
    return lab == lab[seed] if cost[seed] <= tol else np.zeros(cost.shape, bool)


def real_ct_block(size: int = 40, organ: Optional[int] = None) -> np.ndarray:
    """A z-normalised, lightly smoothed size^3 block of the example CT: at the volume centre, or at the most
    interior voxel of TotalSegmentator label `organ` (5 = liver)."""
    folder = ('data', 'volumes', 'totalsegmentator')
    ct = np.asarray(nib.load(shared_path(*folder, 'example_ct_img.nii.gz')).dataobj, dtype=np.float32)
    if organ is None:
        c = [s // 2 for s in ct.shape]
    else:
        seg = np.rint(np.asarray(nib.load(shared_path(*folder, 'example_ct_seg.nii.gz')).dataobj)) == organ
        c = np.unravel_index(int(np.argmax(ndimage.distance_transform_edt(seg))), seg.shape)
        c = [int(np.clip(x, size // 2, n - size // 2)) for x, n in zip(c, ct.shape)]  # the block fits
    block = ct[c[0] - size // 2:c[0] + size // 2, c[1] - size // 2:c[1] + size // 2, c[2] - size // 2:c[2] + size // 2]
    block = ndimage.uniform_filter(block, 3)  # the decoder floods a smoothed image too (CT noise)
    return (block - block.mean()) / block.std()


def as5d(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))[None, None]


@pytest.mark.parametrize('tol', [0.1, 0.2, 0.5])
def test_threshold_of_the_path_cost_is_region_growing_on_a_real_ct(tol):
    image = real_ct_block()
    seed = (20, 20, 20)
    cost = np.abs(image - image[seed])
    seeds = np.zeros(cost.shape, bool)
    seeds[seed] = True
    t = minimax_path_cost(as5d(cost), as5d(seeds), steps=200)[0, 0].numpy()
    grown = region_grow(cost, seed, tol)
    assert 1 < grown.sum() < grown.size  # neither empty nor everything: the comparison means something
    np.testing.assert_array_equal(t <= tol, grown)


def test_reach_is_one_voxel_per_round():
    cost = np.zeros((1, 1, 16, 16, 16), np.float32)
    seeds = np.zeros_like(cost)
    seeds[0, 0, 0, 0, 0] = 1
    t = minimax_path_cost(torch.from_numpy(cost), torch.from_numpy(seeds), steps=5)[0, 0].numpy()
    reached = np.argwhere(t < UNREACHED)
    assert reached.max() == 5  # Chebyshev distance 5 after 5 rounds, not further
    assert (t[:6, :6, :6] == 0).all()


def test_channels_flood_from_their_own_seeds():
    cost = np.zeros((1, 2, 8, 8, 8), np.float32)
    seeds = np.zeros_like(cost)
    seeds[0, 0, 0, 0, 0] = 1  # channel 1 has no seed
    t = minimax_path_cost(torch.from_numpy(cost), torch.from_numpy(seeds), steps=20)[0].numpy()
    assert (t[0] == 0).all() and (t[1] == UNREACHED).all()


def test_coarse_to_fine_is_an_upper_bound_that_keeps_the_seed_and_does_not_leak_through_a_thin_wall():
    image = real_ct_block(32, organ=5)  # 3 mm voxels, liver round the centre: the decoder's 64^3 scale
    seed = (16, 16, 16)
    cost = np.abs(image - image[seed]).astype(np.float32)
    cost[:, :, 21] = 10.0  # a wall one voxel thick across the volume
    seeds = np.zeros(cost.shape, bool)
    seeds[seed] = True
    exact = minimax_path_cost(as5d(cost), as5d(seeds), steps=200)[0, 0].numpy()
    fast = coarse_to_fine_path_cost(as5d(cost), as5d(seeds), coarse_steps=40, fine_steps=4)[0, 0].numpy()
    assert (fast >= exact - 1e-6).all()
    assert fast[seed] == pytest.approx(cost[seed])
    assert (exact[:, :, 22:] >= 10.0).all() and (fast[:, :, 22:] >= 10.0).all()
    # and in a homogeneous organ it recovers what exact region growing at a CT-like tolerance finds
    assert (exact <= 0.2).sum() > 5000
    assert ((fast <= 0.2) & (exact <= 0.2)).sum() >= 0.95 * (exact <= 0.2).sum()


def test_export_form_of_the_min_filter_equals_the_training_form(monkeypatch):
    t = torch.rand(1, 2, 9, 10, 11) * 5
    t[0, 0, 3, 4, 5] = UNREACHED
    training = intensity_flood.min_filter3(t)
    monkeypatch.setattr(torch.onnx, 'is_in_onnx_export', lambda: True)
    exported = intensity_flood.min_filter3(t)
    torch.testing.assert_close(exported, training, rtol=0, atol=0)
    # and it is the 3^3 minimum over the voxels inside the volume
    ref = ndimage.minimum_filter(t.numpy(), size=(1, 1, 3, 3, 3), mode='nearest')
    np.testing.assert_array_equal(training.numpy(), ref)

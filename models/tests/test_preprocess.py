"""models/preprocess.py on real shared volumes: torchio's size/origin rules, the ITK linear rule
(checked against an independent separable implementation), canonical axes, the single-voxel crop rule,
z-normalisation and the resample -> crop -> paste-back round trip. The TypeScript runtime is compared
against this module in packages/volume/test/prep.test.ts."""
import nibabel as nib
import numpy as np
import pytest

from models import preprocess as pp
from models.tests.paths import shared_path

CT = shared_path('data', 'volumes', 'totalsegmentator', 'example_ct_img.nii.gz')
CT_SEG = shared_path('data', 'volumes', 'totalsegmentator', 'example_ct_seg.nii.gz')
T2 = shared_path('data', 'volumes', 'sct_spine', 't2_img.nii.gz')  # PSR
DICOM_SEG = shared_path('data', 'dicom', 'totalsegmentator_example_ct_series_seg.nii.gz')


def itk_linear_1d(coords, size):
    """ITK LinearInterpolateImageFunction along one axis: (i0, i1, w0, w1), zero weights outside."""
    inside = (coords >= -0.5) & (coords < size - 0.5)
    base = np.maximum(0, np.floor(coords)).astype(np.int64)
    d = np.maximum(0.0, coords - base)
    has_up = (d > 0) & (base + 1 <= size - 1)
    i1 = np.where(has_up, base + 1, base)
    w1 = np.where(has_up, d, 0.0)
    w0 = 1.0 - w1
    w0[~inside], w1[~inside] = 0, 0
    base = np.clip(base, 0, size - 1)
    i1 = np.clip(i1, 0, size - 1)
    return base, i1, w0, w1


def separable_resample(data, affine, spacing=1.5):
    shape, new_affine, ratio, origin = pp.resampled_grid(data.shape, affine, spacing)
    out = data.astype(np.float64)
    for a in range(3):
        coords = origin[a] + ratio[a] * np.arange(shape[a])
        i0, i1, w0, w1 = itk_linear_1d(coords, data.shape[a])
        sh = [1, 1, 1]
        sh[a] = -1
        out = np.take(out, i0, axis=a) * w0.reshape(sh) + np.take(out, i1, axis=a) * w1.reshape(sh)
    return out.astype(np.float32), new_affine


def test_resampled_grid_follows_torchio_rules():
    img = nib.load(CT)
    shape, affine, ratio, origin = pp.resampled_grid(img.shape, img.affine, 1.5)
    assert shape.tolist() == [244, 202, 224]
    np.testing.assert_allclose(origin, [-0.25, -0.25, -0.25])
    np.testing.assert_allclose(np.linalg.solve(img.affine, affine @ [0, 0, 0, 1])[:3], [-0.25] * 3, atol=1e-9)
    seg = nib.load(DICOM_SEG)
    assert pp.resampled_grid(seg.shape, seg.affine, 1.5)[0].tolist() == [334, 334, 27]


def test_linear_resample_equals_an_independent_itk_rule_implementation():
    data, affine = pp.load(T2)
    ours, aff = pp.resample(data, affine, 1.5, order=1)
    ref, ref_aff = separable_resample(data, affine, 1.5)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(aff, ref_aff)
    np.testing.assert_allclose(ours, ref, atol=1e-3)
    assert np.abs(ours).max() > 100  # not trivially zero


def test_canonical_is_ras_and_keeps_world_positions():
    data, affine = pp.load(T2)
    assert nib.aff2axcodes(affine) == ('P', 'S', 'R')
    can, can_aff = pp.to_canonical(data, affine)
    assert nib.aff2axcodes(can_aff) == ('R', 'A', 'S')
    for ijk in [(0, 0, 0), (5, 17, 33), (can.shape[0] - 1, 2, can.shape[2] - 1)]:
        world = can_aff @ [*ijk, 1]
        src = np.round(np.linalg.solve(affine, world)[:3]).astype(int)
        assert can[ijk] == data[tuple(src)]


def test_single_voxel_lands_at_crop_index_64():
    data, affine = pp.load(T2)
    res, res_aff = pp.resample(data, affine, 1.5)
    can, can_aff = pp.to_canonical(res, res_aff)
    p = [20, 30, 25]
    assert pp.torchio_crop_start(p, [x + 1 for x in p], 128) == [x - 64 for x in p]
    centre = (can_aff @ [*p, 1])[:3]
    crop = pp.prepare_model_crop(data, affine, centre)
    assert crop.start == [x - 64 for x in p]
    np.testing.assert_allclose(np.linalg.solve(crop.crop_affine, [*centre, 1])[:3], [64, 64, 64], atol=1e-9)
    # even-size bounding box: centre on a voxel boundary, torchio takes the lower half
    assert pp.torchio_crop_start([10, 10, 10], [14, 15, 12], 128) == [-52, -52, -53]


def test_z_normalisation_over_positive_voxels():
    data, affine = pp.load(CT)
    crop = pp.prepare_model_crop(data, affine, (affine @ [61.3, 50.2, 56.1, 1])[:3])
    raw = crop.input.astype(np.float64) * crop.std + crop.mean
    fg = raw > 1e-3
    assert fg.sum() == crop.count > 100_000
    assert abs(crop.input[fg].mean()) < 1e-5
    assert abs(crop.input[fg].std(ddof=1) - 1) < 1e-5


@pytest.mark.parametrize('label', [5, 1])  # liver, spleen
def test_resample_crop_paste_back_round_trip(label):
    seg, affine = pp.load(CT_SEG)
    res, res_aff = pp.resample(seg, affine, 1.5, order=0)
    can, can_aff = pp.to_canonical(res, res_aff)
    idx = np.argwhere(can == label)
    start = pp.torchio_crop_start(idx.min(axis=0), idx.max(axis=0) + 1, 128)
    mask = (pp.crop_or_pad(can, start, 128) == label).astype(np.uint8)
    crop_aff = can_aff.copy()
    crop_aff[:3, 3] = can_aff[:3, :3] @ np.asarray(start, float) + can_aff[:3, 3]
    pasted = pp.paste_crop_mask(mask, crop_aff, seg.shape, affine)
    c = (np.linalg.inv(crop_aff) @ affine)
    ijk = np.indices(seg.shape).reshape(3, -1)
    cc = c[:3, :3] @ ijk + c[:3, 3:4]
    inside = np.all((cc > -0.5 + 1e-6) & (cc < 127.5 - 1e-6), axis=0).reshape(seg.shape)
    truth = (seg == label).astype(np.uint8)
    assert inside.sum() > 100_000
    np.testing.assert_array_equal(pasted[inside], truth[inside])
    assert truth[inside].sum() > 0.9 * truth.sum()

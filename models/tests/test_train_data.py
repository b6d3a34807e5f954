"""Training data: the subject-level split, real pairs through the runtime preprocessing, augmentations that
keep image and target aligned, target-centred crops, nnU-Net discovery."""
import json
import os

import nibabel as nib
import numpy as np
import pytest

from models.data.augment import flip_rotate, intensity_jitter, paste_synthetic_target
from models.data.cache import load_cached, model_space
from models.data.manifest import parse_manifest
from models.data.pairs import Pair, find_pairs
from models.data.sampler import TargetSampler, centred_crop
from models.data.split import SPLIT_PATH, build_split, load_split
from models import preprocess

from .paths import shared_path


def test_split_has_no_subject_on_both_sides_and_covers_every_pair():
    with open(SPLIT_PATH) as fh:
        split = json.load(fh)
    subjects = parse_manifest(shared_path('data', 'MANIFEST.md'))
    sides_by_pair = load_split()
    for name, s in split['subjects'].items():
        assert s['side'] in ('train', 'held_out') and s['reason']
        assert {sides_by_pair[p] for p in s['pairs']} == {s['side']}
        if name.startswith('extra:'):  # volumes_extra: one distinct subject per pair (its own MANIFEST)
            assert s['pairs'] == [name[len('extra:'):]]
            continue
        # every row of the subject (per the manifest's independence table) is on that one side
        rows = {p.row for p in subjects[name].pairs}
        assert set(s['rows']) == rows
    keys = [p.key for p in find_pairs(shared_path('data', 'volumes'))]
    keys += [p.key for p in find_pairs(shared_path('data', 'volumes_extra'))]
    assert sorted(keys) == sorted(sides_by_pair)  # every pair in the data folder is assigned, none invented
    # subjects sharing a patient are one entry: pat0003's T1c and FLAIR rows are both held out
    assert sides_by_pair['brats2013_deepmedic/pat0003_t1c'] == sides_by_pair['brats2013_deepmedic/pat0003_flair'] == 'held_out'
    assert sides_by_pair['totalsegmentator/example_ct'] == sides_by_pair['totalsegmentator/example_ct_sm'] == 'train'
    assert sides_by_pair['openkbp/pt_286'] == 'held_out' and sides_by_pair['openkbp/pt_4'] == 'train'
    held = {n for n, s in split['subjects'].items() if s['side'] == 'held_out'}
    train = {n for n, s in split['subjects'].items() if s['side'] == 'train'}
    assert held and train and not held & train


def test_committed_split_is_what_the_manifest_gives():
    with open(SPLIT_PATH) as fh:
        assert json.load(fh) == json.loads(json.dumps(build_split(shared_path('data', 'MANIFEST.md'), shared_path('data', 'volumes_extra'))))


def test_real_pair_in_model_space_is_ras_at_1_5_mm_with_its_labels():
    d = shared_path('data', 'volumes', 'sct_spine')
    pair = Pair('sct_spine/t2', os.path.join(d, 't2_img.nii.gz'), os.path.join(d, 't2_seg.nii.gz'))
    img, lab, aff = model_space(pair)
    assert img.shape == lab.shape and img.dtype == np.float32
    assert nib.aff2axcodes(aff) == ('R', 'A', 'S')
    np.testing.assert_allclose(np.sqrt((aff[:3, :3] ** 2).sum(0)), [1.5] * 3, atol=1e-6)
    # identical to the runtime reference pipeline, step by step
    raw, raff = preprocess.load(pair.image)
    ref, ref_aff = preprocess.to_canonical(*preprocess.resample(raw, raff, 1.5, order=1))
    np.testing.assert_array_equal(img, ref)
    np.testing.assert_allclose(aff, ref_aff)
    with open(os.path.join(d, 't2_labels.json')) as fh:
        names = json.load(fh)['labels']
    assert {str(v) for v in np.unique(lab) if v} <= set(names)
    # the cord (label 1) is bright on T2 relative to ... it sits where the image is non-zero
    assert img[lab == 1].min() > 0


@pytest.fixture(scope='module')
def cord_volume(tmp_path_factory):
    d = shared_path('data', 'volumes', 'sct_spine')
    return load_cached(Pair('sct_spine/t2', os.path.join(d, 't2_img.nii.gz'), os.path.join(d, 't2_seg.nii.gz')),
                       cache_dir=str(tmp_path_factory.mktemp('cache')))


@pytest.fixture(scope='module')
def cord_crop(cord_volume):
    vox = np.argwhere(cord_volume.label == 1)
    img, lab, _ = centred_crop(cord_volume, vox[len(vox) // 2], 64)
    image, _, _, _ = preprocess.z_normalise(img)
    return image, lab == 1


def test_flips_and_rotations_keep_the_label_on_the_same_intensities(cord_crop):
    image, target = cord_crop
    before = np.sort(image[target])
    rng = np.random.default_rng(7)
    moved = 0
    for _ in range(8):
        im2, t2 = flip_rotate(image, target, rng)
        np.testing.assert_array_equal(np.sort(im2[t2]), before)  # the label still covers the same voxels' values
        moved += int(not np.array_equal(t2, target))
    assert moved > 0  # the augmentation really changes the geometry
    # a misaligned pair (label flipped, image not) does not pass the same check
    assert not np.array_equal(np.sort(image[np.flip(target, 0)]), before)


def test_intensity_jitter_keeps_shape_and_order_of_most_voxels(cord_crop):
    image, _ = cord_crop
    out = intensity_jitter(image, np.random.default_rng(1))
    assert out.shape == image.shape and out.dtype == np.float32
    assert np.corrcoef(out.ravel(), image.ravel())[0, 1] > 0.9


def test_synthetic_target_is_a_blob_near_the_centre_with_its_own_intensity(cord_crop):
    image, _ = cord_crop
    for seed in range(4):
        out, blob = paste_synthetic_target(image, np.random.default_rng(seed))
        assert blob.sum() >= 20
        centre = np.argwhere(blob).mean(0)
        assert np.all(np.abs(centre - 32) < 20)
        inside, ring = out[blob].mean(), image[blob].mean()
        assert abs(inside - ring) > 0.3  # a contrast the model can find
        changed = np.abs(out - image) > 1e-6
        assert changed[blob].mean() > 0.9  # the blob carries its own texture ...
        idx = np.argwhere(changed)
        assert np.all(idx.max(0) - idx.min(0) < 64)  # ... and only its neighbourhood is touched


def test_sampler_centres_the_crop_near_a_target_voxel(cord_volume):
    vol = cord_volume
    s = TargetSampler([vol], np.random.default_rng(3), size=32, augment=False, jitter=2)
    for _ in range(5):
        sample = s.sample()
        assert sample.image.shape == (32, 32, 32) and sample.target.dtype == bool
        near = sample.target[16 - 2:16 + 3, 16 - 2:16 + 3, 16 - 2:16 + 3]
        assert near.any()  # a target voxel lies within the jitter of the crop centre
        assert sample.label in vol.targets


def test_click_centred_crops_carry_their_click_through_the_augmentation(cord_volume):
    """The app's crop: centred on the first click. The click voxel must follow the flips/rotations and stay a
    target voxel (a click left behind while the target is flipped falls off it)."""
    vol = cord_volume
    size = 32
    plain = TargetSampler([vol], np.random.default_rng(5), size=size, augment=False, synthetic_p=0.0,
                          click_centred_p=1.0)
    for _ in range(3):
        sample = plain.sample()
        assert sample.first_click == (size // 2,) * 3 and sample.target[sample.first_click]
    augmented = TargetSampler([vol], np.random.default_rng(6), size=size, synthetic_p=0.0, click_centred_p=1.0)
    moved = 0
    for _ in range(12):
        sample = augmented.sample()
        assert sample.first_click is not None and sample.target[sample.first_click]
        assert all(c in (size // 2 - 1, size // 2) for c in sample.first_click)  # a flip maps 16 to 15
        moved += sample.first_click != (size // 2,) * 3
    assert moved > 0
    # the default sampler leaves the first click to the trainer's simulation
    assert TargetSampler([vol], np.random.default_rng(5), size=size, augment=False).sample().first_click is None


def test_nnunet_layout_is_found(tmp_path):
    src = shared_path('data', 'volumes', 'monai')
    (tmp_path / 'Dataset001_X' / 'imagesTr').mkdir(parents=True)
    (tmp_path / 'Dataset001_X' / 'labelsTr').mkdir(parents=True)
    os.symlink(os.path.join(src, 'anatomical_img.nii.gz'), tmp_path / 'Dataset001_X' / 'imagesTr' / 'case7_0000.nii.gz')
    os.symlink(os.path.join(src, 'anatomical_seg.nii.gz'), tmp_path / 'Dataset001_X' / 'labelsTr' / 'case7.nii.gz')
    (tmp_path / 'flat').mkdir()
    os.symlink(os.path.join(src, 'anatomical_img.nii.gz'), tmp_path / 'flat' / 'a_img.nii.gz')
    os.symlink(os.path.join(src, 'anatomical_seg.nii.gz'), tmp_path / 'flat' / 'a_seg.nii.gz')
    os.symlink(os.path.join(src, 'anatomical_img.nii.gz'), tmp_path / 'flat' / 'lonely_img.nii.gz')  # no label: ignored
    keys = sorted(p.key for p in find_pairs(str(tmp_path)))
    assert keys == ['Dataset001_X/case7', 'flat/a']
    with pytest.raises(FileNotFoundError):
        find_pairs(str(tmp_path / 'missing'))


def test_size_and_pair_weighting_favour_large_targets_and_multi_target_pairs(tmp_path):
    d = shared_path('data', 'volumes')
    pairs = [p for p in find_pairs(d) if p.key in ('sct_spine/t2_vertlevels', 'sct_spine/t2')]
    vols = [load_cached(p, cache_dir=str(tmp_path)) for p in pairs]
    def draw(**kw):
        s = TargetSampler(vols, np.random.default_rng(0), size=32, augment=False, **kw)
        counts = {}
        for _ in range(400):
            sample = s._try()
            if sample is not None:
                counts[(sample.key, sample.label)] = counts.get((sample.key, sample.label), 0) + 1
        return counts
    uniform, weighted = draw(), draw(size_power=1.0, pair_power=1.0)
    # t2_vertlevels has 4 targets, t2 one: pair weighting draws the 4-target pair ~4x as often
    def share(c, key):
        return sum(n for (k, _), n in c.items() if k == key) / sum(c.values())
    assert share(uniform, 'sct_spine/t2_vertlevels') == pytest.approx(0.5, abs=0.08)
    assert share(weighted, 'sct_spine/t2_vertlevels') == pytest.approx(0.8, abs=0.08)
    # inside t2_vertlevels, the largest level is drawn more often than the smallest when weighted by size
    targets = vols[[v.key for v in vols].index('sct_spine/t2_vertlevels')].targets
    big, small = max(targets, key=targets.get), min(targets, key=targets.get)
    w_ratio = weighted.get(('sct_spine/t2_vertlevels', big), 0) / max(1, weighted.get(('sct_spine/t2_vertlevels', small), 0))
    assert w_ratio > 2


def test_planning_margins_are_never_training_targets():
    from models.data.cache import CachedVolume
    from models.train.common import drop_non_anatomy, label_names
    names = label_names(shared_path('data', 'volumes_extra', 'openkbp', 'pt_4_seg.nii.gz'))
    assert names[10] == 'PTV70' and names[7] == 'Mandible'
    vol = CachedVolume('openkbp/pt_4', np.zeros(1), np.zeros(1), np.eye(4), {7: 50, 10: 900})
    assert drop_non_anatomy(vol, names).targets == {7: 50}


def test_synthseg_samples_have_perfect_labels_of_brain_structures(tmp_path):
    from models.data.synthseg import SynthSegGenerator
    gen = SynthSegGenerator(shared_path('data', 'synthseg'), np.random.default_rng(3), size=64,
                            cache_dir=str(tmp_path), max_maps=1)
    assert all(v > 0 for v in gen.targets) and 24 not in gen.targets  # 24 = extra-cerebral CSF ('background')
    for _ in range(3):
        s = gen.sample()
        assert s.image.shape == s.target.shape == (64, 64, 64) and s.target.any()
        assert s.key.startswith('synthseg/') and s.label in gen.targets
        # the structure differs from its surroundings (random contrast, but one per class)
        assert abs(float(s.image[s.target].mean()) - float(s.image[~s.target].mean())) > 0.05
    assert os.listdir(tmp_path)  # the 1.5 mm label map was cached

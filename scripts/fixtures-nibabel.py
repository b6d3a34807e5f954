"""Regenerates test/fixtures/volume/: small NIfTI variants derived from a real shared file (other byte
order, NIfTI-2, qform-only, pixdim-only, scaled, every datatype, 4D) and nibabel.json, nibabel's view
(shape, affine, value checksums, sampled voxels) of those and of several real shared volumes.
packages/volume's tests compare our reader against it.

    node scripts/run-python.mjs scripts/fixtures-nibabel.py
"""
import gzip
import json
import os
import subprocess

import nibabel as nib
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
SHARED = os.path.abspath(os.environ.get('FASTSAM_SHARED', os.path.join(ROOT, '..', 'shared')))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'volume')

REAL = [
    'volumes/totalsegmentator/example_ct_img.nii.gz',  # int16 CT, RAS
    'volumes/totalsegmentator/example_ct_seg.nii.gz',  # uint8 labels
    'volumes/sct_spine/t2_img.nii.gz',  # int16, PSR (permuted axes)
    'volumes/brats2013_deepmedic/pat0001_t1c_img.nii.gz',  # float32 brain, LPS
    'volumes/pyradiomics/prostate_phantom_img.nii.gz',  # uint16
    'volumes/sct_spine/PAM50_small_template_img.nii.gz',  # uint16, 1x1x2 mm
    'volumes/monai/reoriented_anat_moved_img.nii.gz',  # float32, 4 mm
    'volumes/sct_spine/t2s_img.nii.gz',  # float32, anisotropic 0.5x0.5x7.5
    'dicom/totalsegmentator_example_ct_series_seg.nii.gz',  # sform only (qform_code 0), LAS
    'volumes/open_ms_data/patient07_flair_img.nii.gz',  # float32 182x218x182
    'volumes/totalsegmentator/example_ct_dicom_img.nii.gz',  # the DICOM example series as NIfTI (512x512x20)
]
BASE = 'volumes/sct_spine/mt1_img.nii.gz'  # int16 40x40x5, MIT (spinalcordtoolbox/sct_testing_data)


def describe(path):
    img = nib.load(path)
    data = np.asanyarray(img.dataobj)
    if data.ndim > 3:
        data = data[..., 0]
    rng = np.random.default_rng(7)
    shape = data.shape
    idx = [[0, 0, 0], [s - 1 for s in shape]] + [[int(rng.integers(0, s)) for s in shape] for _ in range(14)]
    d64 = data.astype(np.float64)
    return {
        'shape': [int(s) for s in shape],
        'affine': img.affine.tolist(),
        'dtype': str(data.dtype),
        'sum': float(d64.sum()),
        'sumsq': float((d64 * d64).sum()),
        'min': float(d64.min()),
        'max': float(d64.max()),
        'samples': [{'ijk': i, 'value': float(data[tuple(i)])} for i in idx],
        'sform_code': int(img.header['sform_code']),
        'qform_code': int(img.header['qform_code']),
    }


def variants():
    base = nib.load(os.path.join(SHARED, 'data', BASE))
    data = np.asanyarray(base.dataobj).astype(np.int16)
    aff = base.affine
    out = {}

    def save(name, img):
        p = os.path.join(OUT, name)
        nib.save(img, p)
        out[name] = p

    save('mt1_le.nii', nib.Nifti1Image(data, aff))
    img = nib.Nifti1Image(data, aff)
    save('mt1_be.nii', nib.Nifti1Image(data.astype('>i2'), aff, img.header.as_byteswapped('>')))
    save('mt1_nifti2.nii.gz', nib.Nifti2Image(data, aff))
    img2 = nib.Nifti2Image(data.astype('>f8'), aff)
    save('mt1_nifti2_be_f64.nii', nib.Nifti2Image(data.astype('>f8'), aff, img2.header.as_byteswapped('>')))
    # qform only, oblique, with qfac -1: a rotation about two axes and a flipped third axis.
    ca, sa, cb, sb = np.cos(0.3), np.sin(0.3), np.cos(-0.2), np.sin(-0.2)
    rot = np.array([[ca, -sa, 0], [sa, ca, 0], [0, 0, 1]]) @ np.array([[1, 0, 0], [0, cb, -sb], [0, sb, cb]])
    q_aff = np.eye(4)
    q_aff[:3, :3] = rot @ np.diag([0.8, 0.9, -2.5])
    q_aff[:3, 3] = [10.5, -20.25, 30.0]
    img = nib.Nifti1Image(data, None)
    img.set_qform(q_aff, code=1)
    img.set_sform(aff * 2, code=0)  # sform numbers present but code 0: must be ignored
    save('mt1_qform_only.nii.gz', img)
    # Neither form: nibabel always writes an sform for a new image, so patch the codes in the bytes.
    img = nib.Nifti1Image(data, np.diag([0.7, 0.8, 3.0, 1.0]))
    img.header['vox_offset'] = 352
    img.header.set_data_dtype(np.int16)
    raw = bytearray(img.header.binaryblock + b'\0' * 4 + data.astype('<i2').tobytes(order='F'))
    raw[252:256] = b'\0\0\0\0'  # qform_code = sform_code = 0 (int16 each, little-endian)
    p = os.path.join(OUT, 'mt1_pixdim_only.nii.gz')
    with gzip.open(p, 'wb') as f:
        f.write(bytes(raw))
    out['mt1_pixdim_only.nii.gz'] = p
    # both set, different: sform wins
    img = nib.Nifti1Image(data, aff)
    img.set_qform(q_aff, code=1)
    img.set_sform(aff, code=2)
    save('mt1_sform_over_qform.nii.gz', img)
    img = nib.Nifti1Image(data, aff)
    img.header.set_slope_inter(0.5, -10.0)
    save('mt1_scaled.nii.gz', img)
    d = data.astype(np.float64)
    lo, hi = d.min(), d.max()
    u8 = np.round((d - lo) / (hi - lo) * 255)
    for name, arr in [
        ('uint8', u8.astype(np.uint8)),
        ('int8', (u8 - 128).astype(np.int8)),
        ('uint16', (d - lo).astype(np.uint16)),
        ('int32', (d * 1000).astype(np.int32)),
        ('uint32', ((d - lo) * 100000).astype(np.uint32)),
        ('float32', (d / 7).astype(np.float32)),
        ('float64', (d / 7).astype(np.float64)),
    ]:
        img = nib.Nifti1Image(arr, aff)
        img.header.set_data_dtype(arr.dtype)
        save(f'mt1_{name}.nii.gz', img)
    four = np.stack([data, data + 1, data * 2], axis=-1)
    save('mt1_4d.nii.gz', nib.Nifti1Image(four, aff))
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    made = variants()
    report = {'real': {}, 'variants': {}}
    for rel in REAL:
        report['real'][rel] = describe(os.path.join(SHARED, 'data', rel))
    for name, p in made.items():
        report['variants'][name] = describe(p)
    with open(os.path.join(OUT, 'nibabel.json'), 'w') as f:
        json.dump(report, f, indent=1)
        f.write('\n')
    # Keep `npm run lint` (prettier --check) green for the generated JSON.
    subprocess.run(['npx', 'prettier', '--write', os.path.join(OUT, 'nibabel.json')], cwd=ROOT, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f'wrote {len(made)} variants and nibabel.json to {OUT}')


if __name__ == '__main__':
    main()

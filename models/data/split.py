"""Subject-level train / held-out split derived from the manifest's independence table.

Every row of one subject (two contrasts of one patient, two time points, a sub-block of a scan) goes to the
same side, so no held-out Dice is measured on a patient the model was trained on. The held-out subjects are
chosen to cover what the issue's targets name: brain tumour (BRATS, TCIA glioblastoma), MS lesions and CT
organs. `python -m models.data.split [--manifest M] [--out models/data/split.json]` rewrites the committed file.
"""
from __future__ import annotations

import argparse
import json
import os
from typing import Dict

from .manifest import parse_manifest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SPLIT_PATH = os.path.join(os.path.dirname(__file__), 'split.json')


def shared_dir() -> str:
    return os.path.abspath(os.environ.get('FASTSAM_SHARED', os.path.join(REPO_ROOT, '..', 'shared')))


HELD_OUT = {
    'BRATS2013-pat0003': 'brain tumour (BRATS 2013 manual labels, T1c + FLAIR rows of one patient); the deepmedic '
                         'repo itself files pat0003 under validation',
    'PGBM-006': 'glioblastoma (TCIA Brain-Tumor-Progression expert masks), both time points of the patient held out',
    'MS-patient19': 'MS white-matter lesions (manual consensus), a distinct patient from MS-patient07 (trained)',
    'TS-example-DICOM': 'CT organs (liver, kidneys, aorta ... TotalSegmentator output): the only CT besides the demo '
                        'CT; a separate acquisition from TS-example-CT (whether it is another patient is not '
                        'documented, so CT generalisation numbers are optimistic at worst)',
}
TRAIN_REASON = {
    'TS-example-CT': 'the demo CT (both rows: example_ct_sm is a sub-block of example_ct) - trained on, so the demo is NOT a held-out measurement',
    'prostate-phantom (not a patient)': 'phantom, not a patient: training only',
    'PAM50 template (population average)': 'template, not a patient: training only',
    'dcmqi ct-3slice': 'three CT slices only: too thin for a 3D held-out measurement',
    'SCT errsm_30': 'all 7 spine rows are one subject: kept together on the training side',
    'MONAI-anatomical': 'both rows are one subject (a moved copy): kept together on the training side',
}


# volumes_extra (its own MANIFEST: every pair a distinct subject). OpenKBP's own test patients are held out:
# head-and-neck organs at risk, a CT region no other held-out subject covers.
HELD_OUT_EXTRA = {f'openkbp/pt_{n}' for n in (247, 260, 265, 269, 282, 286)}


def extra_subjects(extra_dir: str) -> Dict:
    """split.json entries for the pairs of `volumes_extra/` (one subject per pair)."""
    from .pairs import find_pairs
    out = {}
    if not os.path.isdir(extra_dir):
        return out
    for pair in find_pairs(extra_dir):
        held = pair.key in HELD_OUT_EXTRA
        out[f'extra:{pair.key}'] = {
            'side': 'held_out' if held else 'train',
            'reason': ('OpenKBP test patient (manual head-and-neck organs at risk), held out' if held
                       else 'volumes_extra training subject (distinct patient per its MANIFEST)'),
            'rows': [],
            'pairs': [pair.key],
        }
    return out


def build_split(manifest_path: str, extra_dir: str = '') -> Dict:
    subjects = parse_manifest(manifest_path)
    unknown = sorted(set(HELD_OUT) - set(subjects))
    if unknown:
        raise ValueError(f'held-out subjects not in the manifest: {unknown}')
    out = {'source': 'MANIFEST.md independence table', 'rule': 'split by subject, never by row', 'subjects': {}}
    for name, s in subjects.items():
        if not s.pairs:
            continue  # rows listed in the independence table whose pairs are not in the data folder
        side = 'held_out' if name in HELD_OUT else 'train'
        reason = HELD_OUT.get(name) or TRAIN_REASON.get(name) or f'training subject ({s.independent})'
        out['subjects'][name] = {
            'side': side,
            'reason': reason,
            'rows': [p.row for p in s.pairs],
            'pairs': [f'{p.dataset}/{p.case}' for p in s.pairs],
        }
    if extra_dir:
        out['subjects'].update(extra_subjects(extra_dir))
    return out


def load_split(path: str = SPLIT_PATH) -> Dict[str, str]:
    """{'dataset/case': 'train' | 'held_out'} from split.json."""
    with open(path, encoding='utf-8') as fh:
        split = json.load(fh)
    return {pair: s['side'] for s in split['subjects'].values() for pair in s['pairs']}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description='write the subject-level split')
    p.add_argument('--manifest', default=os.path.join(shared_dir(), 'data', 'MANIFEST.md'))
    p.add_argument('--extra', default=os.path.join(shared_dir(), 'data', 'volumes_extra'))
    p.add_argument('--out', default=SPLIT_PATH)
    a = p.parse_args(argv)
    split = build_split(a.manifest, a.extra)
    with open(a.out, 'w', encoding='utf-8') as fh:
        json.dump(split, fh, indent=2)
        fh.write('\n')
    sides = [s['side'] for s in split['subjects'].values()]
    print(f'wrote {a.out}: {sides.count("train")} training subjects, {sides.count("held_out")} held out')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())

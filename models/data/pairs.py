"""Find image/label pairs: `<case>_img.nii.gz` + `<case>_seg.nii.gz` anywhere under a folder, and nnU-Net
style `imagesTr/<case>_0000.nii.gz` + `labelsTr/<case>.nii.gz`. A pair's key is `<folder>/<case>` (the folder
holding it, relative to the root's parent layout `volumes/<dataset>/...`), which is what split.json names."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import List


@dataclass(frozen=True)
class Pair:
    key: str        # '<dataset>/<case>'
    image: str
    label: str


def find_pairs(root: str) -> List[Pair]:
    if not os.path.isdir(root):
        raise FileNotFoundError(f'data folder not found: {root}')
    pairs: List[Pair] = []
    for dirpath, _, files in sorted(os.walk(root)):
        names = set(files)
        base = os.path.basename(dirpath)
        if base == 'imagesTr':
            labels_dir = os.path.join(os.path.dirname(dirpath), 'labelsTr')
            dataset = os.path.basename(os.path.dirname(dirpath))
            for f in sorted(names):
                if f.endswith('_0000.nii.gz'):
                    case = f[: -len('_0000.nii.gz')]
                    lab = os.path.join(labels_dir, case + '.nii.gz')
                    if os.path.isfile(lab):
                        pairs.append(Pair(f'{dataset}/{case}', os.path.join(dirpath, f), lab))
            continue
        for f in sorted(names):
            if f.endswith('_img.nii.gz'):
                case = f[: -len('_img.nii.gz')]
                seg = case + '_seg.nii.gz'
                if seg in names:
                    rel = os.path.relpath(dirpath, root)
                    dataset = base if rel != '.' else os.path.basename(os.path.abspath(root))
                    pairs.append(Pair(f'{dataset}/{case}', os.path.join(dirpath, f), os.path.join(dirpath, seg)))
    return pairs

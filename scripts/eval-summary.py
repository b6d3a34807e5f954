"""Summarise `fastsam-xr eval --json` reports: Dice inside the crop at 1/3/5/10 clicks per target group, for
the model and the region-growing baseline, averaged over click seeds (each seed's mean over targets first).

  python3 scripts/eval-summary.py REPORT.json [REPORT.json ...]      (reports of one model; any seeds/folders)

Groups follow packages/eval/src/groups.ts (brain tumour, MS lesion, CT organ (large) >= 10k voxels at
1.5 mm, CT organ, other); 'all' is every target. Prints one JSON document.
"""
import json
import sys
from collections import defaultdict

TUMOUR = {'brats2013_deepmedic', 'tcia_brain_tumor_progression'}
CT_DATASETS = {'openkbp', 'clara_msd_spleen', 'slicer_tutorial_cc'}
CT_CASES = {'totalsegmentator/example_ct', 'totalsegmentator/example_ct_sm', 'totalsegmentator/example_ct_dicom',
            'dcmqi/ct_3slice'}
CLICKS = ('1', '3', '5', '10')


def group(case: str, voxels: int) -> str:
    ds = case.split('/')[0]
    if ds in TUMOUR or case == 'pyradiomics/brain1':
        return 'brain tumour'
    if ds == 'open_ms_data':
        return 'MS lesion'
    if case in CT_CASES or ds in CT_DATASETS:
        return 'CT organ (large)' if voxels >= 10_000 else 'CT organ'
    return 'other'


def main(paths):
    by_seed = defaultdict(list)   # seed -> [case rows]
    name = None
    for p in paths:
        with open(p) as fh:
            d = json.load(fh)
        name = d['protocol']['model']['name']
        by_seed[d['protocol']['seed']].extend(d['cases'])
    out = {'model': name, 'seeds': sorted(by_seed), 'targets': None, 'groups': {}}
    per_seed = defaultdict(lambda: defaultdict(list))  # (group, who) -> seed -> [mean per k]
    for seed, rows in by_seed.items():
        out['targets'] = len(rows)
        acc = defaultdict(lambda: defaultdict(list))
        for r in rows:
            for g in (group(r['case'], r['voxels']), 'all'):
                for k in CLICKS:
                    acc[(g, 'model')][k].append(r['dice'][k])
                    if r.get('baseline'):
                        acc[(g, 'baseline')][k].append(r['baseline']['dice'][k])
        for key, ks in acc.items():
            per_seed[key][seed] = {k: sum(v) / len(v) for k, v in ks.items() if v}
            per_seed[key]['n'] = len(ks['1'])
    for (g, who), seeds in sorted(per_seed.items()):
        n = seeds.pop('n')
        vals = list(seeds.values())
        out['groups'].setdefault(g, {'targets': n})[who] = {
            k: round(sum(v[k] for v in vals) / len(vals), 4) for k in CLICKS}
        out['groups'][g][who + '_seed_spread@5'] = round(max(v['5'] for v in vals) - min(v['5'] for v in vals), 4)
    print(json.dumps(out, indent=1))


if __name__ == '__main__':
    main(sys.argv[1:])

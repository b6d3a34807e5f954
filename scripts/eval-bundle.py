"""Bundle the held-out reports of `scripts/eval-heldout.sh` into the `heldout_eval.json` a model folder ships:
the 3-seed summaries it wrote (TAG-summary.json) per crop mode, the peer's where it was run, and the pairs and
targets they cover (so a test can check that none is a training subject).

  python3 scripts/eval-bundle.py --model TAG_GT_CENTRED --first-click TAG_FC [--peer TAG] [--peer-first-click TAG] \
      --out models/weights/NAME/heldout_eval.json
"""
import argparse
import glob
import json
import os

EVAL_DIR = os.path.join(os.path.dirname(__file__), '..', '.cache', 'eval')


def summary(tag: str) -> dict:
    """The 3-seed summary eval-heldout.sh wrote for TAG (scripts/eval-summary.py), with its report files."""
    path = os.path.join(EVAL_DIR, f'{tag}-summary.json')
    if not os.path.isfile(path):
        raise SystemExit(f'eval-bundle: no {tag}-summary.json in .cache/eval (run scripts/eval-heldout.sh first)')
    with open(path) as fh:
        result = json.load(fh)
    reports = sorted(glob.glob(os.path.join(EVAL_DIR, f'{tag}-volumes*-20*.json')))
    return {'reports': [os.path.basename(r) for r in reports], **result}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument('--model', required=True)
    p.add_argument('--first-click', required=True)
    p.add_argument('--peer')
    p.add_argument('--peer-first-click')
    p.add_argument('--out', required=True)
    a = p.parse_args()
    first = sorted(glob.glob(os.path.join(EVAL_DIR, f'{a.model}-volumes*-2023.json')))
    cases, targets = set(), []
    for path in first:
        with open(path) as fh:
            for c in json.load(fh)['cases']:
                cases.add(c['case'])
                targets.append(f"{c['case']}#{c['label']}")
    bundle = {'protocol': 'fastsam-xr eval, held-out side of models/data/split.json, click seeds 2023/2024/2025 '
                          '(bash scripts/eval-heldout.sh MODEL TAG [first-click]); Dice inside the crop',
              'cases': sorted(cases), 'targets': targets,
              'crops': {'gt-center': summary(a.model), 'first-click': summary(a.first_click)}}
    peer = {k: summary(t) for k, t in (('gt-center', a.peer), ('first-click', a.peer_first_click)) if t}
    if peer:
        bundle['peer'] = peer
    with open(a.out, 'w') as fh:
        json.dump(bundle, fh, indent=1)
        fh.write('\n')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())

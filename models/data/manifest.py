"""Parse the shared data MANIFEST.md: the pairs table (row -> dataset, case, subject) and the independence
table (subject -> rows, relation). The split is made BY SUBJECT from these, never by row."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Dict, List


@dataclass
class PairRow:
    row: int
    dataset: str
    case: str
    modality: str
    region: str
    subject: str


@dataclass
class Subject:
    name: str
    rows: List[int]
    independent: str
    relation: str
    pairs: List[PairRow] = field(default_factory=list)


class ManifestError(Exception):
    pass


def _table(lines: List[str], start: int) -> List[List[str]]:
    """Rows of the markdown table whose header is at lines[start] (separator row skipped)."""
    out = []
    for line in lines[start + 2:]:
        if not line.startswith('|'):
            break
        out.append([c.strip() for c in line.strip().strip('|').split('|')])
    return out


def parse_manifest(path: str) -> Dict[str, Subject]:
    """{subject name: Subject} with the pairs of each subject attached (subjects without pairs keep [])."""
    if not os.path.isfile(path):
        raise ManifestError(f'manifest not found: {path}')
    with open(path, encoding='utf-8') as fh:
        lines = fh.read().splitlines()
    pairs_at = next((i for i, l in enumerate(lines) if l.startswith('| # | dataset | case |')), None)
    indep_at = next((i for i, l in enumerate(lines) if l.startswith('| subject / scan | rows |')), None)
    if pairs_at is None or indep_at is None:
        raise ManifestError(f'{path}: pairs table or independence table not found')
    header = [c.strip() for c in lines[pairs_at].strip().strip('|').split('|')]
    col = {name: header.index(name) for name in ('#', 'dataset', 'case', 'modality', 'region', 'subject')}
    rows: Dict[int, PairRow] = {}
    for cells in _table(lines, pairs_at):
        r = int(cells[col['#']])
        rows[r] = PairRow(r, cells[col['dataset']], cells[col['case']], cells[col['modality']], cells[col['region']], cells[col['subject']])
    subjects: Dict[str, Subject] = {}
    for cells in _table(lines, indep_at):
        name, row_list, independent, relation = cells[0], cells[1], cells[2], cells[3] if len(cells) > 3 else ''
        nums = [int(x) for x in re.findall(r'\d+', row_list)]
        subjects[name] = Subject(name, nums, independent, relation)
    for r, pair in rows.items():
        owner = [s for s in subjects.values() if r in s.rows]
        if len(owner) != 1:
            raise ManifestError(f'row {r} ({pair.dataset}/{pair.case}) belongs to {len(owner)} subjects in the independence table')
        if owner[0].name != pair.subject:
            raise ManifestError(f'row {r}: pairs table says subject {pair.subject!r}, independence table {owner[0].name!r}')
        owner[0].pairs.append(pair)
    return subjects

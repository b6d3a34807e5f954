/**
 * Target groups of the shared data set, for the acceptance numbers (Dice@5 on brain tumours,
 * on large CT organs). The same rules as TRAIN's Python evaluation (`models/train/evaluate.py`
 * `group_of`), so the two reports can be read side by side. Unknown data falls in 'other'.
 */
export type TargetGroup = 'brain tumour' | 'MS lesion' | 'CT organ (large)' | 'CT organ' | 'other'

const TUMOUR_DATASETS = new Set(['brats2013_deepmedic', 'tcia_brain_tumor_progression'])
const TUMOUR_CASES = new Set(['pyradiomics/brain1'])
const CT_CASES = new Set([
  'totalsegmentator/example_ct',
  'totalsegmentator/example_ct_sm',
  'totalsegmentator/example_ct_dicom',
  'dcmqi/ct_3slice',
])
/** Datasets that are CT throughout (volumes_extra: head-and-neck OARs, spleen, neck-to-thigh PET/CT). */
const CT_DATASETS = new Set(['openkbp', 'clara_msd_spleen', 'slicer_tutorial_cc'])
/** A CT organ with at least this many voxels at 1.5 mm (≈ 34 mL) is 'large'. */
export const LARGE_ORGAN_VOXELS = 10_000

export function groupOf(caseKey: string, voxels: number): TargetGroup {
  const dataset = caseKey.split('/')[0]
  if (TUMOUR_DATASETS.has(dataset) || TUMOUR_CASES.has(caseKey)) return 'brain tumour'
  if (dataset === 'open_ms_data') return 'MS lesion'
  if (CT_CASES.has(caseKey) || CT_DATASETS.has(dataset))
    return voxels >= LARGE_ORGAN_VOXELS ? 'CT organ (large)' : 'CT organ'
  return 'other'
}

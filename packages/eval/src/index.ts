export { EvalError, type EvalErrorCode } from './errors.ts'
export { Rng } from './rng.ts'
export { edtBlackBorder, squaredEdtBlackBorder, squaredEdtBlackBorderInBox, type Dims3 } from './edt.ts'
export {
  CLICK_LOGIT_THRESHOLD,
  errorMaps,
  nextClick,
  randomClick,
  ritmClick,
  type Click,
  type ClickMethod,
  type ErrorMaps,
} from './clicks.ts'
export { dice } from './dice.ts'
export { baselineInput, regionGrow, CT_TOLERANCE_HU, DEFAULT_TOLERANCE } from './baseline.ts'
export { findPairs, type Pair } from './pairs.ts'
export { groupOf, LARGE_ORGAN_VOXELS, type TargetGroup } from './groups.ts'
export { selectCases, selectSplit, splitKeys } from './split.ts'
export { labelGeometry, targetBox, targetWindow, type LabelGeometry, type Target } from './targets.ts'
export { FOLD_MODES, type FoldMode } from './foldMode.ts'
export { sessionPredictor, type SessionPredictor } from './sessionPredictor.ts'
export { CROP_MODES, firstClickCrop, gtCentreCrop, type CropMode, type TargetCrop } from './crop.ts'
export { simulateInteraction, type ClickRecord, type Prediction, type Predictor } from './interaction.ts'
export {
  DEFAULT_CLICKS,
  DEFAULT_MIN_VOXELS,
  DEFAULT_SEED,
  evaluatePairs,
  type EvalOptions,
} from './evaluate.ts'
export {
  BASELINE_METHOD,
  formatTable,
  reportJson,
  summarise,
  type ByClicks,
  type EvalReport,
  type GroupMeans,
  type Protocol,
  type SkippedTarget,
  type TargetResult,
} from './report.ts'

export {
  EMPTY_MASK_STATE,
  foldPrompts,
  PromptFoldError,
  touchesCropFace,
  type FoldOptions,
  type FoldResult,
  type LoggedPrompt,
  type MaskState,
} from './fold.ts'
export { SegmentSession } from './session.ts'
export {
  continuingFaces,
  extendAcrossFaces,
  MAX_EXTENSION_CROPS,
  planExtension,
  shiftLogits,
  type ExtensionCrop,
  type TouchedFace,
} from './cropExtension.ts'
export { connectedToSeeds } from './connectedPart.ts'
export { cropBoxInVolume, insideVolume } from './cropBox.ts'
export { copyBox, restoreBox, unionCropMask } from './cropPaste.ts'
export { meshSegment, type SegmentMesh } from './segmentMesh.ts'

/**
 * A segment's mask as a fold over its prompt history — the one segmentation core that the server's jobs,
 * `fastsam-xr segment` and the evaluation all run (model-spec §8.3): the first prompt centres a 128³ crop
 * (encoded once, cached by the runtime); each later prompt is one decoder pass with the crop's clicks as
 * the model takes them (`Segmenter.promptsForPass`: the newest only for FastSAM3D, all for the default
 * model) and the previous pass's low-res logits as mask input. A prompt outside the current crop
 * re-centres it: the new crop replays the earlier prompts that fall inside it, and its mask is pasted
 * over the segment's mask (voxels outside the new crop keep the old crop's result, so a large organ
 * grows crop by crop instead of being cut flat).
 *
 * With crop extension on, each crop result that touches a face where the volume continues is
 * extended across it (cropExtension.ts): a neighbouring crop's continuing part is unioned in.
 *
 * The fold is deterministic, so any history state (after undo, redo, a restart) is reproduced by
 * replaying it; when the history only grew since the last fold, the fold continues from there. The
 * current crop's contribution (its paste and extensions) is an overlay over the mask of the crops
 * left behind, whose values under it are kept (`overlay.underlay`): a refining click takes the old
 * overlay back out before pasting the new one, exactly as a replay from scratch would never have
 * pasted it.
 */
import { unionBox, type VoxelBox } from '@fastsam-xr/geometry'
import type { CropFace } from '@fastsam-xr/protocol'
import {
  promptsToDecoderPoints,
  RuntimeError,
  type EncodedCrop,
  type Prompt,
  type Segmenter,
} from '@fastsam-xr/runtime'
import { pasteCropMask, type Volume } from '@fastsam-xr/volume'
import { cropBoxInVolume } from './cropBox.ts'
import { extendAcrossFaces, type ExtensionCrop } from './cropExtension.ts'
import { copyBox, restoreBox, unionCropMask } from './cropPaste.ts'

/** A prompt of a segment's log: its place in the log (`seq`, unique within it) and the click. */
export interface LoggedPrompt extends Prompt {
  seq: number
}

export interface MaskState {
  /** the prompts (by seq) folded into this state, in order. */
  seqs: number[]
  encoded: EncodedCrop | null
  logits: Float32Array | null
  /** Volume-order mask (1 = inside), or null while empty. */
  mask: Uint8Array | null
  /** the decoder's predicted IoU of the last pass. */
  iou: number | null
  /** the current crop's mask reaches a face of the crop: the object may continue beyond it. */
  touchesCropBorder: boolean
  /** the faces of the current crop its mask was extended across. */
  extendedFaces: CropFace[]
  /** where the current crop's result was written, and the mask's values there before it. */
  overlay: { box: VoxelBox; underlay: Uint8Array } | null
}

export const EMPTY_MASK_STATE: MaskState = {
  seqs: [],
  encoded: null,
  logits: null,
  mask: null,
  iou: null,
  touchesCropBorder: false,
  extendedFaces: [],
  overlay: null,
}

export interface FoldOptions {
  /** extend crop results across the crop faces they touch (cropExtension.ts). */
  extendCrops: boolean
}

/** Whether a size³ C-order crop mask has an inside voxel on any of its six faces. */
export function touchesCropFace(cropMask: Uint8Array, size: number): boolean {
  const last = size - 1
  for (let a = 0; a < size; a++)
    for (let b = 0; b < size; b++) {
      // faces a0 = 0 / last, a1 = 0 / last, a2 = 0 / last
      if (cropMask[size * a + b] || cropMask[size * size * last + size * a + b]) return true
      if (cropMask[size * size * a + b] || cropMask[size * size * a + size * last + b]) return true
      if (cropMask[size * size * a + size * b] || cropMask[size * size * a + size * b + last]) return true
    }
  return false
}

export interface FoldResult {
  state: MaskState
  /** voxels whose value may have changed (null with `whole`). */
  changed: VoxelBox | null
  /** true when the fold restarted from scratch: every voxel may have changed. */
  whole: boolean
  /** crop encodes (model + preprocessing) and decoder passes this fold ran, extensions excluded. */
  encodes: number
  decodes: number
  /** encoder time including its preprocessing (`preprocessMs`, the resampling and normalisation). */
  encodeMs: number
  preprocessMs: number
  decodeMs: number
  postprocessMs: number
  /** neighbouring crops: their encodes, decodes and connected parts. */
  extendMs: number
}

/** A prompt the model could not answer (e.g. a crop without tissue); the caller withdraws it. */
export class PromptFoldError extends Error {
  constructor(
    readonly seq: number,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause))
  }
}

function insideCrop(encoded: EncodedCrop, p: LoggedPrompt): boolean {
  try {
    promptsToDecoderPoints(encoded.crop, [{ pointWorldRas: p.pointWorldRas, positive: p.positive }])
    return true
  } catch (err) {
    if (err instanceof RuntimeError && err.code === 'prompt-outside-crop') return false
    throw err
  }
}

/**
 * The prompts of `folded` that the fold decoded in `encoded`'s crop, oldest first: when a crop is
 * (re-)encoded every earlier prompt inside it is decoded again, and later ones stay in it (a prompt
 * outside opens a new crop), so it is exactly those inside it.
 */
function cropHistory(encoded: EncodedCrop, folded: readonly LoggedPrompt[]): Prompt[] {
  return folded
    .filter((q) => insideCrop(encoded, q))
    .map((q) => ({ pointWorldRas: q.pointWorldRas, positive: q.positive }))
}

function isPrefix(seqs: number[], prompts: readonly LoggedPrompt[]): boolean {
  return seqs.length <= prompts.length && seqs.every((s, n) => prompts[n].seq === s)
}

/** Folds `prompts` on top of `from` (or from scratch when `from` is not a prefix of them). */
export async function foldPrompts(
  segmenter: Segmenter | null,
  volume: Volume,
  from: MaskState,
  prompts: readonly LoggedPrompt[],
  opts: FoldOptions = { extendCrops: false },
): Promise<FoldResult> {
  const resume = isPrefix(from.seqs, prompts)
  const start = resume ? from : EMPTY_MASK_STATE
  let encoded = start.encoded
  let logits = start.logits
  let iou = start.iou
  let unpasted = false
  let encodeMs = 0
  let preprocessMs = 0
  let encodes = 0
  let decodes = 0
  let decodeMs = 0
  let postprocessMs = 0
  let extendMs = 0
  // Crop results to paste, in order, each with the prompts folded when it was left (they seed its
  // extensions). Pasting waits until every model pass succeeded, so a prompt that fails half-way
  // leaves `from` (whose mask is updated in place, not copied) untouched.
  const pastes: { encoded: EncodedCrop; logits: Float32Array; folded: number }[] = []

  const paste = (folded: number): void => {
    if (!unpasted || !encoded || !logits) return
    pastes.push({ encoded, logits, folded })
    unpasted = false
  }
  // The prompts decoded in the current crop so far (a model may take them all in each pass).
  let inCrop: Prompt[] = resume && encoded ? cropHistory(encoded, prompts.slice(0, start.seqs.length)) : []
  const decode = async (p: LoggedPrompt): Promise<void> => {
    inCrop.push({ pointWorldRas: p.pointWorldRas, positive: p.positive })
    const r = await segmenter!.decode(encoded!, segmenter!.promptsForPass(inCrop), logits ?? undefined)
    decodeMs += r.decodeMs
    decodes++
    logits = r.lowResLogits
    iou = r.iou
    unpasted = true
  }

  for (let n = start.seqs.length; n < prompts.length; n++) {
    const p = prompts[n]
    if (!segmenter) throw new PromptFoldError(p.seq, new Error('no model loaded'))
    try {
      if (!encoded || !insideCrop(encoded, p)) {
        paste(n)
        encoded = await segmenter.encode(volume, p.pointWorldRas)
        encodeMs += encoded.encodeMs + encoded.preprocessMs
        preprocessMs += encoded.preprocessMs
        encodes++
        logits = null
        inCrop = []
        for (const q of prompts.slice(0, n)) if (insideCrop(encoded, q)) await decode(q)
      }
      await decode(p)
    } catch (err) {
      throw new PromptFoldError(p.seq, err)
    }
  }
  paste(prompts.length)

  // Every crop result's mask and extensions, still without touching the segment's mask.
  const results: { encoded: EncodedCrop; cropMask: Uint8Array; extensions: ExtensionCrop[] }[] = []
  for (const c of pastes) {
    let t = performance.now()
    const cropMask = segmenter!.cropMask(c.logits)
    postprocessMs += performance.now() - t
    let extensions: ExtensionCrop[] = []
    // timed only when on: with extension off `extendMs` is exactly 0 (a GC pause is not an extension)
    if (opts.extendCrops) {
      t = performance.now()
      try {
        extensions = await extendAcrossFaces(
          segmenter!,
          volume,
          c.encoded,
          c.logits,
          cropMask,
          prompts.slice(0, c.folded),
        )
      } catch (err) {
        throw new PromptFoldError(prompts[c.folded - 1].seq, err)
      }
      extendMs += performance.now() - t
    }
    results.push({ encoded: c.encoded, cropMask, extensions })
  }

  const t = performance.now()
  let mask = start.mask
  let overlay = start.overlay
  let changed: VoxelBox | null = null
  let touchesCropBorder = start.touchesCropBorder
  let extendedFaces = start.extendedFaces
  if (pastes.length > 0 && overlay && mask) {
    // The resumed crop's overlay: replaced when this fold decoded in that crop again, else it is
    // the crop's final result (it was left without a new decode) and stays as pasted.
    if (pastes[0].encoded === start.encoded) {
      restoreBox(mask, volume.dims, overlay.box, overlay.underlay)
      changed = overlay.box
    }
    overlay = null
  }
  results.forEach((r, n) => {
    mask ??= new Uint8Array(volume.dims[0] * volume.dims[1] * volume.dims[2])
    let box = cropBoxInVolume(r.encoded.crop, volume)
    for (const e of r.extensions) box = unionBox(box, cropBoxInVolume(e.encoded.crop, volume))
    // Only the last result (the current crop) can be refined later: keep what its extensions cover
    // (without extensions, the next paste of this crop overwrites everything this one wrote).
    if (n === results.length - 1 && r.extensions.length > 0 && box)
      overlay = { box, underlay: copyBox(mask, volume.dims, box) }
    pasteCropMask(r.cropMask, r.encoded.crop, volume, mask)
    for (const e of r.extensions) if (e.keptVoxels > 0) unionCropMask(e.kept, e.encoded.crop, volume, mask)
    changed = unionBox(changed, box)
    touchesCropBorder = touchesCropFace(r.cropMask, r.encoded.crop.size)
    extendedFaces = r.extensions.map((e) => e.face)
  })
  postprocessMs += performance.now() - t
  const state: MaskState = {
    seqs: prompts.map((p) => p.seq),
    encoded,
    logits,
    mask,
    iou,
    touchesCropBorder,
    extendedFaces,
    overlay,
  }
  if (prompts.length === 0) Object.assign(state, EMPTY_MASK_STATE, { seqs: [] })
  return {
    state,
    changed,
    whole: !resume,
    encodes,
    decodes,
    encodeMs,
    preprocessMs,
    decodeMs,
    postprocessMs,
    extendMs,
  }
}

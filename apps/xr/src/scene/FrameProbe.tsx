// SKELETON: replaced by its owner.
export function FrameProbe() {
  return null
}

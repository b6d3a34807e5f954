// SKELETON: replaced by its owner.
export function Overlay() {
  return null
}

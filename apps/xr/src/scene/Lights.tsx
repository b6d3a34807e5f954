// SKELETON: replaced by its owner.
export function Lights() {
  return null
}

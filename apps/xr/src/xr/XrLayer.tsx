// SKELETON: replaced by its owner.
export function XrLayer() {
  return null
}

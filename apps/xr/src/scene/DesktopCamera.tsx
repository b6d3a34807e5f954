// SKELETON: replaced by its owner.
export function DesktopCamera() {
  return null
}

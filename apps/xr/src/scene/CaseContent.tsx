// SKELETON: replaced by its owner.
export function CaseContent() {
  return null
}

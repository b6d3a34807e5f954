// SKELETON: replaced by its owner.
export function startClient(): void {}

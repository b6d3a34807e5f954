// SKELETON: replaced by its owner.
export function installTestHooks(): void {}

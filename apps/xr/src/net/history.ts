/**
 * Keeping a segment's prompt list (the markers) in step with the server's log. The protocol tells the
 * client little: `segment:history` and the acks carry only { promptCount, redoCount }, and a mesh
 * update carries the seqs its fold reflected. So the client mirrors the server's log + redo stack:
 * - counts: an undo moves the newest prompt onto the redo stack, a redo moves it back, a reset empties
 *   both. "one more prompt, redo stack now empty" is either a redo of the last undone prompt or a new
 *   prompt; it is only taken as a redo when the caller knows it was one (its own redo's ack).
 * - meshes: a mesh's promptSeqs are the log when its fold started; prompts queued after that stay.
 * Prompts placed by other members arrive without their points (the protocol does not relay them);
 * they appear with the next room snapshot.
 */
import type { PromptRecord } from '@fastsam-xr/protocol'

export interface PromptLog {
  prompts: PromptRecord[]
  /** undone prompts, newest undone last (the next redo pops it). */
  redo: PromptRecord[]
}

export function reconcileHistory(
  log: PromptLog,
  promptCount: number,
  redoCount: number,
  hint?: 'redo',
): PromptLog {
  if (promptCount === 0 && redoCount === 0) return { prompts: [], redo: [] }
  const prompts = [...log.prompts]
  let redo = [...log.redo]
  while (prompts.length > promptCount) redo.push(prompts.pop()!)
  const ambiguous = redoCount === 0 && hint !== 'redo'
  while (!ambiguous && prompts.length < promptCount && redo.length > 0) prompts.push(redo.pop()!)
  // keep an undone prompt while it may still have been redone (the mesh or the ack will tell).
  const undecided = ambiguous && prompts.length < promptCount && redo.length > 0
  if (!undecided) redo = redo.slice(Math.max(0, redo.length - redoCount))
  return { prompts, redo }
}

/** Adds our own acknowledged prompt (a new prompt clears the redo stack, as on the server). */
export function appendPrompt(log: PromptLog, prompt: PromptRecord): PromptLog {
  if (log.prompts.some((p) => p.seq === prompt.seq)) return { prompts: log.prompts, redo: [] }
  return { prompts: [...log.prompts, prompt].sort((a, b) => a.seq - b.seq), redo: [] }
}

/**
 * The log a mesh update implies: the records of its promptSeqs (from `known`, every record this client
 * has seen for the segment) except those undone since, then the prompts queued after its fold began.
 */
export function syncWithMesh(
  log: PromptLog,
  known: ReadonlyMap<number, PromptRecord>,
  promptSeqs: readonly number[],
): PromptLog {
  const newest = Math.max(-1, ...promptSeqs)
  const undone = new Set(log.redo.map((p) => p.seq))
  const folded = promptSeqs
    .filter((s) => !undone.has(s))
    .map((s) => known.get(s) ?? log.prompts.find((p) => p.seq === s))
    .filter((p): p is PromptRecord => p !== undefined)
  const prompts = [...folded, ...log.prompts.filter((p) => p.seq > newest)]
  const inLog = new Set(prompts.map((p) => p.seq))
  return { prompts, redo: log.redo.filter((p) => !inLog.has(p.seq)) }
}

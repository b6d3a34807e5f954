/**
 * Keeping a segment's prompt list in step with the server's history counts. `segment:history` carries
 * only { promptCount, redoCount }, so the client mirrors the server's log + redo stack: an undo moves
 * the newest prompt onto the redo stack, a redo moves it back, a reset empties both, a new prompt
 * clears the redo stack. Prompts placed by other members arrive without their points (the protocol
 * does not relay them); they appear with the next room snapshot.
 */
import type { PromptRecord } from '@fastsam-xr/protocol'

export interface PromptLog {
  prompts: PromptRecord[]
  /** undone prompts, newest undone last (the next redo pops it). */
  redo: PromptRecord[]
}

export function reconcileHistory(log: PromptLog, promptCount: number, redoCount: number): PromptLog {
  const prompts = [...log.prompts]
  let redo = [...log.redo]
  if (promptCount === 0 && redoCount === 0) return { prompts: [], redo: [] }
  // undo: the log shrank and the redo stack grew.
  while (prompts.length > promptCount && redo.length < redoCount) redo.push(prompts.pop()!)
  // redo: the log grew and the redo stack shrank.
  while (prompts.length < promptCount && redo.length > redoCount) prompts.push(redo.pop()!)
  // a prompt we have not seen cleared the server's redo stack.
  if (redoCount === 0) redo = []
  return { prompts, redo }
}

/** Adds our own acknowledged prompt (a new prompt clears the redo stack, as on the server). */
export function appendPrompt(log: PromptLog, prompt: PromptRecord): PromptLog {
  if (log.prompts.some((p) => p.seq === prompt.seq)) return log
  return { prompts: [...log.prompts, prompt].sort((a, b) => a.seq - b.seq), redo: [] }
}

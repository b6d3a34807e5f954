/**
 * The inference queue's order: fair across rooms (a room with many waiting segments cannot make another
 * room wait behind all of them), FIFO inside a room, coalescing per segment, and an emptied room's jobs
 * dropped. Real jobs that record when they ran.
 */
import { describe, expect, it } from 'vitest'
import { InferenceQueue } from '../src/jobs/inferenceQueue.ts'

function recorder(): { queue: InferenceQueue; ran: string[]; job: (key: string) => () => Promise<void> } {
  const ran: string[] = []
  const queue = new InferenceQueue('cpu', (key, err) => {
    throw new Error(`${key}: ${String(err)}`)
  })
  const job = (key: string) => async () => {
    ran.push(key)
    await new Promise((r) => setTimeout(r, 2))
  }
  return { queue, ran, job }
}

describe('InferenceQueue', () => {
  it('serves rooms in turn: one room with 6 busy segments delays another room by at most one job', async () => {
    const { queue, ran, job } = recorder()
    for (let s = 0; s < 6; s++) queue.schedule(`A/${s}`, job(`A/${s}`))
    queue.schedule('B/0', job('B/0'))
    queue.schedule('C/0', job('C/0'))
    queue.schedule('B/1', job('B/1'))
    await queue.idle()
    // A/0 was already running when B and C arrived
    expect(ran).toEqual(['A/0', 'B/0', 'C/0', 'A/1', 'B/1', 'A/2', 'A/3', 'A/4', 'A/5'])
  })

  it('coalesces a segment scheduled again while it waits, and keeps FIFO inside a room', async () => {
    const { queue, ran, job } = recorder()
    queue.schedule('A/0', job('A/0'))
    queue.schedule('A/1', job('A/1'))
    queue.schedule('A/2', job('A/2'))
    queue.schedule('A/1', job('A/1 again'))
    await queue.idle()
    expect(ran).toEqual(['A/0', 'A/1 again', 'A/2'])
  })

  it('drops the waiting jobs of a room that emptied, not the others', async () => {
    const { queue, ran, job } = recorder()
    queue.schedule('A/0', job('A/0'))
    queue.schedule('A/1', job('A/1'))
    queue.schedule('B/0', job('B/0'))
    queue.cancelRoom('A')
    await queue.idle()
    expect(ran).toEqual(['A/0', 'B/0']) // A/0 was already running
  })
})

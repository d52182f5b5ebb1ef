import assert from 'node:assert/strict'
import { SerialQueue } from '../../datastore/types/serial.js'

describe('SerialQueue: one task at a time (store writes, config edits, checkpoints, cache reservations, rate-limit takers)', () => {
  it('runs tasks in the order given, each after the previous settled, and a failure reaches only its caller', async () => {
    const q = new SerialQueue()
    const log: string[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => { release = resolve })
    const first = q.run(async () => { log.push('1 start'); await gate; log.push('1 end'); return 1 })
    const second = q.run(() => { log.push('2'); throw new Error('second failed') })
    const third = q.run(async () => { log.push('3'); return 3 })
    await Promise.resolve()
    assert.deepEqual(log, ['1 start'], 'the second task waits for the first')
    release()
    assert.equal(await first, 1)
    await assert.rejects(second, /second failed/)
    assert.equal(await third, 3, 'the queue goes on after a failure')
    await q.idle()
    assert.deepEqual(log, ['1 start', '1 end', '2', '3'])
  })
})

import assert from 'node:assert/strict'
import { SizeGate } from '../../node/churten/size-gate.js'

describe('size gate {#sizegate}', () => {
  it('admits small jobs together under the budget, a large one alone, in arrival order', async () => {
    const gate = new SizeGate(8)
    const order: string[] = []
    const r1 = await gate.acquire(3)
    const r2 = await gate.acquire(4)
    assert.equal(gate.bytesInFlight, 7)
    const big = gate.acquire(100).then((release) => { order.push('big'); return release })
    const small = gate.acquire(1).then((release) => { order.push('small'); return release })
    await Promise.resolve()
    assert.deepEqual(order, [], 'the small job waits behind the big one: no starvation')
    r1()
    await Promise.resolve()
    assert.deepEqual(order, [])
    r2()
    const rb = await big
    assert.equal(gate.jobsRunning, 1, 'a job over the budget runs alone')
    assert.deepEqual(order, ['big'])
    rb()
    const rs = await small
    assert.deepEqual(order, ['big', 'small'])
    rs()
    assert.equal(gate.bytesInFlight, 0)
  })

  it('a waiting job can be cancelled', async () => {
    const gate = new SizeGate(1)
    const r = await gate.acquire(1)
    const ac = new AbortController()
    const waiting = gate.acquire(1, ac.signal)
    ac.abort(new Error('stop'))
    await assert.rejects(waiting, /stop/)
    r()
    assert.equal(gate.jobsRunning, 0)
  })
})

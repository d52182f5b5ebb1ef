import assert from 'node:assert/strict'
import { StrangerRefusals } from '../../node/net/refusals.js'

/** The bounds on reporting refused strangers (issue 18 item 8); the real node's log is in stranger-refused.test.ts. */
describe('network: refused strangers are reported within bounds', () => {
  it('once per PeerId per window, again after it', () => {
    let now = 0
    const r = new StrangerRefusals({ windowMs: 600_000, now: () => now })
    assert.equal(r.report('p1'), true)
    now = 599_999
    assert.equal(r.report('p1'), false)
    assert.equal(r.report('p2'), true)
    now = 600_000
    assert.equal(r.report('p1'), true)
  })

  it('remembers a bounded number of PeerIds, forgetting the oldest', () => {
    const r = new StrangerRefusals({ maxRemembered: 2, maxReports: 100, now: () => 0 })
    for (const id of ['p1', 'p2', 'p3']) assert.equal(r.report(id), true)
    assert.equal(r.report('p3'), false)
    assert.equal(r.report('p1'), true, 'p1 was forgotten')
  })

  it('makes at most maxReports reports per window, whatever the keys', () => {
    let now = 0
    const r = new StrangerRefusals({ windowMs: 1000, maxReports: 3, now: () => now })
    const made = Array.from({ length: 10 }, (_, i) => r.report(`p${i}`)).filter(Boolean).length
    assert.equal(made, 3)
    now = 1000
    assert.equal(r.report('p9'), true)
  })
})

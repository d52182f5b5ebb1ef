import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { parsePath } from '../../datastore/types/path.js'
import { cluster, type Cluster } from '../helpers/nodes.js'

/**
 * A first catch-up carries what each listed version replaced (the
 * publisher's index `previous`), so a node that meets a peer for the first
 * time after that peer edited a file sees one chain, not a conflict (issue
 * 12: an edit through B's mount of A's file never reached A when A's first
 * catch-up from B came after the edit).
 */
describe('sync: a first catch-up after an edit (issue 12)', function () {
  this.timeout(120_000)
  let c: Cluster
  afterEach(async () => { await c.cleanup() })

  it('a node that never met the editor follows the edit of its file instead of recording a conflict', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b', start: false }, { name: 'c' }])
    const [a, b, cc] = [c.get('a'), c.get('b'), c.get('c')]
    await a.write('hello.txt', 'hello from A\n')
    await cc.waitForReal('hello.txt', 'hello from A\n')
    // A leaves before B ever runs: A's first contact with B will be a full catch-up listing.
    await a.stop()
    await b.start()
    await b.waitForReal('hello.txt', 'hello from A\n')
    await b.write('hello.txt', 'hello from A\nmore from B\n')
    await cc.waitForReal('hello.txt', 'hello from A\nmore from B\n')
    // C, whose live Replace would tell A the chain, is gone when A comes back.
    await cc.stop()
    await a.start()
    await a.waitForReal('hello.txt', 'hello from A\nmore from B\n', { ms: 60_000 })
    assert.equal(await readFile(a.abs('hello.txt'), 'utf8'), 'hello from A\nmore from B\n')
    assert.equal(await a.arena().store.conflicts.get(parsePath('hello.txt')), undefined)
  })
})

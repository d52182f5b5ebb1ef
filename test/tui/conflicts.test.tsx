import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { ControlClient } from '../../node/control/api/client.js'
import { makeConflict } from '../helpers/conflict.js'
import { cluster, type Cluster, type TestPeer } from '../helpers/nodes.js'
import { lineWith, renderApp, type RenderedApp } from './render.js'

/**
 * Conflicts in the TUI (issue 13): a file in conflict is marked in the file
 * pane, and `x` then m/t/b/1-9 resolves it with the choices of `conflicts
 * resolve` (docs/conflicts.md). Attached to node b of two real nodes.
 */

describe('TUI: conflicts marked in the file pane, resolved by a key (issue 13)', function () {
  this.timeout(120_000)
  let c: Cluster
  let a: TestPeer
  let b: TestPeer
  let client: ControlClient
  let app: RenderedApp | undefined
  afterEach(async () => {
    app?.unmount()
    app = undefined
    await client.close()
    await c.cleanup()
  })

  const conflict = async (path: string): Promise<string> => await makeConflict(a, b, path)

  beforeEach(async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    a = c.get('a')
    b = c.get('b')
  })

  it('marks the file in conflict; x then 1 (peer a) takes a\'s version on both nodes and the mark goes', async () => {
    const copy = await conflict('r.txt')
    client = await ControlClient.connect(b.dataDir)
    app = renderApp({ api: client, columns: 160, pollMs: 200 })
    const f = await app.waitFor((s) => (lineWith(s, 'r.txt ') ?? '').includes('!conflict'), 'r.txt marked in conflict')
    assert.ok(!(lineWith(f, copy) ?? '').includes('!conflict'), 'the copy itself is not marked')
    // Select r.txt (the listing is sorted: the copy first) and press x.
    app.press('j')
    await app.waitFor((s) => s.includes('› r.txt !conflict'), 'r.txt selected')
    await app.waitFor((s) => s.includes('x resolve conflict'), 'the help line offers x')
    app.press('x')
    const prompt = await app.waitFor((s) => s.includes('resolve docs:r.txt'), 'the resolve prompt')
    assert.match(lineWith(prompt, 'resolve docs:r.txt') ?? '', /m mine {2}t theirs {2}b both {2}1 a {2}Esc cancel/)
    app.press('1')
    for (const n of [a, b]) {
      await n.waitForReal('r.txt', 'r.txt from a')
      await n.waitFor(async () => (await readdir(n.root())).filter((x) => !x.startsWith('.')).join() === 'r.txt', `${n.name}: the copy gone`)
    }
    await app.waitFor((s) => lineWith(s, 'r.txt') != null && !s.includes('!conflict'), 'the mark gone')
    await app.waitFor((s) => s.includes('docs:r.txt: kept a'), 'the log says what was done')
  })

  it('x then m keeps this node\'s version and removes the copy everywhere; Esc cancels', async () => {
    await conflict('s.txt')
    client = await ControlClient.connect(b.dataDir)
    app = renderApp({ api: client, columns: 160, pollMs: 200 })
    await app.waitFor((s) => (lineWith(s, 's.txt ') ?? '').includes('!conflict'), 's.txt marked')
    app.press('j')
    await app.waitFor((s) => s.includes('› s.txt !conflict'), 's.txt selected')
    app.press('x')
    await app.waitFor((s) => s.includes('resolve docs:s.txt'), 'the prompt')
    app.press('\u001B')
    await app.waitFor((s) => !s.includes('resolve docs:s.txt'), 'cancelled')
    assert.equal((await client.call('conflicts')).length, 1, 'Esc changed nothing')
    app.press('x')
    await app.waitFor((s) => s.includes('resolve docs:s.txt'), 'the prompt again')
    app.press('m')
    for (const n of [a, b]) {
      await n.waitFor(async () => (await readdir(n.root())).filter((x) => !x.startsWith('.')).join() === 's.txt', `${n.name}: only s.txt`)
      await n.waitForReal('s.txt', 's.txt from b')
    }
    await app.waitFor((s) => !s.includes('!conflict'), 'no mark left')
  })
})

import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { hashBytes } from '../../node/real/hasher.js'
import { hashToHex } from '../../datastore/types/hash.js'
import { CONFLICT_T0, makeConflict } from '../helpers/conflict.js'
import { cluster, type Cluster, type TestPeer } from '../helpers/nodes.js'
import { runCli, type Run } from '../control/fixtures.js'

/**
 * `realize-node conflicts` and `conflicts resolve PATH --keep
 * mine|theirs|PEER|both` (issue 13, docs/conflicts.md): real CLI processes
 * against the control sockets of two real nodes.
 */
const T0 = CONFLICT_T0

const cli = async (n: TestPeer, args: string[]): Promise<Run> => await runCli([...args, '--data', n.dataDir])
const json = (r: Run): any => {
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout)
}

async function files (n: TestPeer): Promise<string[]> {
  return (await readdir(n.root())).filter((f) => !f.startsWith('.')).sort()
}

async function settled (n: TestPeer, want: string[]): Promise<void> {
  await n.waitFor(async () => JSON.stringify(await files(n)) === JSON.stringify([...want].sort()), `${n.name}: files ${want.join(', ')}`)
}

describe('conflicts and conflicts resolve (CLI, issue 13)', function () {
  this.timeout(120_000)
  let c: Cluster
  let a: TestPeer
  let b: TestPeer
  afterEach(async () => { await c.cleanup() })

  const conflict = async (path: string): Promise<string> => await makeConflict(a, b, path)

  beforeEach(async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    a = c.get('a')
    b = c.get('b')
  })

  it('lists a settled conflict with its copy on both nodes (--json), and --keep theirs takes the copy everywhere', async () => {
    const copy = await conflict('t.txt')
    for (const n of [a, b]) {
      const list = json(await cli(n, ['conflicts', '--json']))
      assert.equal(list.length, 1)
      assert.equal(list[0].arena, 'docs')
      assert.equal(list[0].path, 't.txt')
      assert.equal(list[0].local.hash, hashToHex(hashBytes(Buffer.from('t.txt from b'))))
      assert.deepEqual(list[0].remote, [])
      assert.deepEqual(list[0].copies.map((k: any) => [k.path, k.peer, k.hash]), [[copy, n === a ? 'here' : 'a', hashToHex(hashBytes(Buffer.from('t.txt from a')))]])
    }
    const text = await cli(b, ['conflicts'])
    assert.match(text.stdout, new RegExp(`kept as ${copy.replace(/\./g, '\\.')}`))
    const r = json(await cli(b, ['conflicts', 'resolve', 'docs:t.txt', '--keep', 'theirs', '--json']))
    assert.deepEqual(r.done, [`${copy} -> t.txt`])
    for (const n of [a, b]) {
      await n.waitForReal('t.txt', 't.txt from a')
      await settled(n, ['t.txt'])
      assert.deepEqual(json(await cli(n, ['conflicts', '--json'])), [])
    }
  })

  it('--keep mine removes the copy everywhere; --keep PEER takes that peer\'s copy; --keep both keeps both as ordinary files', async () => {
    await conflict('m.txt')
    await conflict('p.txt')
    const k = await conflict('k.txt')
    assert.equal((await cli(a, ['conflicts', 'resolve', a.abs('m.txt'), '--keep', 'mine'])).code, 0)
    assert.equal((await cli(b, ['conflicts', 'resolve', 'docs:p.txt', '--keep', 'a'])).code, 0)
    const both = json(await cli(a, ['conflicts', 'resolve', 'docs:k.txt', '--keep', 'both', '--json']))
    const kept = k.replace('.conflict-', '.kept-')
    assert.deepEqual(both.done, [`${k} -> ${kept}`])
    for (const n of [a, b]) {
      await n.waitForReal('m.txt', 'm.txt from b')
      await n.waitForReal('p.txt', 'p.txt from a')
      await n.waitForReal('k.txt', 'k.txt from b')
      await n.waitForReal(kept, 'k.txt from a')
      await settled(n, ['m.txt', 'p.txt', 'k.txt', kept])
      assert.deepEqual(json(await cli(n, ['conflicts', '--json'])), [], `${n.name}: no conflicts left`)
    }
  })

  it('exit codes: 2 for an unknown side or several others without a PEER, 1 for a path not in conflict, 3 for a stopped node', async () => {
    await conflict('e.txt')
    const unknown = await cli(a, ['conflicts', 'resolve', 'docs:e.txt', '--keep', 'nobody'])
    assert.equal(unknown.code, 2, unknown.stderr)
    assert.match(unknown.stderr, /no version of nobody/)
    await a.write('plain.txt', 'no conflict here')
    await a.waitIndexed('plain.txt', 'no conflict here')
    const none = await cli(a, ['conflicts', 'resolve', 'docs:plain.txt', '--keep', 'mine'])
    assert.equal(none.code, 1, none.stderr)
    assert.match(none.stderr, /not in conflict/)
    await a.stop()
    const stopped = await cli(a, ['conflicts', 'resolve', 'docs:e.txt', '--keep', 'mine'])
    assert.equal(stopped.code, 3, stopped.stderr)
    assert.equal((await cli(a, ['conflicts'])).code, 3)
    await a.start()
  })

  /** A conflict b does not settle (its churten is off): a's version wins and is listed on a with b's pending. */
  async function pending (): Promise<void> {
    await c.cleanup()
    c = await cluster([{ name: 'a' }, { name: 'b', churten: { autostart: false } }])
    a = c.get('a')
    b = c.get('b')
    await b.write('w.txt', 'w from b', { mtime: T0 })
    await a.write('w.txt', 'w from a', { mtime: T0 + 1000 })
    await a.waitFor(async () => {
      const list = json(await cli(a, ['conflicts', '--json']))
      return list.length === 1 && list[0].remote.length === 1 && list[0].remote[0].peer === 'b' && list[0].copies.length === 0
    }, 'a lists b\'s version as pending')
  }

  it('a pending conflict: --keep mine on the winner supersedes the other version, which its node then replaces without a copy', async () => {
    await pending()
    assert.equal((await cli(a, ['conflicts', 'resolve', 'docs:w.txt', '--keep', 'mine'])).code, 0)
    b.running.churten.start()
    for (const n of [a, b]) {
      await n.waitForReal('w.txt', 'w from a')
      await settled(n, ['w.txt'])
      assert.deepEqual(json(await cli(n, ['conflicts', '--json'])), [], `${n.name}: no conflicts left`)
    }
  })

  it('restart in the middle of a resolution: b stopped while a resolves, then restarted, follows it without a copy', async () => {
    await pending()
    await b.stop()
    assert.equal((await cli(a, ['conflicts', 'resolve', 'docs:w.txt', '--keep', 'mine'])).code, 0)
    await b.start()
    await b.connectedTo(a)
    b.running.churten.start()
    for (const n of [a, b]) {
      await n.waitForReal('w.txt', 'w from a')
      await settled(n, ['w.txt'])
      assert.deepEqual(json(await cli(n, ['conflicts', '--json'])), [], `${n.name}: no conflicts left`)
    }
    assert.equal(await readFile(b.abs('w.txt'), 'utf8'), 'w from a')
  })
})

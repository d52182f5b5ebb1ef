import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { promisify } from 'node:util'
import { conflictCopyPath } from '../../node/consensus/winner.js'
import { hashBytes } from '../../node/real/hasher.js'
import { parsePath } from '../../datastore/types/path.js'
import { CLI } from '../helpers/node-process.js'
import { cluster, type Cluster } from '../helpers/nodes.js'

const exec = promisify(execFile)
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5)

/**
 * The conflict key on a real terminal (issue 13): `realize-node tui`
 * attached to node b of two real nodes, in a detached tmux session of its
 * own tmux server; keys by send-keys, the screen by capture-pane (polled:
 * tmux has no "screen changed" event).
 */
describe('realize-node tui in a terminal: resolving a conflict by key (tmux)', function () {
  this.timeout(120_000)
  const server = `rz-conflict-${process.pid}-${randomBytes(3).toString('hex')}`
  const tmux = async (...args: string[]): Promise<string> => (await exec('tmux', ['-L', server, ...args])).stdout
  let c: Cluster

  async function screen (check: (s: string) => boolean, what: string, ms = 20_000): Promise<string> {
    const deadline = Date.now() + ms
    let last = ''
    for (;;) {
      last = await tmux('capture-pane', '-p', '-t', 'tui').catch(() => last)
      if (check(last)) return last
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${last}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  after(async () => {
    await tmux('kill-server').catch(() => {})
    await c?.cleanup()
  })

  it('the file in conflict is marked; x then t takes the other version on both nodes', async () => {
    await exec('tmux', ['-V'])
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    const [a, b] = [c.get('a'), c.get('b')]
    await b.stop()
    await a.write('k.txt', 'k from a', { mtime: T0 })
    await a.waitIndexed('k.txt', 'k from a')
    await b.write('k.txt', 'k from b', { mtime: T0 + 1000 })
    await b.start()
    const copy = conflictCopyPath(parsePath('k.txt'), { hash: hashBytes(Buffer.from('k from a')), size: 0, mtime: T0 }, a.peerId)
    await b.waitForReal(copy, 'k from a')
    await tmux('new-session', '-d', '-s', 'tui', '-x', '160', '-y', '40', `env CI=true ${process.execPath} ${CLI} tui --data ${b.dataDir}; exec sleep 600`)
    await screen((s) => /k\.txt !conflict/.test(s), 'k.txt marked in conflict')
    await tmux('send-keys', '-t', 'tui', 'Down')
    await screen((s) => s.includes('› k.txt !conflict'), 'k.txt selected')
    await tmux('send-keys', '-t', 'tui', 'x')
    const prompt = await screen((s) => s.includes('resolve docs:k.txt'), 'the resolve prompt')
    assert.match(prompt, /m mine {2}t theirs {2}b both {2}1 a {2}Esc cancel/)
    await tmux('send-keys', '-t', 'tui', 't')
    for (const n of [a, b]) {
      await n.waitForReal('k.txt', 'k from a')
      await n.waitFor(async () => (await readdir(n.root())).filter((x) => !x.startsWith('.')).join() === 'k.txt', `${n.name}: the copy gone`)
    }
    await screen((s) => s.includes('k.txt') && !s.includes('!conflict'), 'the mark gone')
    await tmux('send-keys', '-t', 'tui', 'q')
  })
})

import assert from 'node:assert/strict'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { hashBytes } from '../../node/real/hasher.js'
import { hashEquals } from '../../datastore/types/hash.js'
import { parsePath } from '../../datastore/types/path.js'
import { cluster, type Cluster } from '../helpers/nodes.js'

/**
 * A real process with `file` open for writing: on each `write N` line on
 * stdin it overwrites the start of the file with N bytes of 0x42 and
 * answers `wrote`; it holds the descriptor until stdin closes.
 */
const WRITER = `
const fs = require('node:fs')
const fd = fs.openSync(process.argv[1], 'r+')
process.stdout.write('open\\n')
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const n = Number(line.split(' ')[1])
  fs.writeSync(fd, Buffer.alloc(n, 0x42), 0, n, 0)
  process.stdout.write('wrote\\n')
}).on('close', () => { fs.closeSync(fd) })
`

class Writer {
  private readonly lines: AsyncIterator<string>
  constructor (private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  }

  static async open (file: string): Promise<Writer> {
    const w = new Writer(spawn(process.execPath, ['-e', WRITER, file]))
    await w.expect('open')
    return w
  }

  async write (n: number): Promise<void> {
    this.child.stdin.write(`write ${n}\n`)
    await this.expect('wrote')
  }

  async close (): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.child.stdin.end()
    await exited
  }

  private async expect (line: string): Promise<void> {
    const r = await this.lines.next()
    if (r.value !== line) throw new Error(`writer said ${String(r.value)}, expected ${line}`)
  }
}

describe('churten: unrealize and a file open for writing', function () {
  this.timeout(60_000)
  let c: Cluster
  let writer: Writer | undefined
  afterEach(async () => {
    await writer?.close()
    writer = undefined
    await c.cleanup()
  })

  it('a write after the size and mtime check is caught by the hash: the file stays real with the new bytes, no blob claims the old version', async () => {
    let afterCheck: (() => Promise<void>) | undefined
    c = await cluster([{ name: 'a' }, { name: 'b', testing: { backoffMs: 200, blobFaults: async (point) => { if (point === 'adopt:after-check') await afterCheck?.() } } }])
    const a = c.get('a')
    const b = c.get('b')
    const data = randomBytes(256 * 1024)
    await a.write('f.bin', data)
    await b.waitForReal('f.bin', data)

    writer = await Writer.open(b.abs('f.bin'))
    const w = writer
    // The editor writes once the checks have passed, through the descriptor it kept (the file has moved by then).
    afterCheck = async () => {
      afterCheck = undefined
      await w.write(4096)
    }
    const from = b.notes.length
    await b.arena().marks.set(parsePath('f.bin'), 'watch')
    const ended = await b.waitNote((n): n is typeof n & { type: 'ended' } => n.type === 'ended' && n.path === 'f.bin', 'the unrealize ended', { from })
    assert.equal(afterCheck, undefined, 'the writer wrote after the check')
    assert.notEqual((ended as { result: string }).result, 'done')
    assert.match((ended as { error?: string }).error ?? '', /changed while it moved into the cache/)

    const written = Buffer.from(data)
    written.fill(0x42, 0, 4096)
    // The user's bytes are where the user left them, not in the cache under the old version's hash.
    assert.equal(Buffer.compare(await readFile(b.abs('f.bin')), written), 0)
    const store = b.blobs()
    for (let id = 1; id <= 8; id++) {
      const info = await store.get(id).catch(() => undefined)
      if (info?.verified !== true || !hashEquals(info.hash, hashBytes(data))) continue
      assert.equal(Buffer.compare(await readFile(store.pathOf(id)), data), 0, `blob ${id} is verified as the old version`)
    }
  })
})

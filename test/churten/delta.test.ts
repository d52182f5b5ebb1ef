import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { appendFile, open, readFile, writeFile } from 'node:fs/promises'
import { hashBytes, hashFile } from '../../node/real/hasher.js'
import { hashEquals } from '../../datastore/types/hash.js'
import { cluster, type Cluster } from '../helpers/nodes.js'

const MiB = 1024 * 1024

describe('churten: delta downloads {#delta}', function () {
  this.timeout(180_000)
  let c: Cluster
  afterEach(async () => { await c.cleanup() })

  // Same size: range hashes on both sides, rsync only for the ranges that differ.
  it('B own holds a 64 MiB file; A overwrites 1 MiB in the middle; B gets A\'s content for under 4 MiB received', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    const a = c.get('a')
    const b = c.get('b')
    const content = randomBytes(64 * MiB)
    const abs = await a.write('big.bin', content)
    await b.waitForReal('big.bin', content, { ms: 60_000 })

    const patch = randomBytes(MiB)
    patch.copy(content, 32 * MiB + 12345)
    const before = b.bytesInFrom(a)
    const from = b.notes.length
    const fh = await open(abs, 'r+')
    try {
      await fh.write(patch, 0, patch.byteLength, 32 * MiB + 12345)
    } finally {
      await fh.close()
    }
    await b.waitForReal('big.bin', content, { ms: 60_000 })
    const received = b.bytesInFrom(a) - before
    const ended = await b.waitJob('big.bin', 'done', { from })
    assert.equal(ended.stats?.method, 'delta')
    assert.ok(received < 4 * MiB, `b received ${received} bytes from a for a 1 MiB change`)
    assert.ok((ended.stats?.fromBasis ?? 0) > 60 * MiB, `rebuilt ${ended.stats?.fromBasis} bytes from the local basis`)
    assert.ok(hashEquals((await hashFile(b.abs('big.bin'))).hash, hashBytes(content)))
    assert.ok(Buffer.compare(await readFile(b.abs('big.bin')), content) === 0)
  })

  it('an insertion at the start shifts every block: rsync against the whole basis still sends only about the insertion', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    const a = c.get('a')
    const b = c.get('b')
    const content = randomBytes(32 * MiB)
    const abs = await a.write('shifted.bin', content)
    await b.waitForReal('shifted.bin', content, { ms: 60_000 })

    const grown = Buffer.concat([randomBytes(1000), content])
    const before = b.bytesInFrom(a)
    const from = b.notes.length
    await writeFile(abs, grown)
    await b.waitForReal('shifted.bin', grown, { ms: 60_000 })
    const received = b.bytesInFrom(a) - before
    const ended = await b.waitJob('shifted.bin', 'done', { from })
    assert.equal(ended.stats?.method, 'delta')
    assert.ok(received < 2 * MiB, `b received ${received} bytes from a for 1000 bytes inserted`)
    assert.ok((ended.stats?.fromBasis ?? 0) > 30 * MiB, `rebuilt ${ended.stats?.fromBasis} bytes from the local basis`)
  })

  // A growing file: only whole 4 MiB ranges of the old part are hashed, on
  // either side; the range the old end falls in is rsynced against what b
  // has of it, and the range wholly past it is read plainly.
  it('B own holds a 22 MiB log; A appends 3 MiB; the range hashes cover only the old part {#sizebeforehash}', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    const a = c.get('a')
    const b = c.get('b')
    const content = randomBytes(22 * MiB)
    const abs = await a.write('app.log', content)
    await b.waitForReal('app.log', content, { ms: 60_000 })

    const tail = randomBytes(3 * MiB)
    const grown = Buffer.concat([content, tail])
    const before = b.bytesInFrom(a)
    const from = b.notes.length
    const lines = b.capture.lines.length
    await appendFile(abs, tail)
    await b.waitForReal('app.log', grown, { ms: 60_000 })
    const received = b.bytesInFrom(a) - before
    const ended = await b.waitJob('app.log', 'done', { from })
    assert.equal(ended.stats?.method, 'delta')
    const ranges = b.capture.lines.slice(lines).find((l) => l.event === 'delta-by-ranges')
    assert.ok(ranges != null, 'the delta compared range hashes')
    assert.equal(ranges.basisSize, 22 * MiB)
    assert.equal(ranges.hashed, 20 * MiB, 'hashed the five whole ranges of the old part, nothing past it')
    assert.equal(ranges.differing, 0)
    const fromBasis = ended.stats?.fromBasis ?? 0
    assert.ok(fromBasis > 21 * MiB && fromBasis <= 22 * MiB, `rebuilt ${fromBasis} bytes from the local basis`)
    assert.ok(received < 4 * MiB, `b received ${received} bytes from a for 3 MiB appended`)
    assert.ok(Buffer.compare(await readFile(b.abs('app.log')), grown) === 0)
  })
})

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { open, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  applyDelta, bytesReader, chooseBlockSize, computeSignature, fileReader, generateDelta, signatureOfBytes,
  type DeltaOp, type DeltaSummary, type Signature
} from '../../../../protocols/rsync/algorithm/index.js'
import { hashBytes } from '../../../../node/real/hasher.js'
import { tempDir } from '../../../helpers/tmp.js'

interface Run { ops: DeltaOp[], summary: DeltaSummary, rebuilt: Buffer }

async function delta (basis: Uint8Array, target: Uint8Array, blockSize: number, options: { chunkSize?: number, maxLiteral?: number } = {}): Promise<Run> {
  const sig = signatureOfBytes(basis, blockSize)
  const ops: DeltaOp[] = []
  const gen = generateDelta(sig, bytesReader(target), target.byteLength, { ...options, rangeHash: true })
  let r = await gen.next()
  for (; r.done !== true; r = await gen.next()) ops.push(r.value)
  const rebuilt = Buffer.alloc(target.byteLength)
  const n = await applyDelta(ops, bytesReader(basis), sig, async (data, offset) => { rebuilt.set(data, offset) }, { maxLength: target.byteLength })
  assert.equal(n, target.byteLength)
  return { ops, summary: r.value, rebuilt }
}

/** Deterministic pseudo-random, so a failure can be replayed. */
function rng (seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

function edit (base: Buffer, rand: () => number): Buffer {
  let out = Buffer.from(base)
  const edits = 1 + Math.floor(rand() * 4)
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (out.length + 1))
    const len = Math.floor(rand() * 300)
    switch (Math.floor(rand() * 4)) {
      case 0: out = Buffer.concat([out.subarray(0, at), randomBytes(len), out.subarray(at)]); break
      case 1: out = Buffer.concat([out.subarray(0, at), out.subarray(at + len)]); break
      case 2: randomBytes(Math.min(len, out.length - at)).copy(out, at); break
      default: { // move a piece elsewhere
        const piece = Buffer.from(out.subarray(at, at + len))
        const rest = Buffer.concat([out.subarray(0, at), out.subarray(at + len)])
        const to = Math.floor(rand() * (rest.length + 1))
        out = Buffer.concat([rest.subarray(0, to), piece, rest.subarray(to)])
      }
    }
  }
  return out
}

describe('rsync delta', () => {
  it('rebuilds edited data exactly, across block sizes, read chunks and literal caps', async () => {
    const rand = rng(42)
    for (let round = 0; round < 120; round++) {
      const base = randomBytes(Math.floor(rand() * 20_000))
      const target = edit(base, rand)
      const blockSize = [1, 16, 100, 512, 1024][round % 5]!
      const chunkSize = [blockSize, 3000, 64 * 1024][round % 3]!
      const maxLiteral = [1, 700, 256 * 1024][round % 3]!
      const { rebuilt, summary, ops } = await delta(base, target, blockSize, { chunkSize, maxLiteral })
      assert.ok(rebuilt.equals(target), `round ${round}: rebuilt data differs`)
      assert.deepEqual(summary.hash, hashBytes(target))
      assert.equal(summary.literalBytes + summary.copiedBytes, target.length)
      for (const op of ops) if (op.kind === 'literal') assert.ok(op.data.byteLength <= maxLiteral, `literal of ${op.data.byteLength} > ${maxLiteral}`)
    }
  })

  it('in place: rebuilding over the basis itself gives the new data, and unchanged blocks are not written', async () => {
    const rand = rng(7)
    for (let round = 0; round < 60; round++) {
      const base = randomBytes(1000 + Math.floor(rand() * 20_000))
      const target = edit(base, rand)
      const blockSize = [16, 100, 512][round % 3]!
      const sig = signatureOfBytes(base, blockSize)
      const ops: DeltaOp[] = []
      for await (const op of generateDelta(sig, bytesReader(target), target.length, { inPlace: true, chunkSize: 4096 })) ops.push(op)
      // One buffer is both the basis being read and the file being written.
      const file = Buffer.alloc(Math.max(base.length, target.length))
      base.copy(file)
      let written = 0
      await applyDelta(ops, bytesReader(file.subarray(0, base.length)), sig, async (data, offset) => {
        file.set(data, offset)
        written += data.byteLength
      }, { inPlace: true })
      assert.ok(file.subarray(0, target.length).equals(target), `round ${round}: in-place rebuild differs`)
      if (target.equals(base)) assert.equal(written, 0)
    }
    // A single changed byte rewrites one block at most.
    const base = randomBytes(64 * 1024)
    const changed = Buffer.from(base)
    changed[40_000] = changed[40_000]! ^ 1
    const sig = signatureOfBytes(base, 1024)
    const ops: DeltaOp[] = []
    for await (const op of generateDelta(sig, bytesReader(changed), changed.length, { inPlace: true })) ops.push(op)
    let written = 0
    await applyDelta(ops, bytesReader(base), sig, async (data) => { written += data.byteLength }, { inPlace: true })
    assert.equal(written, 1024)
  })

  it('identical data is one in-place copy op and flagged identical {#emptydelta}', async () => {
    for (const size of [1, 1023, 1024, 1025, 10 * 1024, 100_000]) {
      const base = randomBytes(size)
      const { ops, summary } = await delta(base, Buffer.from(base), 1024, { chunkSize: 4096 })
      assert.equal(summary.identical, true, `size ${size}`)
      assert.deepEqual(ops, [{ kind: 'copy', block: 0, count: Math.ceil(size / 1024) }])
      assert.equal(summary.literalBytes, 0)
    }
  })

  it('empty against empty is identical with no ops; anything else is not', async () => {
    assert.deepEqual((await delta(new Uint8Array(0), new Uint8Array(0), 1024)).ops, [])
    assert.equal((await delta(new Uint8Array(0), new Uint8Array(0), 1024)).summary.identical, true)
    const grown = await delta(new Uint8Array(0), Buffer.from('abc'), 1024)
    assert.equal(grown.summary.identical, false)
    assert.equal(grown.summary.literalBytes, 3)
    const emptied = await delta(Buffer.from('abc'), new Uint8Array(0), 1024)
    assert.equal(emptied.summary.identical, false)
    assert.deepEqual(emptied.ops, [])
  })

  it('a truncated or extended copy is not identical even though every byte matches a block', async () => {
    const base = randomBytes(4096)
    const shorter = await delta(base, base.subarray(0, 3072), 1024)
    assert.equal(shorter.summary.identical, false)
    assert.equal(shorter.summary.literalBytes, 0)
    const doubled = await delta(base, Buffer.concat([base, base]), 1024)
    assert.equal(doubled.summary.identical, false)
    assert.equal(doubled.summary.literalBytes, 0)
  })

  it('a 1-byte change costs at most one block of literal; blocks moved by an insert still match', async () => {
    const base = randomBytes(1024 * 1024)
    const blockSize = chooseBlockSize(base.length)
    const changed = Buffer.from(base)
    changed[500_000] = changed[500_000]! ^ 0xff
    const one = await delta(base, changed, blockSize)
    assert.ok(one.rebuilt.equals(changed))
    assert.ok(one.summary.literalBytes <= blockSize, `${one.summary.literalBytes} literal bytes`)
    assert.equal(one.summary.identical, false)

    const inserted = Buffer.concat([base.subarray(0, 1000), Buffer.from('hello'), base.subarray(1000)])
    const ins = await delta(base, inserted, blockSize)
    assert.ok(ins.rebuilt.equals(inserted))
    assert.ok(ins.summary.literalBytes <= blockSize + 5, `${ins.summary.literalBytes} literal bytes`)
  })

  it('unrelated data is all literal', async () => {
    const base = randomBytes(50_000)
    const other = randomBytes(50_000)
    const { summary, rebuilt } = await delta(base, other, 1024, { chunkSize: 8192 })
    assert.ok(rebuilt.equals(other))
    assert.equal(summary.copiedBytes, 0)
  })

  it('works on real files through fileReader, with signatures read in chunks', async () => {
    const { dir, cleanup } = await tempDir()
    try {
      const base = randomBytes(3 * 1024 * 1024 + 17)
      const target = Buffer.concat([base.subarray(0, 1_000_000), randomBytes(4096), base.subarray(1_000_000)])
      await writeFile(join(dir, 'basis'), base)
      await writeFile(join(dir, 'target'), target)
      const bfh = await open(join(dir, 'basis'))
      const tfh = await open(join(dir, 'target'))
      try {
        const sig: Signature = await computeSignature(fileReader(bfh), base.length, { chunkSize: 100_000 })
        assert.deepEqual(sig, signatureOfBytes(base, sig.blockSize))
        const ops: DeltaOp[] = []
        for await (const op of generateDelta(sig, fileReader(tfh), target.length, { chunkSize: 256 * 1024 })) ops.push(op)
        const rebuilt = Buffer.alloc(target.length)
        await applyDelta(ops, fileReader(bfh), sig, async (d, o) => { rebuilt.set(d, o) })
        assert.ok(rebuilt.equals(target))
      } finally {
        await bfh.close()
        await tfh.close()
      }
    } finally {
      await cleanup()
    }
  })

  it('fails with SHORT_READ when the new data ends before its announced length', async () => {
    const sig = signatureOfBytes(randomBytes(4096), 1024)
    await assert.rejects(async () => {
      for await (const _ of generateDelta(sig, bytesReader(randomBytes(100)), 5000)) { /* drain */ }
    }, { code: 'SHORT_READ' })
  })

  it('stops when aborted', async () => {
    const sig = signatureOfBytes(randomBytes(4096), 1024)
    const ac = new AbortController()
    ac.abort(new Error('user gave up'))
    await assert.rejects(async () => {
      for await (const _ of generateDelta(sig, bytesReader(randomBytes(100_000)), 100_000, { chunkSize: 4096, signal: ac.signal })) { /* drain */ }
    }, /user gave up/)
  })
})

describe('rsync applyDelta with a hostile delta', () => {
  const basis = randomBytes(4096)
  const sig = signatureOfBytes(basis, 1024)
  const sink = async (): Promise<void> => {}

  it('refuses blocks outside the basis', async () => {
    for (const op of [{ block: 4, count: 1 }, { block: 3, count: 2 }, { block: -1, count: 1 }, { block: 0, count: 0 }, { block: 0.5, count: 1 }]) {
      await assert.rejects(applyDelta([{ kind: 'copy', ...op }], bytesReader(basis), sig, sink), { code: 'BAD_DELTA' }, JSON.stringify(op))
    }
  })

  it('refuses to rebuild more than the expected length', async () => {
    await assert.rejects(applyDelta([{ kind: 'copy', block: 0, count: 4 }], bytesReader(basis), sig, sink, { maxLength: 4095 }), { code: 'BAD_DELTA' })
    await assert.rejects(applyDelta([{ kind: 'literal', data: new Uint8Array(10) }], bytesReader(basis), sig, sink, { maxLength: 9 }), { code: 'BAD_DELTA' })
  })
})

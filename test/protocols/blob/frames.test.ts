import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { BlobResponse, Compression } from '../../../protocols/blob/blob.js'
import { CompressionGate, SKIP_START_BYTES, compress, decompress, pickCompression } from '../../../protocols/blob/compression.js'
import { Uint8ArrayList } from 'uint8arraylist'
import { chunkFrame, parseChunkFrame } from '../../../protocols/blob/frames.js'
import { textOf } from './fixture.js'

describe('blob chunk frames and compression {#compress}', () => {
  it('chunkFrame encodes exactly what protons encodes, without copying the data', () => {
    for (const [size, codec, raw] of [[0, Compression.NONE, 5], [1, Compression.NONE, 1], [300, Compression.BROTLI, 4096], [256 * 1024, Compression.DEFLATE, 256 * 1024], [128, Compression.NONE, 0]] as const) {
      const data = randomBytes(size)
      const ours = chunkFrame(data, codec, raw)
      const theirs = BlobResponse.encode({ chunk: { data, codec, rawLength: raw } })
      assert.ok(Buffer.from(ours.subarray()).equals(Buffer.from(theirs)), `size ${size} ${codec}`)
      if (size > 0) assert.ok([...ours].includes(data), 'the data buffer itself is part of the frame')
    }
  })

  /** `frame` as it may arrive: cut into pieces of at most `piece` bytes. */
  function cut (frame: Uint8Array, piece: number): Uint8ArrayList {
    const list = new Uint8ArrayList()
    for (let at = 0; at < frame.byteLength; at += piece) list.append(frame.subarray(at, at + piece))
    return list
  }

  it('parseChunkFrame reads what protons decodes, keeping the received pieces instead of copying them', () => {
    for (const [size, codec, raw] of [[0, Compression.NONE, 5], [1, Compression.NONE, 1], [300, Compression.BROTLI, 4096], [256 * 1024, Compression.NONE, 256 * 1024], [128, Compression.DEFLATE, 0]] as const) {
      const frame = BlobResponse.encode({ chunk: { data: randomBytes(size), codec, rawLength: raw } })
      const expected = BlobResponse.decode(frame).chunk
      for (const piece of [7, 65535, frame.byteLength]) {
        const list = cut(frame, piece)
        const got = parseChunkFrame(list)
        assert.ok(got != null && expected != null, `size ${size} in pieces of ${piece}`)
        assert.equal(got.codec, expected.codec)
        assert.equal(got.rawLength, expected.rawLength)
        assert.ok(Buffer.from(got.data.subarray()).equals(Buffer.from(expected.data)))
        // Views of the received buffers, not a copy.
        const received = new Set([...list].map((r) => r.buffer))
        for (const b of got.data) assert.ok(received.has(b.buffer))
      }
    }
  })

  it('parseChunkFrame leaves every other frame to the ordinary decoder', () => {
    const chunk = BlobResponse.encode({ chunk: { data: randomBytes(10), codec: Compression.NONE, rawLength: 10 } })
    const others = [
      BlobResponse.encode({ header: { size: 5, codec: Compression.BROTLI } }),
      BlobResponse.encode({ end: {} }),
      // An error frame (field 15) after a chunk, a repeated field, an unknown field, an unknown codec.
      Uint8Array.from([...chunk, 0x7a, 0x00]),
      Uint8Array.from([0x12, 0x06, 0x18, 0x01, 0x18, 0x02, 0x0a, 0x00]),
      Uint8Array.from([0x12, 0x02, 0x20, 0x01]),
      Uint8Array.from([0x12, 0x02, 0x10, 0x09]),
      // Truncated: the inner length runs past the frame.
      chunk.subarray(0, chunk.byteLength - 1),
      new Uint8Array(0)
    ]
    for (const f of others) assert.equal(parseChunkFrame(cut(f, 3)), undefined, Buffer.from(f).toString('hex'))
  })

  it('picks the first codec the reader offers that this node supports', () => {
    assert.equal(pickCompression([2, 1]), Compression.BROTLI)
    assert.equal(pickCompression([1, 2]), Compression.DEFLATE)
    assert.equal(pickCompression([99, 0, 1]), Compression.DEFLATE)
    assert.equal(pickCompression([]), Compression.NONE)
    assert.equal(pickCompression([0, 77]), Compression.NONE)
  })

  it('round-trips, and refuses to inflate past the announced size', async () => {
    const text = textOf(200_000)
    for (const c of [Compression.BROTLI, Compression.DEFLATE]) {
      const packed = await compress(c, text)
      assert.ok(packed.byteLength < text.length / 2)
      assert.ok(Buffer.from(await decompress(c, packed, text.length)).equals(text))
      // A peer claiming a smaller raw size cannot make us produce more.
      await assert.rejects(decompress(c, packed, 1000))
    }
  })

  it('the gate compresses text, sends random data raw and stops sampling it, and notices text again', () => {
    const gate = new CompressionGate(Compression.BROTLI)
    const chunk = 256 * 1024
    assert.equal(gate.shouldCompress(textOf(chunk)), true)
    const noise = randomBytes(chunk)
    assert.equal(gate.shouldCompress(noise), false)
    // Skipped without sampling: even text is sent raw during the skip...
    let skipped = 0
    while (!gate.shouldCompress(textOf(chunk))) skipped += chunk
    // ...which lasts SKIP_START_BYTES, then text is sampled and compressed again.
    assert.equal(skipped, SKIP_START_BYTES)
    assert.equal(new CompressionGate(Compression.NONE).shouldCompress(textOf(chunk)), false)
  })

  it('the skip doubles while data stays incompressible', () => {
    const gate = new CompressionGate(Compression.DEFLATE)
    const chunk = 256 * 1024
    const noise = randomBytes(chunk)
    const samples: number[] = []
    let at = 0
    for (let i = 0; i < 64; i++, at += chunk) {
      const before = (gate as unknown as { skipLeft: number }).skipLeft
      gate.shouldCompress(noise)
      if (before <= 0) samples.push(at / chunk)
    }
    // Sampled at chunk 0, then after 1 MiB (4 chunks) raw, then 2 MiB, 4 MiB, ...
    assert.deepEqual(samples, [0, 5, 14, 31])
  })
})

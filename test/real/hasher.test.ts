import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_CHUNK_SIZE, hashBytes, hashFile, hashRange } from '../../node/real/hasher.js'
import { RealizeError, describeError } from '../../datastore/types/errors.js'
import { hashToHex } from '../../datastore/types/hash.js'

function sha256Hex (data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

describe('real/hasher', function () {
  let dir: string
  let n = 0

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'realize-hasher-'))
  })

  after(async function () {
    await rm(dir, { recursive: true, force: true })
  })

  async function fileWith (data: Uint8Array): Promise<string> {
    const path = join(dir, `f${n++}`)
    await writeFile(path, data)
    return path
  }

  async function assertHashes (data: Uint8Array, options?: { chunkSize?: number }): Promise<void> {
    const path = await fileWith(data)
    const r = await hashFile(path, options)
    assert.equal(hashToHex(r.hash), sha256Hex(data))
    assert.equal(r.size, data.byteLength)
  }

  describe('hashFile', function () {
    it('hashes an empty file', async function () {
      await assertHashes(new Uint8Array(0))
    })

    it('hashes a small file', async function () {
      await assertHashes(Buffer.from('hello, realize\n'))
    })

    it('hashes a file of exactly the buffer size', async function () {
      await assertHashes(randomBytes(DEFAULT_CHUNK_SIZE))
    })

    it('hashes a file of the buffer size - 1 and + 1', async function () {
      await assertHashes(randomBytes(DEFAULT_CHUNK_SIZE - 1))
      await assertHashes(randomBytes(DEFAULT_CHUNK_SIZE + 1))
    })

    it('hashes a random file of a few MiB', async function () {
      await assertHashes(randomBytes(5 * 1024 * 1024 + 12345))
    })

    it('hashes across many chunks with a small chunk size', async function () {
      await assertHashes(randomBytes(10_000), { chunkSize: 7 })
      await assertHashes(randomBytes(4096), { chunkSize: 1024 })
    })

    it('returns a plain Uint8Array hash, deep-equal to hashBytes', async function () {
      const data = randomBytes(3000)
      const r = await hashFile(await fileWith(data))
      assert.equal(Object.getPrototypeOf(r.hash), Uint8Array.prototype)
      assert.deepEqual(r.hash, hashBytes(data))
    })

    it('hashes files in parallel without mixing buffers', async function () {
      const datas = Array.from({ length: 8 }, (_, i) => randomBytes(DEFAULT_CHUNK_SIZE * 2 + i * 1000))
      const paths = await Promise.all(datas.map(fileWith))
      const results = await Promise.all(paths.map((p) => hashFile(p)))
      results.forEach((r, i) => assert.equal(hashToHex(r.hash), sha256Hex(datas[i]!)))
    })

    it('accepts the right expectSize', async function () {
      // Small sizes take the right-sized-buffer path, large ones the pooled one.
      for (const size of [0, 1, 100, DEFAULT_CHUNK_SIZE - 1, DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_SIZE + 10]) {
        const data = randomBytes(size)
        const r = await hashFile(await fileWith(data), { expectSize: size })
        assert.equal(hashToHex(r.hash), sha256Hex(data), `size ${size}`)
        assert.equal(r.size, size)
      }
    })

    it('fails with FILE_CHANGED when the size differs from expectSize', async function () {
      const path = await fileWith(randomBytes(DEFAULT_CHUNK_SIZE + 10))
      // Too small: the file looks grown; too large: it looks truncated.
      for (const expectSize of [0, 100, DEFAULT_CHUNK_SIZE + 9, DEFAULT_CHUNK_SIZE + 11, 10 * DEFAULT_CHUNK_SIZE]) {
        await assert.rejects(hashFile(path, { expectSize }), (err: unknown) => {
          assert.ok(err instanceof RealizeError)
          assert.equal(err.code, 'FILE_CHANGED')
          assert.ok(err.message.includes(path), err.message)
          return true
        })
      }
    })

    it('rejects an invalid expectSize or chunk size', async function () {
      const path = await fileWith(randomBytes(10))
      await assert.rejects(hashFile(path, { expectSize: -1 }), { code: 'INVALID_SIZE' })
      await assert.rejects(hashFile(path, { chunkSize: 0 }), { code: 'INVALID_CHUNK_SIZE' })
    })
  })

  describe('hashRange', function () {
    it('equals the hash of the slice', async function () {
      const data = randomBytes(3 * DEFAULT_CHUNK_SIZE + 777)
      const path = await fileWith(data)
      const ranges: Array<[number, number]> = [
        [0, 0],
        [0, data.byteLength],
        [0, 1],
        [5, 6],
        [100, 5000],
        [DEFAULT_CHUNK_SIZE - 3, DEFAULT_CHUNK_SIZE + 3],
        [DEFAULT_CHUNK_SIZE, 2 * DEFAULT_CHUNK_SIZE],
        [12345, 2 * DEFAULT_CHUNK_SIZE + 54321],
        [data.byteLength - 10, data.byteLength],
        [data.byteLength, data.byteLength]
      ]
      for (const [start, end] of ranges) {
        const r = await hashRange(path, start, end)
        assert.equal(hashToHex(r.hash), sha256Hex(data.subarray(start, end)), `[${start}, ${end})`)
        assert.equal(r.size, end - start)
      }
      const small = await hashRange(path, 10, 1000, { chunkSize: 13 })
      assert.equal(hashToHex(small.hash), sha256Hex(data.subarray(10, 1000)))
    })

    it('fails with RANGE_BEYOND_EOF when the file is shorter than the range', async function () {
      const path = await fileWith(randomBytes(1000))
      await assert.rejects(hashRange(path, 500, 1001), { code: 'RANGE_BEYOND_EOF' })
      await assert.rejects(hashRange(path, 2000, 3000), { code: 'RANGE_BEYOND_EOF' })
    })

    it('rejects invalid ranges', async function () {
      const path = await fileWith(randomBytes(10))
      for (const [start, end] of [[-1, 5], [5, 4], [0.5, 2], [0, Number.NaN]] as const) {
        await assert.rejects(hashRange(path, start, end), { code: 'INVALID_RANGE' })
      }
    })
  })

  describe('abort', function () {
    function assertAbortError (err: unknown, path: string): true {
      assert.ok(err instanceof Error)
      assert.equal(err.name, 'AbortError')
      assert.equal((err as RealizeError).code, 'ABORT_ERR')
      assert.ok(err.message.includes(path), err.message)
      return true
    }

    it('fails at once on an already aborted signal', async function () {
      const path = await fileWith(randomBytes(100))
      await assert.rejects(hashFile(path, { signal: AbortSignal.abort() }), (err) => assertAbortError(err, path))
      await assert.rejects(hashRange(path, 0, 10, { signal: AbortSignal.abort() }), (err) => assertAbortError(err, path))
    })

    it('stops a running hash between chunks', async function () {
      const path = await fileWith(randomBytes(5 * 1024 * 1024))
      const ac = new AbortController()
      // 4 KiB chunks: over a thousand reads, so the abort lands mid-file.
      const running = hashFile(path, { signal: ac.signal, chunkSize: 4096 })
      setImmediate(() => ac.abort(new Error('shutting down')))
      await assert.rejects(running, (err: unknown) => {
        assertAbortError(err, path)
        assert.equal(((err as Error).cause as Error).message, 'shutting down')
        return true
      })
    })

    it('leaves pooled buffers usable after an abort with the default chunk size', async function () {
      const data = randomBytes(8 * DEFAULT_CHUNK_SIZE)
      const path = await fileWith(data)
      const ac = new AbortController()
      const running = hashFile(path, { signal: ac.signal })
      setImmediate(() => ac.abort())
      await assert.rejects(running, { name: 'AbortError' })
      const results = await Promise.all([hashFile(path), hashFile(path)])
      for (const r of results) assert.equal(hashToHex(r.hash), sha256Hex(data))
    })
  })

  describe('errors', function () {
    it('names the file when it is missing', async function () {
      const path = join(dir, 'no-such-file')
      await assert.rejects(hashFile(path), (err: unknown) => {
        assert.ok(err instanceof RealizeError)
        assert.equal(err.code, 'ENOENT')
        assert.match(err.message, /no-such-file/)
        assert.equal((err.cause as NodeJS.ErrnoException).code, 'ENOENT')
        assert.match(describeError(err), /^hashing .*no-such-file: ENOENT/)
        return true
      })
      await assert.rejects(hashRange(path, 0, 1), { code: 'ENOENT' })
    })

    it('names the path when it is a directory', async function () {
      await assert.rejects(hashFile(dir), (err: unknown) => {
        assert.ok(err instanceof RealizeError)
        assert.equal(err.code, 'EISDIR')
        assert.ok(err.message.includes(dir))
        return true
      })
    })
  })

  describe('hashBytes', function () {
    it('matches node:crypto', function () {
      for (const data of [new Uint8Array(0), Buffer.from('abc'), randomBytes(100_000)]) {
        assert.equal(hashToHex(hashBytes(data)), sha256Hex(data))
      }
      assert.equal(hashToHex(hashBytes(Buffer.from('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    })
  })
})

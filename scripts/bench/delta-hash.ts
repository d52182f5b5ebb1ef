/**
 * The delta workload's expected result, computed before the clock starts:
 * the SHA-256 of `path` as it will be once 1 MiB of new random bytes is
 * written in its middle. Hashing after the write would put a full read of
 * the file inside every tool's measured time.
 */
import { createHash, randomBytes } from 'node:crypto'
import { open } from 'node:fs/promises'

const MiB = 1024 * 1024

export async function hashWithPatch (path: string, size: number, bytes = MiB): Promise<{ patch: Buffer, hash: string }> {
  const patch = randomBytes(bytes)
  const at = Math.floor(size / 2)
  const h = createHash('sha256')
  const fh = await open(path)
  try {
    const buf = Buffer.allocUnsafe(4 * MiB)
    for (let off = 0; off < size;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.byteLength, size - off), off)
      if (bytesRead === 0) break
      const chunk = Buffer.from(buf.subarray(0, bytesRead))
      // Overlay the part of the patch that falls in this chunk.
      const from = Math.max(at, off)
      const to = Math.min(at + bytes, off + bytesRead)
      if (from < to) patch.copy(chunk, from - off, from - at, to - at)
      h.update(chunk)
      off += bytesRead
    }
  } finally {
    await fh.close()
  }
  return { patch, hash: h.digest('hex') }
}

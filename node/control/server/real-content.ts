import { constants } from 'node:fs'
import { open, realpath, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { isSameOrInside } from '../../config/paths.js'
import type { RelPath } from '../../../datastore/types/path.js'
import { PathNotFoundError } from './errors.js'
import type { Content } from '../api/model.js'

const CAT_CHUNK = 256 * 1024

/**
 * The real file, opened without following a symlink at the end and checked
 * to resolve inside the arena root, so `cat` never reads outside it.
 */
export async function openReal (root: string, p: RelPath, where: string): Promise<Content> {
  const abs = join(root, p)
  let fh: FileHandle
  try {
    fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ELOOP') throw new PathNotFoundError(`${where}: no such file in the arena root (it changed since it was indexed)`)
    throw err
  }
  try {
    const st = await fh.stat()
    if (!st.isFile()) throw new PathNotFoundError(`${where}: not a regular file in the arena root`)
    if (!isSameOrInside(await realpath(abs), await realpath(root))) throw new PathNotFoundError(`${where}: resolves outside the arena root`)
    return { source: 'real', size: st.size, chunks: readChunks(fh) }
  } catch (err) {
    await fh.close()
    throw err
  }
}

async function * readChunks (fh: FileHandle): AsyncGenerator<Uint8Array> {
  try {
    const buf = Buffer.allocUnsafe(CAT_CHUNK)
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null)
      if (bytesRead === 0) return
      // A copy: the consumer may hold the chunk while the next read refills the buffer.
      yield Buffer.from(buf.subarray(0, bytesRead))
    }
  } finally {
    await fh.close()
  }
}

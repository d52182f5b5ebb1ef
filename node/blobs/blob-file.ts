import { copyFile, open, rename, rm, type FileHandle } from 'node:fs/promises'
import { allocatedBytes } from './capacity.js'
import { wrapError } from '../../datastore/types/errors.js'
import { pieces, type BlobBytes } from '../../protocols/blob/bytes.js'

/**
 * The sparse file holding one blob's content: positional reads and writes
 * on one descriptor, so readers and writers of different ranges never
 * wait for each other. Bytes never written are holes and cost no space.
 */
export class BlobFile {
  private constructor (readonly path: string, private readonly fh: FileHandle) {}

  /**
   * Opens the file, creating it (as a hole of `size` bytes) when missing.
   * Returns whether it had to be created: then nothing in it was written.
   */
  static async open (path: string, size: number): Promise<{ file: BlobFile, created: boolean }> {
    try {
      const fh = await open(path, 'r+')
      return { file: new BlobFile(path, fh), created: false }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw wrapError(`opening blob file ${path}`, err)
    }
    return { file: await BlobFile.create(path, size), created: true }
  }

  /** A new file of `size` bytes, all holes (an existing file is emptied). */
  static async create (path: string, size: number): Promise<BlobFile> {
    let fh: FileHandle | undefined
    try {
      fh = await open(path, 'w+', 0o600)
      await fh.truncate(size)
      return new BlobFile(path, fh)
    } catch (err) {
      await fh?.close().catch(() => {})
      throw wrapError(`creating blob file ${path}`, err)
    }
  }

  static async remove (path: string): Promise<void> {
    await rm(path, { force: true })
  }

  async read (buffer: Uint8Array, length: number, position: number): Promise<number> {
    let done = 0
    // A short read before EOF is legal; loop until we have what was asked.
    while (done < length) {
      const { bytesRead } = await this.fh.read(buffer, done, length - done, position + done)
      if (bytesRead === 0) break
      done += bytesRead
    }
    return done
  }

  /** Writes all of `data`; pieces go out in one vectored write (no copying them together). */
  async write (data: BlobBytes, position: number): Promise<void> {
    let done = 0
    if (!(data instanceof Uint8Array)) {
      done = (await this.fh.writev(pieces(data), position)).bytesWritten
      if (done === data.byteLength) return
      // A short vectored write (rare): the rest the plain way.
      data = data.subarray(done)
      position += done
      done = 0
    }
    while (done < data.byteLength) {
      const { bytesWritten } = await this.fh.write(data, done, data.byteLength - done, position + done)
      done += bytesWritten
    }
  }

  /** Makes every byte a hole again (the size stays): what was written is given back to the disk. */
  async clear (size: number): Promise<void> {
    await this.fh.truncate(0)
    await this.fh.truncate(size)
  }

  async allocated (): Promise<number> {
    return allocatedBytes(await this.fh.stat())
  }

  async datasync (): Promise<void> {
    await this.fh.datasync()
  }

  async close (): Promise<void> {
    await this.fh.close()
  }
}

/**
 * Moves a file to `target` (in the blob directory): a rename on the same
 * file system; across file systems a copy to `tmp` (fsynced), a rename into
 * place, then the source is removed. The startup scan removes a `tmp` left
 * by a crash. `beforeRemoving` runs after the copy, before the source is
 * removed (a check that the source did not change while it was copied: the
 * copy's mtime is the time of the copy, so it cannot be checked after);
 * when it throws, the copy is removed and the source stays.
 */
export async function moveFile (source: string, target: string, tmp: string, beforeRemoving?: () => Promise<void>): Promise<'renamed' | 'copied'> {
  try {
    await rename(source, target)
    return 'renamed'
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err
  }
  await copyFile(source, tmp)
  try {
    const fh = await open(tmp, 'r+')
    try {
      await fh.datasync()
    } finally {
      await fh.close()
    }
    await beforeRemoving?.()
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  await rename(tmp, target)
  await rm(source, { force: true })
  return 'copied'
}

import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { RealizeError } from '../datastore/types/errors.js'

/**
 * `<data>/node.pid`: which process runs the node on a data directory, so
 * a second `start` can say so instead of LevelDB's "Database failed to
 * open". The lock itself is LevelDB's (an fcntl lock the kernel drops when
 * the process dies): a pid file left by a kill -9 blocks nothing, it is
 * only read when the store cannot be opened, and overwritten by the next
 * node.
 */
export function pidFile (dataDir: string): string {
  return join(dataDir, 'node.pid')
}

/** Another node holds the data directory. Exit code 1: nothing is wrong with the command, the directory is busy. */
export class NodeAlreadyRunningError extends RealizeError {
  constructor (readonly pid: number, options?: { cause?: unknown }) {
    super('NODE_ALREADY_RUNNING', `a node is already running with this data directory (pid ${pid}); stop it first`, options)
  }
}

export async function writePidFile (dataDir: string): Promise<void> {
  const file = pidFile(dataDir)
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, `${process.pid}\n`, { mode: 0o600 })
  await rename(tmp, file)
}

/** Removes the pid file if it is still this process's. */
export async function removePidFile (dataDir: string): Promise<void> {
  if (await readPid(dataDir) === process.pid) await rm(pidFile(dataDir), { force: true })
}

/**
 * The store of `dataDir` failed to open with `err`: when the pid file names
 * another live process, that node holds it.
 */
export async function explainStoreOpenFailure (dataDir: string, err: unknown): Promise<unknown> {
  const pid = await readPid(dataDir)
  if (pid == null || pid === process.pid || !isAlive(pid)) return err
  return new NodeAlreadyRunningError(pid, { cause: err })
}

async function readPid (dataDir: string): Promise<number | undefined> {
  const text = await readFile(pidFile(dataDir), 'utf8').catch(() => undefined)
  const pid = Number(text?.trim())
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: alive, another user's.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

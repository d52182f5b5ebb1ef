/**
 * Helpers shared by the side-by-side suite (scripts/bench-suite.ts): sizes,
 * medians, data generation, polling for a file's arrival, and a registry of
 * every child process the suite starts so that one handler can stop them
 * all on success, failure or Ctrl-C.
 */
import { spawn, execFile, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { createHash, randomBytes, randomFillSync } from 'node:crypto'
import { mkdir, open, readdir, rename, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

export const MiB = 1024 * 1024
export const GiB = 1024 * MiB
export const exec = promisify(execFile)

export function parseSize (text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)i?B?$/i.exec(text.trim())
  if (m == null) throw new Error(`invalid size ${JSON.stringify(text)}: expected e.g. 1G, 512M, 4096`)
  const unit = { '': 1, K: 1024, M: MiB, G: GiB }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G']
  return Math.round(Number(m[1]) * unit)
}

export function median (xs: number[]): number {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export function humanSize (bytes: number): string {
  if (bytes >= GiB) return `${+(bytes / GiB).toFixed(2)} GiB`
  if (bytes >= MiB) return `${+(bytes / MiB).toFixed(2)} MiB`
  return `${+(bytes / 1024).toFixed(1)} KiB`
}

export const log = (msg: string): void => { console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`) }

// ── processes ───────────────────────────────────────────────────────────────

const children = new Set<ChildProcess>()
const cleanups: Array<() => Promise<void> | void> = []

/** Spawns and remembers a child, so killAll() stops it whatever happens. */
export function track (cmd: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
  children.add(child)
  child.on('exit', () => { children.delete(child) })
  return child
}

/** Registers a child spawned elsewhere (the harness's NodeProcess). */
export function adopt (child: ChildProcess): void {
  children.add(child)
  child.on('exit', () => { children.delete(child) })
}

export function onCleanup (fn: () => Promise<void> | void): void { cleanups.push(fn) }

/** SIGTERM to every child still running, SIGKILL after 10 s, then the registered cleanups (temp dirs). */
export async function killAll (): Promise<void> {
  const waiting = [...children].map(async (c) => {
    if (c.exitCode != null || c.signalCode != null) return
    const exited = new Promise((resolve) => c.once('exit', resolve))
    c.kill('SIGTERM')
    const timer = setTimeout(() => { c.kill('SIGKILL') }, 10_000)
    await exited
    clearTimeout(timer)
  })
  await Promise.all(waiting)
  for (const fn of cleanups.splice(0).reverse()) {
    try { await fn() } catch (err) { console.error('cleanup:', err) }
  }
}

/** Stops one tracked child and waits for it. */
export async function stopChild (c: ChildProcess): Promise<void> {
  if (c.exitCode != null || c.signalCode != null) return
  const exited = new Promise((resolve) => c.once('exit', resolve))
  c.kill('SIGTERM')
  const timer = setTimeout(() => { c.kill('SIGKILL') }, 10_000)
  await exited
  clearTimeout(timer)
}

// ── data ────────────────────────────────────────────────────────────────────

/** Writes `size` random bytes (incompressible, so no tool gains from compression on loopback). */
export async function writeRandom (path: string, size: number): Promise<void> {
  const fh = await open(path, 'w')
  const block = Buffer.allocUnsafe(Math.min(size, 64 * MiB))
  try {
    for (let off = 0; off < size; off += block.byteLength) {
      randomFillSync(block)
      await fh.write(block, 0, Math.min(block.byteLength, size - off), off)
    }
  } finally {
    await fh.close()
  }
}

/** `files` random files of `fileSize` bytes, 100 per directory. */
export async function writeSmallTree (dir: string, files: number, fileSize: number): Promise<void> {
  for (let d = 0; d < Math.ceil(files / 100); d++) {
    await mkdir(join(dir, `d${d}`), { recursive: true })
    for (let f = d * 100; f < Math.min(files, (d + 1) * 100); f++) {
      const fh = await open(join(dir, `d${d}`, `f${f}.bin`), 'w')
      await fh.write(randomBytes(fileSize))
      await fh.close()
    }
  }
}

/** Writes `patch` in place in the middle of `path` (see delta-hash.ts). */
export async function patchMiddle (path: string, size: number, patch: Buffer): Promise<void> {
  const fh = await open(path, 'r+')
  try {
    await fh.write(patch, 0, patch.byteLength, Math.floor(size / 2))
  } finally {
    await fh.close()
  }
}

export async function sha256File (path: string): Promise<string> {
  const h = createHash('sha256')
  const fh = await open(path)
  try {
    const buf = Buffer.allocUnsafe(4 * MiB)
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.byteLength, null)
      if (bytesRead === 0) break
      h.update(buf.subarray(0, bytesRead))
    }
  } finally {
    await fh.close()
  }
  return h.digest('hex')
}

/** Flushes dirty pages so that writeback of the data just generated does not land in the next measurement. */
export async function flush (): Promise<void> { await exec('sync') }

export const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** Polls until `check` is true; returns performance.now() of the first true. */
export async function pollUntil (check: () => Promise<boolean>, everyMs: number, timeoutMs: number, what: string): Promise<number> {
  const end = performance.now() + timeoutMs
  for (;;) {
    if (await check()) return performance.now()
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`)
    await sleep(everyMs)
  }
}

/**
 * Waits until `path` holds exactly the content with `hash` and returns the
 * time it was first seen so (the hashing that confirms it is not counted:
 * every tool renames or writes the final file last, and a stat change is
 * checked for every 20 ms). `before` is the file's stat key beforehand, so
 * an old copy of the same size is not taken for the new one.
 */
export async function waitForContent (path: string, size: number, hash: string, timeoutMs: number, before?: string): Promise<number> {
  let lastKey = before
  const end = performance.now() + timeoutMs
  for (;;) {
    const st = await stat(path).catch(() => undefined)
    const key = st == null ? undefined : `${st.ino}:${st.mtimeMs}:${st.size}`
    if (st != null && st.size === size && key !== lastKey) {
      const seen = performance.now()
      lastKey = key
      if (await sha256File(path) === hash) return seen
    }
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${path}`)
    await sleep(20)
  }
}

export async function statKey (path: string): Promise<string | undefined> {
  const st = await stat(path).catch(() => undefined)
  return st == null ? undefined : `${st.ino}:${st.mtimeMs}:${st.size}`
}

/** Files in `dir` (recursively), leaving out the tools' temporary and marker files. */
export async function countFiles (dir: string): Promise<number> {
  let n = 0
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile() && !e.name.startsWith('.realize-') && !e.name.startsWith('.syncthing.') && !e.name.startsWith('~syncthing~')) n++
  }
  return n
}

/** Compares one file per directory of a small-file tree on both sides (after the clock stops). */
export async function checkSmallTree (a: string, b: string, files: number): Promise<void> {
  for (let d = 0; d < Math.ceil(files / 100); d++) {
    const one = join(`d${d}`, `f${d * 100}.bin`)
    if (await sha256File(join(a, one)) !== await sha256File(join(b, one))) throw new Error(`${one} differs between ${a} and ${b}`)
  }
}

export { rename }
export { freePort } from '../harness/free-port.js'


/** The workloads' results, one per tool and workload, for the table. */
export interface Measure {
  /** Seconds per run. */
  seconds: number[]
  /** Bytes on the wire per run (both directions), where measured. */
  bytes?: number[]
  /** Of those, the bytes the receiving side got (data; the rest is mostly signatures and acknowledgements). */
  bytesIn?: number[]
  note?: string
}

/** A delta round's result: seconds, bytes both ways, bytes to the receiver. */
export interface Wire { seconds: number, bytes: number, bytesIn: number }

import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'

/** Child processes for the mount tests: the kernel client is a program, never the node. */

export interface Ran { code: number, stdout: string, stderr: string, ms: number }

/** A shell command in a child process; never throws (the exit code is the point). */
export async function sh (cmd: string, ms = 60_000): Promise<Ran> {
  const t0 = Date.now()
  return await new Promise((resolve) => {
    execFile('sh', ['-c', cmd], { timeout: ms, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' }, (err, stdout, stderr) => {
      const code = err == null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1
      resolve({ code, stdout: stdout.toString('latin1'), stderr: stderr.toString('utf8'), ms: Date.now() - t0 })
    })
  })
}

export function q (s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`
}

/** Deterministic bytes, different at every offset (a wrong offset shows). */
export function pattern (size: number, seed: number): Buffer {
  const out = Buffer.alloc(size)
  let block = Buffer.alloc(0)
  for (let i = 0, n = 0; i < size; i += block.length, n++) {
    block = createHash('sha256').update(`${seed}:${n}`).digest()
    block.copy(out, i)
  }
  return out
}

export async function isMounted (dir: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8')
  return info.split('\n').some((l) => l.split(' ')[4] === dir)
}


import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { ROOT_MARKER } from '../../node/real/root-check.js'
import { Household, type HouseholdOptions } from '../../scripts/harness/household.js'
import type { LogLine } from '../../scripts/harness/node-process.js'

/**
 * Shared by the end-to-end scenarios (test/e2e): real `realize-node start
 * --headless` processes in network namespaces (scripts/harness), one
 * household per test, torn down after each test whatever happened.
 */

/** mocha hooks for one household per test: `const e2e = household(); ... await e2e.create({...})`. */
export function household (): { create: (options: HouseholdOptions) => Promise<Household>, readonly h: Household } {
  let current: Household | undefined
  let started = 0
  beforeEach(function () { started = Date.now() })
  afterEach(async function () {
    const h = current
    current = undefined
    if (this.currentTest?.state === 'failed' && h != null) {
      // What each node said last: the first thing to read when a scenario fails.
      for (const n of h.nodes) console.log(`--- ${n.name} (last log lines)\n${(n.process?.stderr ?? []).slice(-30).join('\n')}`)
    }
    await h?.destroy()
    console.log(`  scenario took ${((Date.now() - started) / 1000).toFixed(1)} s`)
  })
  return {
    async create (options) {
      current = await Household.create(options)
      return current
    },
    get h () {
      assert.ok(current != null, 'household created')
      return current
    }
  }
}

export function sha256 (data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex')
}

export async function readOr (file: string): Promise<string | undefined> {
  return await readFile(file, 'utf8').catch(() => undefined)
}

/** Every file under `root` (relative path -> content), the node's temp files left out. */
export async function tree (root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name.startsWith('.realize-')) continue
    const abs = join(e.parentPath, e.name)
    out[relative(root, abs)] = await readFile(abs, 'utf8')
  }
  return out
}

/** The names in `dir` but the root's marker, which is the node's (root-check.ts). */
export async function userEntries (dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n !== ROOT_MARKER)
}

/** True when two trees hold the same paths with the same contents. */
export function sameTree (a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort()
  const kb = Object.keys(b).sort()
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k])
}

/** The `peer-connected` log line of `from` for `to`, if any. */
export function connectedLine (h: Household, from: string, to: string): LogLine | undefined {
  const id = h.node(to).peerId
  return h.lines(from).find((l) => l.event === 'peer-connected' && l.peerId === id)
}

/** `ls --json` entry of one file, or undefined. */
export interface LsEntry {
  name: string
  path: string
  type: 'file' | 'dir'
  size: number
  hash: string | null
  mark: string
  location: 'real' | 'cached' | 'unverified' | 'partial' | 'remote'
  peers: string[]
}

export async function lsFile (h: Household, host: string, target: string): Promise<LsEntry | undefined> {
  const r = await h.cli(host, 'ls', target, '--json')
  if (r.code !== 0) return undefined
  const path = target.slice(target.indexOf(':') + 1)
  return (JSON.parse(r.stdout) as LsEntry[]).find((e) => e.type === 'file' && e.path === path)
}

import type { Command } from 'commander'
import { formatBytes, formatTime } from '../../control/api/format.js'
import type { ConflictInfo, VersionJson } from '../../control/api/model.js'
import { ConfigError } from '../../../datastore/types/errors.js'
import { controlCommand, out, printJson, resolveTarget, withClient, type ControlOptions } from './control-common.js'

export function registerConflicts (program: Command): void {
  const cmd = controlCommand(program.command('conflicts'), { json: 'print [{"arena", "path", "local", "remote", "copies"}] as JSON only' })
    .description("list conflicts with each side's version and peer, and the conflict copies kept next to each file")
    .action(async (opts: ControlOptions) => { await conflicts(opts) })
  controlCommand(cmd.command('resolve'), { json: 'print {"arena", "path", "keep", "done"} as JSON only' })
    .description('settle a conflict: keep this node\'s version (mine), the other one (theirs), a peer\'s (PEER: a name, PeerId or the id in a copy\'s name), or both as separate files (docs/conflicts.md)')
    .argument('<path>', 'a path inside an arena root, or ARENA:path')
    .requiredOption('--keep <which>', 'mine | theirs | PEER | both')
    // `--data` and `--json` may land on `conflicts` itself (commander parses parent options anywhere).
    .action(async (path: string, _opts: unknown, sub: Command) => { await resolve(path, sub.optsWithGlobals()) })
}

export async function conflicts (opts: ControlOptions): Promise<void> {
  const list = await withClient(opts, async (c) => await c.call('conflicts'))
  if (opts.json === true) {
    await printJson(list)
    return
  }
  await out(list.length === 0 ? 'no conflicts\n' : `${list.map(format).join('\n')}\n`)
}

async function resolve (raw: string, opts: ControlOptions & { keep: string }): Promise<void> {
  if (opts.keep === '') throw new ConfigError('--keep needs mine, theirs, PEER or both', { key: 'keep' })
  const r = await withClient(opts, async (c) => {
    const { arena, path } = await resolveTarget(c, raw)
    return await c.call('conflicts.resolve', { arena, path, keep: opts.keep })
  })
  if (opts.json === true) {
    await printJson(r)
    return
  }
  await out(`${r.arena}:${r.path}: kept ${r.keep}\n${r.done.map((d) => `  ${d}\n`).join('')}`)
}

function version (v: VersionJson): string {
  return `${v.hash.slice(0, 12)}  ${formatBytes(v.size).padStart(9)}  ${formatTime(v.mtime)}`
}

function format (c: ConflictInfo): string {
  const rows = [`${c.arena}:${c.path}`]
  rows.push(`  ${'here'.padEnd(12)}  ${c.local == null ? '(no local copy)' : version(c.local)}`)
  for (const r of c.remote) rows.push(`  ${r.peer.padEnd(12)}  ${version(r)}  (pending)`)
  for (const k of c.copies) rows.push(`  ${k.peer.padEnd(12)}  ${version(k)}  kept as ${k.path}`)
  return rows.join('\n')
}

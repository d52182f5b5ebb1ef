import type { Command } from 'commander'
import { formatBytes, formatTime } from '../../control/api/format.js'
import type { ConflictInfo, VersionJson } from '../../control/api/model.js'
import { controlCommand, out, printJson, withClient, type ControlOptions } from './control-common.js'

export function registerConflicts (program: Command): void {
  controlCommand(program.command('conflicts'), { json: 'print [{"arena", "path", "local", "remote"}] as JSON only' })
    .description("list conflicts with each side's version and peer")
    .action(async (opts: ControlOptions) => { await conflicts(opts) })
}

export async function conflicts (opts: ControlOptions): Promise<void> {
  const list = await withClient(opts, async (c) => await c.call('conflicts'))
  if (opts.json === true) {
    await printJson(list)
    return
  }
  await out(list.length === 0 ? 'no conflicts\n' : `${list.map(format).join('\n')}\n`)
}

function version (v: VersionJson): string {
  return `${v.hash.slice(0, 12)}  ${formatBytes(v.size).padStart(9)}  ${formatTime(v.mtime)}`
}

function format (c: ConflictInfo): string {
  const rows = [`${c.arena}:${c.path}`]
  rows.push(`  ${'here'.padEnd(12)}  ${c.local == null ? '(no local copy)' : version(c.local)}`)
  for (const r of c.remote) rows.push(`  ${r.peer.padEnd(12)}  ${version(r)}`)
  return rows.join('\n')
}

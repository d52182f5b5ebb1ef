import type { Command } from 'commander'
import { ConfigError } from '../../../datastore/types/errors.js'
import { isMark } from '../../../datastore/types/mark.js'
import type { MarkInfo, SetMarkResult } from '../../control/api/model.js'
import { controlCommand, out, printJson, resolveTarget, withClient, type ControlOptions } from './control-common.js'

const ACTIONS = 'own, keep, watch, get or rm'

export function registerMark (program: Command): void {
  controlCommand(program.command('mark'), { json: 'print {"arena", "path", "mark", "inheritedFrom"} as JSON only' })
    .description('set (own|keep|watch), show (get) or remove (rm) the mark of PATH: a file system path inside an arena root, ARENA:path, or ARENA: for the arena')
    .argument('<action>', ACTIONS)
    .argument('<path>', 'a path inside an arena root, ARENA:path, or ARENA:')
    .action(async (action: string, path: string, opts: ControlOptions) => { await mark(action, path, opts) })
}

/** {#setmark}: the xattr when the file exists locally, the marks table otherwise, the config for `ARENA:`. */
export async function mark (action: string, raw: string, opts: ControlOptions): Promise<void> {
  if (action !== 'get' && action !== 'rm' && !isMark(action)) {
    throw new ConfigError(`invalid mark ${JSON.stringify(action)}: expected ${ACTIONS}`, { key: 'mark' })
  }
  const info = await withClient(opts, async (c) => {
    const { arena, path } = await resolveTarget(c, raw)
    if (action === 'get') return await c.call('mark.get', { arena, path })
    if (action === 'rm') return await c.call('mark.rm', { arena, path })
    return await c.call('mark.set', { arena, path, mark: action })
  })
  if (opts.json === true) {
    await printJson(info)
    return
  }
  const target = `${info.arena}:${info.path}`
  if (action === 'get') await out(`${target} ${info.mark} (${origin(info)})\n`)
  else if (action === 'rm') await out(`${target}: mark removed; now ${info.mark} (${origin(info)})\n`)
  else await out(`${target} ${info.mark} (${stored(info as SetMarkResult)})\n`)
}

function origin (m: MarkInfo): string {
  switch (m.source) {
    case 'path': return 'set on this path'
    case 'ancestor': return `inherited from ${m.inheritedFrom ?? '?'}`
    case 'arena': return m.path === '' ? "the arena's mark" : `inherited from ${m.inheritedFrom ?? `${m.arena}:`}, the arena's mark`
    case 'default': return 'the default'
  }
}

function stored (r: SetMarkResult): string {
  if (r.stored === 'xattr') return 'set as the user.realize.mark xattr'
  if (r.stored === 'config') return 'written to the config'
  // A file or a directory: the table does not know which, nor does the user need it.
  if (r.pending) return 'recorded; nothing is at this path yet: the mark applies when it appears'
  return 'recorded for a path known only from peers'
}

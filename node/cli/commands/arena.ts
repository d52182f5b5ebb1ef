import type { Command } from 'commander'
import { controlCommand, out, printJson, withClient, type ControlOptions } from './control-common.js'

export function registerArena (program: Command): void {
  const arena = program.command('arena').description('arenas on this node')
  controlCommand(arena.command('resume').argument('<name>', 'the arena'), { json: 'print {"resumed", "arena"} as JSON only' })
    .description('resume a paused arena, accepting its root as it is (an emptied root\'s deletions are then published)')
    .action(async (name: string, opts: ControlOptions) => { await resume(name, opts) })
}

/**
 * Spec section 4: an arena whose root was emptied (or lost its marker)
 * stays paused until the user says the root is right as it is. A root still
 * missing or unreadable fails (exit 1) with the reason.
 */
async function resume (name: string, opts: ControlOptions): Promise<void> {
  const r = await withClient(opts, async (c) => await c.call('arena.resume', { arena: name }))
  if (opts.json === true) {
    await printJson(r)
    return
  }
  await out(r.resumed
    ? `arena ${r.arena.name} resumed: ${r.arena.realFiles} files real in ${r.arena.root ?? ''}\n`
    : `arena ${r.arena.name} is not paused\n`)
}

import type { Command } from 'commander'
import { controlCommand, resolveTarget, withClient, type ControlOptions } from './control-common.js'

export function registerCat (program: Command): void {
  controlCommand(program.command('cat'))
    .description("stream a file's content to stdout from the real, the cache, or a peer")
    .argument('<path>', 'ARENA:path, or a file system path inside an arena root')
    .action(async (path: string, opts: ControlOptions) => { await cat(path, opts) })
}

export async function cat (raw: string, opts: ControlOptions): Promise<void> {
  const stopped = new AbortController()
  // A reader that goes away (`| head`) ends the command quietly, as with cat(1).
  const onError = (err: NodeJS.ErrnoException): void => { if (err.code === 'EPIPE') stopped.abort(err) }
  process.stdout.on('error', onError)
  try {
    await withClient(opts, async (c) => {
      const { arena, path } = await resolveTarget(c, raw)
      await c.cat(arena, path, async (chunk) => {
        if (stopped.signal.aborted || process.stdout.write(chunk)) return
        await new Promise<void>((resolve) => {
          const done = (): void => { process.stdout.off('drain', done); stopped.signal.removeEventListener('abort', done); resolve() }
          process.stdout.once('drain', done)
          stopped.signal.addEventListener('abort', done)
        })
      }, { signal: stopped.signal })
    })
  } catch (err) {
    if (!stopped.signal.aborted) throw err
  } finally {
    process.stdout.off('error', onError)
  }
}

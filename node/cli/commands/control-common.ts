import type { Command } from 'commander'
import { ControlClient } from '../../control/api/client.js'
import { ControlCallError } from '../../control/api/errors.js'
import { ConfigError, InvalidInputError } from '../../../datastore/types/errors.js'
import { dataDirOf, withDataOption } from '../common.js'

/** Options every command that talks to a running node takes. */
export interface ControlOptions { data?: string, json?: boolean }

/** `--data DIR` and, for read-only commands, `--json` (JSON only on stdout). */
export function controlCommand (cmd: Command, options: { json?: string } = {}): Command {
  withDataOption(cmd)
  if (options.json != null) cmd.option('--json', options.json)
  return cmd
}

/**
 * The caller's mistakes (bad mark, unknown arena, path outside every arena),
 * whether found here or by the node, exit 2 like any bad argument.
 */
export function asUsage (err: unknown): unknown {
  if (err instanceof InvalidInputError || (err instanceof ControlCallError && err.usage)) {
    return new ConfigError((err as Error).message, { cause: err })
  }
  return err
}

/** Runs `fn` with a client of the node on `--data`; no node there is exit 3. */
export async function withClient<T> (opts: ControlOptions, fn: (client: ControlClient) => Promise<T>): Promise<T> {
  const client = await ControlClient.connect(dataDirOf(opts))
  try {
    return await fn(client)
  } catch (err) {
    throw asUsage(err)
  } finally {
    await client.close()
  }
}

/** What the user means by PATH: `ARENA:path` or a file system path inside an arena root. */
export async function resolveTarget (client: ControlClient, raw: string): Promise<{ arena: string, path: string }> {
  return await client.call('resolve', { target: raw, cwd: process.cwd() })
}

/** Writes to stdout, waiting when a pipe is full so large output does not pile up in memory. */
export async function out (text: string): Promise<void> {
  if (process.stdout.write(text)) return
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error): void => { process.stdout.off('drain', done); process.stdout.off('error', done); err == null ? resolve() : reject(err) }
    process.stdout.once('drain', done)
    process.stdout.once('error', done)
  })
}

export async function printJson (value: unknown): Promise<void> {
  await out(`${JSON.stringify(value)}\n`)
}

import { open } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { InvalidInputError } from '../../datastore/types/errors.js'

export const CONFIG_FILE = 'realize.toml'
export const KEY_FILE = 'key'

export function configPath (dataDir: string): string {
  return join(dataDir, CONFIG_FILE)
}

/**
 * `$XDG_DATA_HOME/realize`, else `~/.local/share/realize`. A relative
 * XDG_DATA_HOME is ignored, as the XDG base directory spec asks.
 */
export function defaultDataDir (env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME
  if (xdg != null && xdg !== '' && isAbsolute(xdg)) return join(xdg, 'realize')
  const home = env.HOME != null && env.HOME !== '' ? env.HOME : homedir()
  return join(home, '.local', 'share', 'realize')
}

/** `~` and `~/x` only: `~user` would need a passwd lookup and is rare in a config file. */
export function expandHome (raw: string, home: string): string {
  if (raw === '~') return home
  if (raw.startsWith('~/')) return join(home, raw.slice(2))
  if (raw.startsWith('~')) throw new InvalidInputError('INVALID_PATH', `invalid path ${JSON.stringify(raw)}: "~user" is not supported; write the full path`)
  return raw
}

/** An absolute, normalized path from a config value: `~/x` or `/x`, never relative (relative to what?). */
export function absoluteConfigPath (raw: string, home: string): string {
  const expanded = expandHome(raw, home)
  if (!isAbsolute(expanded)) throw new InvalidInputError('INVALID_PATH', `invalid path ${JSON.stringify(raw)}: expected an absolute path or one starting with ~/`)
  return resolve(expanded)
}

/** True when `inner` is `outer` or inside it (lexically; symlinks are not followed). */
export function isSameOrInside (inner: string, outer: string): boolean {
  const a = resolve(inner)
  const b = resolve(outer)
  return a === b || a.startsWith(b.endsWith('/') ? b : `${b}/`)
}

/** Makes a rename in `dir` durable; some file systems refuse fsync on a directory, which is fine. */
export async function syncDir (dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r')
    try { await fh.sync() } finally { await fh.close() }
  } catch {}
}

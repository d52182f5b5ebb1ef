import { randomBytes } from 'node:crypto'
import { link, mkdir, open, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { KEY_FILE, syncDir } from '../config/paths.js'
import { ConfigError } from '../../datastore/types/errors.js'

/**
 * This node's libp2p identity: an Ed25519 key in `<data>/key`
 * (protobuf-encoded, as libp2p stores keys). The PeerId derived from it is
 * how the household knows this machine, so the key is never replaced
 * behind the user's back: a damaged key file is an error, not a reason to
 * make a new one.
 */

export type Ed25519PrivateKey = Extract<ReturnType<typeof privateKeyFromProtobuf>, { type: 'Ed25519' }>
export type PeerId = ReturnType<typeof peerIdFromPrivateKey>

export interface Identity {
  privateKey: Ed25519PrivateKey
  peerId: PeerId
}

export interface IdentityOptions {
  /** Told about fixed-up permissions; prints to stderr by default. */
  onWarning?: (message: string) => void
}

export function keyPath (dataDir: string): string {
  return join(dataDir, KEY_FILE)
}

function warnToStderr (message: string): void {
  process.stderr.write(`warning: ${message}\n`)
}

/** The identity in `<data>/key`, or undefined when there is no key file yet. */
export async function loadIdentity (dataDir: string, options: IdentityOptions = {}): Promise<Identity | undefined> {
  const file = keyPath(dataDir)
  let fh
  try {
    fh = await open(file, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new ConfigError('cannot read the key file', { file, cause: err })
  }
  let bytes: Uint8Array
  try {
    const st = await fh.stat()
    if (!st.isFile()) throw new ConfigError(`not a regular file (${st.isDirectory() ? 'a directory' : 'a special file'}); move it away to create a new identity`, { file })
    if ((st.mode & 0o077) !== 0) {
      // Like ssh, we care who can read a private key; unlike ssh we fix it
      // rather than refuse, since the node is often started unattended.
      await fh.chmod(0o600)
      const warn = options.onWarning ?? warnToStderr
      warn(`${file}: was accessible to other users (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); changed it to 0600`)
    }
    bytes = await fh.readFile()
  } catch (err) {
    if (err instanceof ConfigError) throw err
    throw new ConfigError('cannot read the key file', { file, cause: err })
  } finally {
    await fh.close()
  }
  if (bytes.length === 0) throw new ConfigError('corrupt key file: it is empty; move it away to create a new identity (peers will need the new PeerId)', { file })
  let key
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new ConfigError('corrupt key file: not a libp2p private key; move it away to create a new identity (peers will need the new PeerId)', { file, cause: err })
  }
  if (key.type !== 'Ed25519') throw new ConfigError(`unsupported key type ${key.type}: expected Ed25519`, { file })
  return { privateKey: key, peerId: peerIdFromPrivateKey(key) }
}

/**
 * The identity of an existing data directory, for the commands that must
 * not create one (`id`, `peer add` and `peer rm` on a stopped node): only
 * `init` and `start` make a data directory and a key, so a mistyped
 * `--data` is an error instead of a new machine identity nobody asked for.
 */
export async function requireIdentity (dataDir: string, options: IdentityOptions = {}): Promise<Identity> {
  const found = await loadIdentity(dataDir, options)
  if (found != null) return found
  const create = `create it with \`realize-node init --data ${dataDir}\` (or \`realize-node start --data ${dataDir}\`)`
  const exists = await stat(dataDir).then((st) => st.isDirectory(), () => false)
  throw new NoIdentityError(exists
    ? `${dataDir} has no key yet (not set up by init or start); ${create}`
    : `no data directory ${dataDir}; ${create}`)
}

/** No data directory or no key where one must exist: the `--data` argument is wrong or the node was never set up (exit 2). */
export class NoIdentityError extends ConfigError {
  constructor (message: string) {
    super(message, { key: '--data' })
  }
}

/**
 * Loads the key, or creates it (and the data directory, mode 0700) when there
 * is none. Creation links a fully written temp file into place, which fails
 * if a key appeared meanwhile: two processes starting at once agree on one
 * identity and an existing key is never overwritten.
 */
export async function loadOrCreateIdentity (dataDir: string, options: IdentityOptions = {}): Promise<Identity> {
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 })
  } catch (err) {
    throw new ConfigError('cannot create the data directory', { file: dataDir, cause: err })
  }
  const existing = await loadIdentity(dataDir, options)
  if (existing != null) return existing

  const file = keyPath(dataDir)
  const privateKey = await generateKeyPair('Ed25519')
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    const fh = await open(tmp, 'wx', 0o600)
    try {
      await fh.writeFile(privateKeyToProtobuf(privateKey))
      await fh.chmod(0o600)
      await fh.sync()
    } finally {
      await fh.close()
    }
    try {
      await link(tmp, file)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const winner = await loadIdentity(dataDir, options)
      if (winner != null) return winner
      throw err
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err
    throw new ConfigError('cannot create the key file', { file, cause: err })
  } finally {
    await unlink(tmp).catch(() => {})
  }
  await syncDir(dataDir)
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey) }
}

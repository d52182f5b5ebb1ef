import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { keyPath, loadIdentity, loadOrCreateIdentity } from '../../node/identity/identity.js'
import { ConfigError } from '../../datastore/types/errors.js'

describe('identity', function () {
  let dir: string
  let n = 0
  const fresh = (): string => join(dir, `d${n++}`)

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'realize-identity-'))
  })

  after(async function () {
    await rm(dir, { recursive: true, force: true })
  })

  it('creates an Ed25519 key (0600) in a new data dir (0700)', async function () {
    const d = join(fresh(), 'nested', 'data')
    const id = await loadOrCreateIdentity(d)
    assert.equal(id.privateKey.type, 'Ed25519')
    assert.equal(id.peerId.type, 'Ed25519')
    assert.match(id.peerId.toString(), /^12D3KooW/)
    assert.equal((await stat(keyPath(d))).mode & 0o777, 0o600)
    assert.equal((await stat(d)).mode & 0o777, 0o700)
    assert.deepEqual(await readdir(d), ['key'], 'no temp file left behind')
  })

  it('keeps the same PeerId across loads', async function () {
    const d = fresh()
    const a = await loadOrCreateIdentity(d)
    const bytes = await readFile(keyPath(d))
    const b = await loadOrCreateIdentity(d)
    const c = await loadIdentity(d)
    assert.equal(b.peerId.toString(), a.peerId.toString())
    assert.equal(c?.peerId.toString(), a.peerId.toString())
    assert.ok(b.privateKey.equals(a.privateKey))
    assert.deepEqual(await readFile(keyPath(d)), bytes)
  })

  it('loads a key written by libp2p', async function () {
    const d = fresh()
    await mkdir(d)
    const key = await generateKeyPair('Ed25519')
    await writeFile(keyPath(d), privateKeyToProtobuf(key), { mode: 0o600 })
    const id = await loadOrCreateIdentity(d)
    assert.ok(id.privateKey.equals(key))
  })

  it('loadIdentity returns undefined without a key and creates nothing', async function () {
    const d = fresh()
    assert.equal(await loadIdentity(d), undefined)
    await assert.rejects(stat(d), { code: 'ENOENT' })
  })

  it('concurrent creators agree on one identity', async function () {
    const d = fresh()
    const ids = await Promise.all([1, 2, 3, 4].map(async () => await loadOrCreateIdentity(d)))
    const first = ids[0]?.peerId.toString()
    for (const id of ids) assert.equal(id.peerId.toString(), first)
    assert.equal((await loadIdentity(d))?.peerId.toString(), first)
    assert.deepEqual(await readdir(d), ['key'])
  })

  async function assertKeyError (d: string, problem: RegExp): Promise<void> {
    await assert.rejects(loadOrCreateIdentity(d), (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`)
      assert.equal(err.file, keyPath(d))
      assert.ok(err.message.startsWith(`${keyPath(d)}: `), err.message)
      assert.match(err.message, problem)
      return true
    })
  }

  it('a corrupt key is an error and is never overwritten', async function () {
    const d = fresh()
    await mkdir(d)
    await writeFile(keyPath(d), 'not a key at all', { mode: 0o600 })
    await assertKeyError(d, /corrupt key file: not a libp2p private key/)
    assert.equal(await readFile(keyPath(d), 'utf8'), 'not a key at all')
  })

  it('an empty key file is an error', async function () {
    const d = fresh()
    await mkdir(d)
    await writeFile(keyPath(d), '', { mode: 0o600 })
    await assertKeyError(d, /corrupt key file: it is empty/)
  })

  it('a key of another type is an error', async function () {
    const d = fresh()
    await mkdir(d)
    await writeFile(keyPath(d), privateKeyToProtobuf(await generateKeyPair('secp256k1')), { mode: 0o600 })
    await assertKeyError(d, /unsupported key type secp256k1: expected Ed25519/)
  })

  it('a key path that is a directory is an error', async function () {
    const d = fresh()
    await mkdir(keyPath(d), { recursive: true })
    await assertKeyError(d, /not a regular file \(a directory\)/)
  })

  it('tightens a key readable by others to 0600, with a warning', async function () {
    const d = fresh()
    const a = await loadOrCreateIdentity(d)
    await chmod(keyPath(d), 0o644)
    const warnings: string[] = []
    const b = await loadOrCreateIdentity(d, { onWarning: (m) => warnings.push(m) })
    assert.equal(b.peerId.toString(), a.peerId.toString())
    assert.equal((await stat(keyPath(d))).mode & 0o777, 0o600)
    assert.equal(warnings.length, 1)
    assert.match(warnings[0] ?? '', /mode 0644.*0600/)
    await loadOrCreateIdentity(d, { onWarning: (m) => warnings.push(m) })
    assert.equal(warnings.length, 1, 'no warning once fixed')
  })
})

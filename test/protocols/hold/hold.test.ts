import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { askHold, HOLD_LEASE_MS, startHoldServer } from '../../../protocols/hold/index.js'
import { Holds } from '../../../node/churten/holds.js'
import { hashBytes } from '../../../node/real/hasher.js'
import { describeError } from '../../../datastore/types/errors.js'
import { hashEquals, type Hash } from '../../../datastore/types/hash.js'
import { parsePath } from '../../../datastore/types/path.js'
import { testArena, type TestArena } from '../../helpers/arena.js'
import { admit, stopHosts, testHost, type TestHost } from '../../helpers/libp2p.js'
import { until } from '../../helpers/wait.js'

const ARENA = 'test'
const PATH = parsePath('d1/f2')

/**
 * `/realize/hold/1.0.0` between real libp2p hosts: `server` answers from a
 * real arena (LevelDB index + watcher) through the node's Holds; `low` and
 * `high` are household peers whose PeerIds sort below and above the
 * server's (the symmetry rule). The clock is the test's, so leases expire
 * on demand.
 */
describe('/realize/hold/1.0.0 between libp2p hosts', function () {
  this.timeout(30_000)
  let arena: TestArena
  let server: TestHost
  let low: TestHost
  let high: TestHost
  let holds: Holds
  let clock: number
  let unserve: () => Promise<void>
  let hash: Hash

  before(async () => {
    // Three hosts, named by where their PeerIds sort: the middle one serves.
    const hosts = [await testHost('h1', [ARENA]), await testHost('h2', [ARENA]), await testHost('h3', [ARENA])]
    hosts.sort((x, y) => x.peerId < y.peerId ? -1 : 1)
    ;[low, server, high] = hosts as [TestHost, TestHost, TestHost]
    for (const h of [low, high]) {
      await admit(server, h)
      await admit(h, server)
    }
  })
  after(async () => { await stopHosts(low, server, high) })

  beforeEach(async () => {
    arena = await testArena()
    clock = 1_000_000
    holds = new Holds({ self: server.peerId, real: async (name, path) => name === ARENA ? await arena.arena.index.get(path) : undefined, now: () => clock })
    unserve = await startHoldServer(server.components, { grant: async (peer, a, path, h) => await holds.grant(peer, a, path, h) })
    const content = Buffer.from('the household\'s only other real copy\n')
    hash = hashBytes(content)
    await mkdir(join(arena.root, 'd1'))
    await writeFile(join(arena.root, 'd1', 'f2'), content)
    const index = arena.arena.index
    await until(index, 'history', async () => hashEquals((await index.get(PATH))?.hash, hash), 'd1/f2 indexed', 20_000)
  })
  afterEach(async () => {
    await unserve()
    await arena.cleanup()
  })

  const ask = async (from: TestHost, h: Hash = hash, path: string = PATH): Promise<number> =>
    await askHold({ host: from.host, peers: from.household }, server.peerId, { arena: ARENA, path, hash: h })

  it('grants a hold on a version real here, for the lease', async () => {
    assert.equal(await ask(high), HOLD_LEASE_MS)
  })

  it('refuses a version that is not real here (another hash, no such file), wrapped with the peer', async () => {
    await assert.rejects(ask(high, hashBytes(Buffer.from('another version'))), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'HOLD_REFUSED')
      assert.match(describeError(err), /^asking h\d to hold test\/d1\/f2: remote: test\/d1\/f2 at [0-9a-f]{12}: not real here$/)
      return true
    })
    await assert.rejects(ask(high, hash, 'd1/nothing'), { code: 'HOLD_REFUSED' })
  })

  it('a granted lease refuses the server\'s own unrealize of the version until it expires', async () => {
    await ask(high)
    // Retried when the lease ends, not after the usual backoff.
    assert.throws(() => holds.beginDrop(ARENA, PATH, hash), { code: 'HELD_FOR_PEER', until: clock + HOLD_LEASE_MS })
    clock += HOLD_LEASE_MS + 1
    const ticket = holds.beginDrop(ARENA, PATH, hash)
    ticket.commit()
    ticket.end()
  })

  it('symmetry: while the server is dropping the version itself, it grants a lower PeerId (and cancels its own drop) and refuses a higher one', async () => {
    const ticket = holds.beginDrop(ARENA, PATH, hash)
    await assert.rejects(ask(high), (err: Error & { code?: string }) => err.code === 'HOLD_REFUSED' && /unrealizing it too/.test(describeError(err)))
    assert.equal(await ask(low), HOLD_LEASE_MS)
    // The server's own drop, asking its holder meanwhile, finds itself cancelled before moving anything.
    assert.throws(() => { ticket.commit() }, { code: 'HELD_FOR_PEER' })
    ticket.end()
  })

  it('a drop already moving the file refuses every peer, even a lower one', async () => {
    const ticket = holds.beginDrop(ARENA, PATH, hash)
    ticket.commit()
    await assert.rejects(ask(low), (err: Error & { code?: string }) => err.code === 'HOLD_REFUSED' && /unrealizing it now/.test(describeError(err)))
    ticket.end()
  })

  it('refuses a file whose arena the peer does not share, and stays typed for a malformed path', async () => {
    await assert.rejects(askHold({ host: high.host, peers: high.household }, server.peerId, { arena: 'other', path: PATH, hash }), { code: 'ARENA_NOT_SHARED' })
    await assert.rejects(ask(high, hash, '../etc/passwd'), { code: 'INVALID_PATH' })
  })
})

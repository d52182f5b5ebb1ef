import assert from 'node:assert/strict'
import { peerIdFromString } from '@libp2p/peer-id'
import { Household } from '../../node/net/household.js'
import { parseArenaName } from '../../datastore/types/arena.js'
import { newIdentity } from '../helpers/net.js'

describe('household', () => {
  it('knows members by PeerId and which arenas each shares', async () => {
    const [laptop, phone, stranger] = await Promise.all([newIdentity(), newIdentity(), newIdentity()])
    const arenas = [{ name: parseArenaName('photos'), mark: 'watch' as const }, { name: parseArenaName('docs'), mark: 'watch' as const }]
    const h = new Household([
      { name: 'laptop', id: laptop.peerId.toString(), addrs: [] },
      { name: 'phone', id: phone.peerId.toString(), addrs: [], arenas: [parseArenaName('photos')] }
    ], arenas)
    assert.deepEqual(h.member(laptop.peerId.toString()), { name: 'laptop', id: laptop.peerId.toString() })
    assert.equal(h.member(stranger.peerId.toString()), undefined)
    // No `arenas` in the config: every arena; a list: those only; an arena we lack: never.
    assert.deepEqual(h.sharedArenas(laptop.peerId.toString()).sort(), ['docs', 'photos'])
    assert.deepEqual(h.sharedArenas(phone.peerId.toString()), ['photos'])
    assert.equal(h.shares(phone.peerId.toString(), 'docs'), false)
    assert.equal(h.shares(laptop.peerId.toString(), 'music'), false)
    assert.equal(h.shares(stranger.peerId.toString(), 'photos'), false)

    const gater = h.gater()
    assert.equal(await gater.denyDialPeer?.(peerIdFromString(stranger.peerId.toString())), true)
    assert.equal(await gater.denyDialPeer?.(laptop.peerId), false)
    // A member removed from the config is refused from then on.
    let changed = 0
    h.on('changed', () => { changed++ })
    h.update([{ name: 'phone', id: phone.peerId.toString(), addrs: [] }], arenas)
    assert.equal(changed, 1)
    assert.equal(await gater.denyDialPeer?.(laptop.peerId), true)
    assert.equal(h.member(laptop.peerId.toString()), undefined)
  })

  it('as a relay: a slot and a circuit for household members only, at both ends (issue 17)', async () => {
    const [laptop, home, stranger] = await Promise.all([newIdentity(), newIdentity(), newIdentity()])
    const h = new Household([
      { name: 'laptop', id: laptop.peerId.toString(), addrs: [] },
      { name: 'home', id: home.peerId.toString(), addrs: [] }
    ], [])
    const gater = h.gater()
    assert.equal(await gater.denyInboundRelayReservation?.(laptop.peerId), false)
    assert.equal(await gater.denyInboundRelayReservation?.(stranger.peerId), true)
    assert.equal(await gater.denyOutboundRelayedConnection?.(laptop.peerId, home.peerId), false)
    assert.equal(await gater.denyOutboundRelayedConnection?.(stranger.peerId, home.peerId), true, 'a stranger calling a member')
    assert.equal(await gater.denyOutboundRelayedConnection?.(laptop.peerId, stranger.peerId), true, 'a member calling a stranger')
    // Reached through a relay: the relay and the caller must both be ours.
    assert.equal(await gater.denyInboundRelayedConnection?.(home.peerId, laptop.peerId), false)
    assert.equal(await gater.denyInboundRelayedConnection?.(stranger.peerId, laptop.peerId), true, 'a stranger\'s relay')
    assert.equal(await gater.denyInboundRelayedConnection?.(home.peerId, stranger.peerId), true, 'a stranger through our relay')
  })
})

import assert from 'node:assert/strict'
import { fromWireError, PeerOperationError, ProtocolViolationError, PeerRemoteError, toWireError, wrapPeerError } from '../../../protocols/common/errors.js'
import { ErrorFrame } from '../../../protocols/common/wire.js'
import { describeError, RealizeError, wrapError } from '../../../datastore/types/errors.js'

describe('errors across the wire {#errormsg}', () => {
  it('carries code, message and the cause chain, and is printed once, whole', () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/root/a.jpg'"), { code: 'ENOENT' })
    const served = wrapError('reading a.jpg', enoent)
    // What the serving side sends, encoded and decoded as the peer receives it.
    const wire = ErrorFrame.decode(ErrorFrame.encode({ error: toWireError(served) })).error
    assert.ok(wire != null)
    assert.deepEqual(wire, { code: 'ENOENT', message: 'reading a.jpg', causes: [{ code: 'ENOENT', message: "ENOENT: no such file or directory, open '/root/a.jpg'" }] })
    const remote = fromWireError(wire)
    assert.ok(remote instanceof PeerRemoteError)
    const err = wrapPeerError('downloading photos/a.jpg from laptop', remote)
    assert.ok(err instanceof PeerOperationError)
    assert.equal(err.code, 'ENOENT')
    assert.equal(err.side, 'remote')
    assert.equal(describeError(err), "downloading photos/a.jpg from laptop: remote: reading a.jpg: ENOENT: no such file or directory, open '/root/a.jpg'")
    // Wrapping again (a caller higher up) does not duplicate the chain.
    assert.equal(wrapPeerError('syncing photos', err), err)
  })

  it('names the side: local failures, and the connection itself', () => {
    const local = wrapPeerError('downloading a from laptop', Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }))
    assert.equal(describeError(local), 'downloading a from laptop: local: EACCES: permission denied')
    assert.equal(local.code, 'EACCES')
    const reset = Object.assign(new Error('stream reset'), { name: 'StreamResetError' })
    assert.equal(describeError(wrapPeerError('downloading a from laptop', reset)), 'downloading a from laptop: connection: stream reset')
    // A peer that breaks the protocol is the remote's fault even though we detected it.
    assert.equal(describeError(wrapPeerError('x from y', new ProtocolViolationError('undecodable message'))), 'x from y: remote: undecodable message')
  })

  it('clips what a peer sends: long messages, control characters, deep chains', () => {
    const wire = { code: 'X', message: `evil\n\u001b[31mline${'a'.repeat(5000)}`, causes: Array.from({ length: 100 }, (_, i) => ({ code: `C${i}`, message: `cause ${i}` })) }
    const err = fromWireError(wire)
    const text = describeError(err)
    assert.doesNotMatch(text, /[\n\u001b]/)
    assert.ok(text.length < 1024 + 17 * 20, `length ${text.length}`)
    let depth = 0
    for (let e: unknown = err; e != null; e = (e as Error).cause) depth++
    assert.ok(depth <= 18)
  })

  it('a RealizeError code survives the trip; plain errors get their name or FAILED', () => {
    assert.equal(fromWireError(toWireError(new RealizeError('ARENA_NOT_SHARED', 'no'))).code, 'ARENA_NOT_SHARED')
    assert.equal(toWireError(new TypeError('bad')).code, 'TypeError')
    assert.equal(toWireError(new Error('plain')).code, 'FAILED')
    assert.equal(toWireError('a string').message, 'a string')
  })
})

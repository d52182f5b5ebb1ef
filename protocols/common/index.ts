/**
 * Plumbing shared by the peer protocols (history, blob, hash, rsync):
 * framing with size limits (framing.ts), serving with household checks,
 * per-peer stream limits and timeouts (serve.ts), opening streams
 * (client.ts), and errors that cross the wire with their cause chain
 * (errors.ts, wire.proto) {#errormsg}. For the data protocols (blob, hash,
 * rsync): what they serve from (source.ts), positional range reads
 * (reader.ts), idle deadlines (idle.ts), bandwidth limits (throttle.ts) and
 * libp2p flow-control fixes (flow-control.ts).
 *
 * Conventions for a protocol folder: `<name>.proto` + generated `<name>.ts`
 * (`npx protons protocols/<name>/<name>.proto`), field 15 reserved in every
 * message (error frames), `constants.ts` with the versioned id
 * `/realize/<name>/<semver>`, a handler registered with `serve`, a client
 * that opens with `openStream` and wraps failures with `wrapPeerError`.
 */
export * from './constants.js'
export * from './errors.js'
export * from './framing.js'
export * from './peers.js'
export * from './serve.js'
export * from './client.js'
export * from './source.js'
export * from './reader.js'
export * from './throttle.js'

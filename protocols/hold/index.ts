/**
 * `/realize/hold/1.0.0`: before a keep/watch node unrealizes its real copy
 * of a version, a peer that has the version real promises to keep it real
 * for a lease (docs/consensus.md, "Hold before unrealize"), so two nodes
 * never drop the household's last real copies at once (docs/reliability.md,
 * class 7). The grant decision is the node's (node/churten/holds.ts).
 */
export { HOLD_PROTOCOL, HOLD_LEASE_MS, MAX_HOLD_STREAMS_PER_PEER } from './constants.js'
export { HoldRefusedError } from './errors.js'
export { startHoldServer, serveHold, type HoldServerOptions, type HoldServeOptions } from './server.js'
export { askHold, type HoldRequestOptions } from './client.js'

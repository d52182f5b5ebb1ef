/**
 * `/realize/history/1.0.0`: one peer follows another's arena history
 * (spec section 5). publisher.ts serves a subscription from a local arena;
 * subscriber.ts follows a remote one into a sink (the unreal tree, see
 * node/sync/). Catch-up or resume is decided by store id and `lastSeen`.
 */
export { HISTORY_PROTOCOL } from './constants.js'
export { publishHistory, type PublishedArena, type PublisherOptions } from './publisher.js'
export { startHistoryServer } from './server.js'
export { subscribeHistory, type HistoryProgress, type HistorySink, type SubscribeOptions } from './subscriber.js'
export type { ListedFile, ListedRemoval } from './convert.js'

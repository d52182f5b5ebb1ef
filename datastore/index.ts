/**
 * Storage layer: typed tables over `interface-datastore`. Nothing here opens
 * LevelDB; node/ does (node/stores.ts) and hands a `Datastore` in.
 */
export { Store, Batch } from './store.js'
export { Table } from './table.js'
export { ArenaStore } from './arena-store.js'
export { GlobalStore } from './global-store.js'

/**
 * The control API (spec section 7): a JSON-RPC 2.0 unix socket in the data
 * directory through which the CLI and the TUI drive a running node.
 *
 *   ControlClient --line--> ControlServer -> ControlConnection -> NodeModel
 *                 <--line--                 (events, cat chunks)   (LocalNodeModel on a RealizeNode,
 *                                                                   sources.ts for parts still to come)
 *
 * Methods and their JSON: methods.ts, model.ts, docs/control.md.
 */
export { ControlServer, socketPath } from './server.js'
export { ControlClient, type Subscription } from './client.js'
export { LocalNodeModel } from './local-model.js'
export { controlSources, networkView, unrealView } from './adapters.js'
export type * from './model.js'
export type { ControlSources, NetworkView, UnrealView, ChurtenView, ConnInfo, UnrealItem, NodeFacts } from './sources.js'

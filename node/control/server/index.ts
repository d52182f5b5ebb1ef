/**
 * The node's side of the control API (../api/ is the contract and the
 * client): the socket server, one ControlConnection per client, and
 * LocalNodeModel answering over narrow views of the running node
 * (sources.ts: network, unreal, churten; NodeFacts: arenas, config, log).
 * node/node.ts wires it; nothing else imports this folder.
 */
export { ControlServer } from './server.js'
export { LocalNodeModel } from './local-model.js'
export { controlSources, networkView, unrealView, type SourceParts } from './adapters.js'
export type { ControlSources, NetworkView, UnrealView, ChurtenView, UnrealItem, NodeFacts } from './sources.js'

/**
 * The control API (spec section 7): a JSON-RPC 2.0 unix socket in the data
 * directory through which the CLI and the TUI drive a running node. This
 * folder is the contract and the client, all the CLI and the TUI import;
 * the node's side is ../server/.
 *
 *   ControlClient --line--> ControlServer -> ControlConnection -> NodeModel
 *   (api/client.ts) <--line--  (server/)      (events, cat chunks)   (LocalNodeModel over narrow views)
 *
 * Methods and their JSON: methods.ts, model.ts, docs/control.md. Nothing
 * here loads the engine at run time: imports from the rest of node/ are
 * type-only (test/layers.test.ts checks it).
 */
export { ControlClient, LS_PAGE, type Subscription } from './client.js'
export { NODE_NOT_RUNNING, NodeNotRunningError, ControlCallError } from './errors.js'
export { METHODS, methodParams, type MethodName, type ParamsOf, type ResultOf, type LsPage, type CatResult } from './methods.js'
export { socketPath } from './socket-path.js'
export type * from './model.js'

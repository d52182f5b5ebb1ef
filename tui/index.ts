/**
 * The Ink terminal UI (spec section 7): panes for peers, arenas, files,
 * churten and the notification log, attached to a node through its control
 * socket (node/control/). `realize-node start` shows it on a terminal;
 * `realize-node tui` attaches it to a running node.
 *
 *   ControlClient -> adapter.ts (the one way in) -> reducer (state.ts) -> panes/
 *   keys (keys.ts) -> actions / commands (adapter.ts) -> ControlClient
 */
export { attachTui, type AttachedTui } from './attach.js'
export { App, type AppProps } from './app.js'

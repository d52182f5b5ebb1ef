/**
 * Prometheus metrics of a running node (issue 16): an opt-in HTTP endpoint
 * (`[metrics] listen` or `start --metrics ADDR`) serving the node's
 * counters in the text format, through prom-client. `registry.ts` says
 * what is counted and reads it through narrow views; `server.ts` serves
 * it. Only node/node.ts wires it.
 */
export { metricsRegistry, type MetricsViews } from './registry.js'
export { startMetricsServer, type MetricsServer } from './server.js'
export { arenaCounts } from './arena-counts.js'

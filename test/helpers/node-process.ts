// Real `realize-node` processes; the multi-peer harness in scripts/ uses the same class.
export { CLI, NodeProcess, type LogLine, type NodeProcessOptions } from '../../scripts/harness/node-process.js'

import { HISTORY_PROTOCOL, MAX_HISTORY_MESSAGE_BYTES, MAX_HISTORY_STREAMS_PER_PEER } from './constants.js'
import { publishHistory, type PublisherOptions } from './publisher.js'
import { serve, type ServeComponents } from '../common/serve.js'

/**
 * Registers the history handler; resolves to the function that unregisters
 * it. The same shape as every data protocol's `start…Server` (blob, hash,
 * rsync): the protocol owns its name and limits, the node only hands over
 * what it serves.
 */
export async function startHistoryServer (components: ServeComponents, options: PublisherOptions): Promise<() => Promise<void>> {
  return await serve(components, HISTORY_PROTOCOL, async (request) => { await publishHistory(request, options) }, {
    maxStreamsPerPeer: MAX_HISTORY_STREAMS_PER_PEER,
    maxMessageBytes: MAX_HISTORY_MESSAGE_BYTES
  })
}

/**
 * The worker-source fragment that puts the one-pass Produce encoder into the producer thread's
 * kafkajs (producer-thread.ts splices it in before kafkajs is required).
 *
 * It replaces two kafkajs 2.2.4 internals, only in that thread: the Produce request factory
 * (`protocol` of src/protocol/requests/produce) for uncompressed v3+ requests, whose `encode`
 * then writes record-batch.ts's bytes (the same bytes kafkajs writes), and
 * src/producer/groupMessagesPerPartition (pre-seeded in the require cache, so kafkajs's sender
 * binds to it) with a linear version. Everything else (metadata, partitioner, leaders,
 * connections, answers and their errors) is kafkajs's own.
 *
 * Failure modes: gzip, transactional requests and messages with their own timestamp keep kafkajs's
 * encoder (per request); if kafkajs's files are not where expected, nothing is replaced. The
 * thread logs (debug) which encoder it uses. The fragment expects `require` and `workerData`
 * (with `workerData.kafkajs`, the resolved kafkajs entry) in scope, and defines `fastEncoding`.
 */
import { encodeProduceBody, groupMessagesPerPartition } from './record-batch.js';

export const FAST_ENCODING_SOURCE = `
const fastEncoding = (() => {
  try {
    const path = require('node:path');
    const Module = require('node:module');
    const dir = path.dirname(workerData.kafkajs);
    const encodeProduceBody = ${encodeProduceBody.toString()};
    const groupMessagesPerPartition = ${groupMessagesPerPartition.toString()};
    const groupPath = require.resolve(path.join(dir, 'src/producer/groupMessagesPerPartition.js'));
    const produce = require(path.join(dir, 'src/protocol/requests/produce/index.js'));
    const Encoder = require(path.join(dir, 'src/protocol/encoder.js'));
    const crc32C = require(path.join(dir, 'src/protocol/recordBatch/crc32C/index.js'));
    if (typeof produce.protocol !== 'function' || typeof crc32C !== 'function') return false;
    // Run once before installing: a function text that cannot run here (e.g. instrumented by a
    // coverage tool) must leave kafkajs's encoder in place, not fail every send.
    const probe = [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', headers: { h: 'x' } }] }] }];
    if (!Buffer.isBuffer(encodeProduceBody({ acks: -1, timeout: 1, topicData: probe }, 0, crc32C))) return false;
    groupMessagesPerPartition({ topic: 't', partitionMetadata: [0], messages: [0], partitioner: () => 0 });
    const grouping = new Module(groupPath);
    grouping.filename = groupPath;
    grouping.loaded = true;
    grouping.exports = groupMessagesPerPartition;
    require.cache[groupPath] = grouping;
    const stock = produce.protocol;
    produce.protocol = ({ version }) => {
      const factory = stock({ version });
      if (typeof factory !== 'function' || Number(version) < 3) return factory;
      return (args) => {
        const built = factory(args);
        if (args.compression) return built;
        const body = encodeProduceBody(args, Date.now(), crc32C);
        if (body === undefined) return built;
        return { ...built, request: { ...built.request, encode: async () => new Encoder(body.length).writeBuffer(body) } };
      };
    };
    return true;
  } catch {
    return false;
  }
})();
`;

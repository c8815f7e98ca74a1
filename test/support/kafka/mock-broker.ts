/**
 * The test Kafka broker: the shipped mock broker (src/demo/kafka-broker.ts, C source in
 * native/mock-broker.c), re-exported so tests keep one import path. See that module for the
 * build cache, lifecycle and mock facts.
 */
export {
  ApiKey,
  KafkaErrorCode,
  killAllMockBrokers,
  type MockBroker,
  mockBrokerBinary,
  startMockBroker,
} from '../../../src/demo/kafka-broker.js';

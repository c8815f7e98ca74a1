/** Classification of what kafkajs throws, with kafkajs's own error classes as it wraps them (retries off). */
import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { classifyKafkaError, partitionAnswerError } from '../../../src/sinks/kafka/errors.js';

const protocol = (type: string, code: number, retriable: boolean) =>
  new KafkaJSProtocolError(Object.assign(new Error(`${type} happened`), { type, code, retriable }) as never);

describe('kafka error classification', () => {
  it.each([
    ['MESSAGE_TOO_LARGE', 10],
    ['INVALID_TOPIC_EXCEPTION', 17],
    ['TOPIC_AUTHORIZATION_FAILED', 29],
    ['RECORD_LIST_TOO_LARGE', 18],
  ])('%s is permanent', (type, code) => {
    const e = classifyKafkaError(protocol(type, code, false), 'k');
    expect(e.retriable).toBe(false);
    expect(e.code).toBe('RXF_SINK_PERMANENT');
    expect(e.message).toContain(type);
  });

  it('unwraps kafkajs retry wrappers: leader change is transient without replacing the producer', () => {
    const wrapped = new KafkaJSNumberOfRetriesExceeded(protocol('NOT_LEADER_FOR_PARTITION', 6, true) as never, {
      retryCount: 0,
      retryTime: 100,
    });
    const e = classifyKafkaError(wrapped, 'k');
    expect(e.retriable).toBe(true);
    expect(e.connection).toBe(false);
    expect(e.message).toContain('NOT_LEADER_FOR_PARTITION');
  });

  it('connection failures and timeouts are transient and replace the producer', () => {
    const refused = new KafkaJSNonRetriableError(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED') as never);
    for (const err of [refused, new KafkaJSRequestTimeoutError('Request Produce timed out'), new Error('The producer is disconnected')]) {
      const e = classifyKafkaError(err, 'k');
      expect(e.retriable).toBe(true);
      expect(e.connection).toBe(true);
    }
  });

  it('anything unknown is retried (never dead-lettered by guess)', () => {
    expect(classifyKafkaError(new Error('something odd'), 'k').retriable).toBe(true);
    expect(classifyKafkaError(protocol('UNKNOWN_SERVER_ERROR', -1, false), 'k').retriable).toBe(true);
  });

  it('classifies non-zero codes in broker answers', () => {
    expect(partitionAnswerError('k', 't', 0, 10).retriable).toBe(false);
    expect(partitionAnswerError('k', 't', 0, 6).retriable).toBe(true);
    expect(partitionAnswerError('k', 't', 2, 10).message).toBe('kafka sink k: t[2] answered MESSAGE_TOO_LARGE');
  });
});

/**
 * The reload diff: which pipelines must restart (their own config, a sink they feed, the
 * dead-letter section, their resolved schema), which keep running, and which changes cannot be
 * applied while the agent runs.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { canonical, diffConfigs, isEmptyDiff } from '../../../src/core/config-diff.js';

const BASE = {
  agent: { id: 'a1', stateDir: '/tmp/state', drainTimeoutMs: 5000 },
  deadLetter: { dir: '/tmp/dl' },
  sources: {
    status: { type: 'spooldir', spoolDir: '/tmp/spool', sinks: ['hdfs'] },
    driving: {
      type: 'tail',
      path: '/tmp/driving.log',
      interceptors: [{ type: 'regex_filter', regex: '^\\d{14}' }],
      sinks: ['kafka'],
    },
    both: { type: 'tail', path: '/tmp/both.log', sinks: ['hdfs', 'kafka'] },
  },
  sinks: {
    hdfs: { type: 'hdfs', root: '/tmp/hdfs', path: '/out' },
    kafka: { type: 'kafka', brokers: '127.0.0.1:9092', topic: 't' },
  },
};

type Raw = typeof BASE & Record<string, unknown>;

/** A config from BASE after `edit` changed a deep copy of it. */
function config(edit: (raw: Raw) => void = () => undefined) {
  const raw = structuredClone(BASE) as Raw;
  edit(raw);
  return parseConfig(JSON.stringify(raw), 'c.yaml', {});
}

describe('config diff', () => {
  it('the same config, written with other key order and spelled-out defaults, changes nothing', () => {
    const before = config();
    const after = config((raw) => {
      raw.sources.status = { sinks: ['hdfs'], spoolDir: '/tmp/spool', type: 'spooldir' };
      (raw.sources.driving as Record<string, unknown>).buffer = { maxEvents: 100_000 };
    });
    const diff = diffConfigs(before, after);
    expect(isEmptyDiff(diff)).toBe(true);
    expect(diff.sources.unchanged).toEqual(['status', 'driving', 'both']);
  });

  it('a new interceptor restarts only its pipeline', () => {
    const diff = diffConfigs(
      config(),
      config((raw) => raw.sources.driving.interceptors.push({ type: 'regex_filter', regex: 'Z' })),
    );
    expect(diff.sources.changed).toEqual(['driving']);
    expect(diff.sources.unchanged).toEqual(['status', 'both']);
    expect(diff.reasons.driving).toEqual(['interceptors']);
    expect(diff.sinks.changed).toEqual([]);
    expect(isEmptyDiff(diff)).toBe(false);
  });

  it('a changed sink restarts every pipeline that feeds it, and only those', () => {
    const diff = diffConfigs(
      config(),
      config((raw) => {
        raw.sinks.kafka.topic = 'other';
      }),
    );
    expect(diff.sinks.changed).toEqual(['kafka']);
    expect(diff.sinks.unchanged).toEqual(['hdfs']);
    expect(diff.sources.changed).toEqual(['driving', 'both']);
    expect(diff.sources.unchanged).toEqual(['status']);
    expect(diff.reasons.both).toEqual(['sink kafka']);
  });

  it('buffer, options and the sink list each count as a change of the pipeline', () => {
    const diff = diffConfigs(
      config(),
      config((raw) => {
        (raw.sources.status as Record<string, unknown>).buffer = { maxEvents: 10 };
        (raw.sources.driving as Record<string, unknown>).pollIntervalMs = 5;
        raw.sources.both.sinks = ['hdfs'];
      }),
    );
    expect(diff.reasons).toEqual({ status: ['buffer'], driving: ['options'], both: ['sinks'] });
  });

  it('added and removed sources and sinks are listed as such', () => {
    const diff = diffConfigs(
      config(),
      config((raw) => {
        const sources = raw.sources as Record<string, unknown>;
        delete sources.both;
        sources.extra = { type: 'tail', path: '/tmp/x.log', sinks: ['local'] };
        (raw.sinks as Record<string, unknown>).local = { type: 'hdfs', root: '/tmp/local', path: '/x' };
      }),
    );
    expect(diff.sources).toEqual({ added: ['extra'], removed: ['both'], changed: [], unchanged: ['status', 'driving'] });
    expect(diff.sinks).toEqual({ added: ['local'], removed: [], changed: [], unchanged: ['hdfs', 'kafka'] });
  });

  it('a removed sink restarts the pipelines that fed it', () => {
    const diff = diffConfigs(
      config(),
      config((raw) => {
        delete (raw.sinks as Record<string, unknown>).kafka;
        raw.sources.driving.sinks = ['hdfs'];
        raw.sources.both.sinks = ['hdfs'];
      }),
    );
    expect(diff.sinks.removed).toEqual(['kafka']);
    expect(diff.sources.changed).toEqual(['driving', 'both']);
  });

  it('a dead-letter change restarts every pipeline (they all write there)', () => {
    const diff = diffConfigs(
      config(),
      config((raw) => {
        raw.deadLetter.dir = '/tmp/dl2';
      }),
    );
    expect(diff.deadLetterChanged).toBe(true);
    expect(diff.sources.changed).toEqual(['status', 'driving', 'both']);
  });

  it('a changed schema text restarts the pipelines that resolve to it', () => {
    const schemas = {
      previous: new Map([['driving', '{"v":1}']]),
      next: new Map([['driving', '{"v":2}']]),
    };
    const diff = diffConfigs(config(), config(), { schemas });
    expect(diff.sources.changed).toEqual(['driving']);
    expect(diff.reasons.driving).toEqual(['schema']);
  });

  it('forced ids (an earlier failed restart) are rebuilt even when their config is unchanged', () => {
    const diff = diffConfigs(config(), config(), { forceRestart: { sources: new Set(['status']), sinks: new Set(['kafka']) } });
    expect(diff.sinks.changed).toEqual(['kafka']);
    expect(diff.sources.changed).toEqual(['status', 'driving', 'both']);
    expect(diff.reasons.status).toEqual(['restart after an earlier failure']);
  });

  it('agent id, state folder and metrics changes are blockers, each naming its path', () => {
    const diff = diffConfigs(
      config(),
      config((raw) => {
        raw.agent.id = 'a2';
        raw.agent.stateDir = '/tmp/other';
        (raw as Record<string, unknown>).metrics = { address: '0.0.0.0:9999', enabled: false };
      }),
    );
    expect(diff.blockers).toHaveLength(4);
    expect(diff.blockers[0]).toMatch(/^agent\.id: changed from "a1" to "a2"; .*restart the agent/);
    expect(diff.blockers[1]).toMatch(/^agent\.stateDir: /);
    expect(diff.blockers[2]).toMatch(/^metrics\.address: /);
    expect(diff.blockers[3]).toMatch(/^metrics\.enabled: /);
  });

  it('drainTimeoutMs and the schema folder apply live without restarting a pipeline', () => {
    const diff = diffConfigs(
      config(),
      config((raw) => {
        raw.agent.drainTimeoutMs = 9000;
        (raw as Record<string, unknown>).schemas = { dir: '/tmp/schemas' };
      }),
    );
    expect(diff.blockers).toEqual([]);
    expect(diff.settingsChanged).toEqual(['agent.drainTimeoutMs', 'schemas.dir']);
    expect(diff.sources.changed).toEqual([]);
    expect(isEmptyDiff(diff)).toBe(false);
  });

  it('canonical() ignores key order but not values or array order', () => {
    expect(canonical({ a: 1, b: { c: 2, d: 3 } })).toBe(canonical({ b: { d: 3, c: 2 }, a: 1 }));
    expect(canonical([1, 2])).not.toBe(canonical([2, 1]));
    expect(canonical({ a: 1 })).not.toBe(canonical({ a: 2 }));
  });
});

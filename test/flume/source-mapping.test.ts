/** Flume sources and channels → rxflume sources and buffers; every produced config validates. */
import { describe, expect, it } from 'vitest';
import { agentFile, imported } from './helpers.js';

describe('spooldir', () => {
  it('carries every option under its Flume name; Flume defaults where unset', () => {
    const text = agentFile({
      source: [
        'a1.sources.r1.type = spooldir',
        'a1.sources.r1.spoolDir = /var/spool/in',
        'a1.sources.r1.fileSuffix = .DONE',
        'a1.sources.r1.deletePolicy = never',
        'a1.sources.r1.fileHeader = true',
        'a1.sources.r1.fileHeaderKey = path',
        'a1.sources.r1.basenameHeader = TRUE',
        'a1.sources.r1.basenameHeaderKey = name',
        'a1.sources.r1.includePattern = ^.*\\\\.txt$',
        'a1.sources.r1.ignorePattern = ^tmp',
        'a1.sources.r1.consumeOrder = YOUNGEST',
        'a1.sources.r1.pollDelay = 250',
        'a1.sources.r1.batchSize = 500',
        'a1.sources.r1.inputCharset = UTF-8',
        'a1.sources.r1.deserializer = LINE',
        'a1.sources.r1.deserializer.outputCharset = UTF-8',
      ],
    });
    const r = imported(text);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.source).toEqual({
      type: 'spooldir',
      spoolDir: '/var/spool/in',
      fileSuffix: '.DONE',
      deletePolicy: 'never',
      fileHeader: true,
      fileHeaderKey: 'path',
      basenameHeader: true,
      basenameHeaderKey: 'name',
      // Anchored: Flume matches the whole file name (java-semantics.test.ts).
      includePattern: '^(?:^.*\\.txt$)$',
      ignorePattern: '^(?:^tmp)$',
      consumeOrder: 'youngest',
      pollDelay: 250,
      batchSize: 500,
      sinks: ['k1'],
      buffer: { maxEvents: 100 },
    });
    expect(r.validate()).toEqual([]);
  });

  it('batchSize defaults to Flume’s 100; maxLineLength maps with a warning; tracker folder is a note', () => {
    const r = imported(
      agentFile({
        source: [
          'a1.sources.r1.type = org.apache.flume.source.SpoolDirectorySource',
          'a1.sources.r1.spoolDir = /in',
          'a1.sources.r1.deserializer.maxLineLength = 4096',
          'a1.sources.r1.trackerDir = .flumespool',
        ],
      }),
    );
    expect(r.source).toMatchObject({ type: 'spooldir', spoolDir: '/in', batchSize: 100, maxLineBytes: 4096 });
    expect(r.warnings).toEqual([
      'line 6: a1.sources.r1.deserializer.maxLineLength: longer lines are dead-lettered whole (Flume cut them and passed the rest on as new lines)',
      'line 7: a1.sources.r1.trackerDir: rxflume keeps its own checkpoints in agent.stateDir',
    ]);
    expect(r.validate()).toEqual([]);
  });
});

describe('exec → tail', () => {
  const exec = (command: string, extra: string[] = []) =>
    imported(agentFile({ source: ['a1.sources.r1.type = exec', `a1.sources.r1.command = ${command}`, ...extra] }));

  it('tail -F FILE: followed by name from the beginning (tail would show the last 10 lines: warned); Flume batchSize 20', () => {
    const r = exec('tail -F /var/log/app/driving.log');
    expect(r.errors).toEqual([]);
    expect(r.source).toEqual({
      type: 'tail',
      path: '/var/log/app/driving.log',
      startAt: 'beginning',
      batchSize: 20,
      sinks: ['k1'],
      buffer: { maxEvents: 100 },
    });
    expect(r.warnings).toEqual([
      'line 5: a1.sources.r1.command: tail starts with the last 10 lines; rxflume reads the file from its beginning on the first run, then resumes from its checkpoint',
    ]);
    expect(r.validate()).toEqual([]);
  });

  it.each([
    ['tail -F -n +1 /x/a.log', '/x/a.log', 'beginning', []],
    ['/usr/bin/tail --follow=name --retry --lines=+0 /x/a.log', '/x/a.log', 'beginning', []],
    ['tail -F -n 0 /x/a.log', '/x/a.log', 'end', []],
    ['tail -F -n0 "/x/with space.log"', '/x/with space.log', 'end', []],
    [
      'tail -f -n 0 /x/a.log',
      '/x/a.log',
      'end',
      [
        'line 5: a1.sources.r1.command: tail -f follows the open file; rxflume follows the name like tail -F, so a rotated file is drained and the new one read',
      ],
    ],
  ])('%s', (command, path, startAt, warnings) => {
    const r = exec(command);
    expect(r.errors).toEqual([]);
    expect(r.source).toMatchObject({ type: 'tail', path, startAt });
    expect(r.warnings).toEqual(warnings);
  });

  it('restart, shell, logStdErr, batchTimeout are explained; batchSize carried', () => {
    const r = exec('tail -F -n +0 /x/a.log', [
      'a1.sources.r1.restart = true',
      'a1.sources.r1.restartThrottle = 10000',
      'a1.sources.r1.shell = /bin/sh -c',
      'a1.sources.r1.logStdErr = true',
      'a1.sources.r1.batchTimeout = 3000',
      'a1.sources.r1.batchSize = 1000',
      'a1.sources.r1.charset = UTF-8',
    ]);
    expect(r.errors).toEqual([]);
    expect(r.source.batchSize).toBe(1000);
    expect(r.warnings.map((w) => w.split(': ')[1])).toEqual([
      'a1.sources.r1.restart',
      'a1.sources.r1.restartThrottle',
      'a1.sources.r1.shell',
      'a1.sources.r1.logStdErr',
      'a1.sources.r1.batchTimeout',
    ]);
  });
});

describe('TAILDIR → tail', () => {
  it('one file group: one tail source; headers become a static interceptor first; positionFile is a note', () => {
    const r = imported(
      agentFile({
        source: [
          'a1.sources.r1.type = TAILDIR',
          'a1.sources.r1.filegroups = f1',
          'a1.sources.r1.filegroups.f1 = /var/log/app/driving\\\\.log',
          'a1.sources.r1.headers.f1.logType = driving',
          'a1.sources.r1.positionFile = /var/flume/taildir_position.json',
          'a1.sources.r1.skipToEnd = true',
          'a1.sources.r1.fileHeader = true',
          'a1.sources.r1.batchSize = 300',
          'a1.sources.r1.interceptors = ts',
          'a1.sources.r1.interceptors.ts.type = timestamp',
        ],
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.source).toEqual({
      type: 'tail',
      path: '/var/log/app/driving.log',
      startAt: 'end',
      batchSize: 300,
      fileHeader: true,
      sinks: ['k1'],
      interceptors: [{ type: 'static', key: 'logType', value: 'driving', preserveExisting: false }, { type: 'timestamp' }],
      buffer: { maxEvents: 100 },
    });
    expect(r.warnings).toEqual([
      'line 8: a1.sources.r1.positionFile: the position file is not read: rxflume keeps its own checkpoints in agent.stateDir (the first run starts as skipToEnd says)',
    ]);
    expect(r.validate()).toEqual([]);
  });

  it('several file groups: one tail source each, all into the same sinks', () => {
    const r = imported(
      agentFile({
        source: [
          'a1.sources.r1.type = taildir',
          'a1.sources.r1.filegroups = a b',
          'a1.sources.r1.filegroups.a = /logs/a.log',
          'a1.sources.r1.filegroups.b = /logs/b.log',
          'a1.sources.r1.headers.b.part = two',
        ],
      }),
    );
    const sources = (r.result.config as { sources: Record<string, unknown> }).sources;
    expect(sources).toEqual({
      r1_a: { type: 'tail', path: '/logs/a.log', startAt: 'beginning', batchSize: 100, sinks: ['k1'], buffer: { maxEvents: 100 } },
      r1_b: {
        type: 'tail',
        path: '/logs/b.log',
        startAt: 'beginning',
        batchSize: 100,
        sinks: ['k1'],
        interceptors: [{ type: 'static', key: 'part', value: 'two', preserveExisting: false }],
        buffer: { maxEvents: 100 },
      },
    });
    expect(r.validate()).toEqual([]);
  });
});

describe('channels → buffer', () => {
  it('memory: capacity → maxEvents, byteCapacity → maxBytes; the rest explained', () => {
    const r = imported(
      agentFile({
        channel: [
          'a1.channels.c1.type = memory',
          'a1.channels.c1.capacity = 5000',
          'a1.channels.c1.byteCapacity = 1048576',
          'a1.channels.c1.byteCapacityBufferPercentage = 20',
          'a1.channels.c1.keep-alive = 3',
          'a1.channels.c1.transactionCapacity = 500',
        ],
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.source.buffer).toEqual({ maxEvents: 5000, maxBytes: 1048576 });
    expect(r.warnings.map((w) => w.split(': ')[1])).toEqual([
      'a1.channels.c1.byteCapacityBufferPercentage',
      'a1.channels.c1.keep-alive',
      'a1.channels.c1.transactionCapacity',
    ]);
    expect(r.validate()).toEqual([]);
  });

  it('file: the disk buffer in the first data folder; fsync per transaction or by interval', () => {
    const r = imported(
      agentFile({
        channel: [
          'a1.channels.c1.type = file',
          'a1.channels.c1.checkpointDir = /var/flume/checkpoint',
          'a1.channels.c1.dataDirs = /var/flume/data, /var/flume/data2',
          'a1.channels.c1.capacity = 1000000',
          'a1.channels.c1.transactionCapacity = 10000',
          'a1.channels.c1.fsyncPerTransaction = false',
          'a1.channels.c1.fsyncInterval = 5',
        ],
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.source.buffer).toEqual({ type: 'disk', dir: '/var/flume/data', fsync: 'interval', fsyncIntervalMs: 5000 });
    expect(r.warnings).toEqual([
      'line 7: a1.channels.c1.checkpointDir: rxflume keeps the disk buffer index in its data folder (its own checkpoints)',
      'line 8: a1.channels.c1.dataDirs: several data folders: rxflume uses the first (/var/flume/data)',
      'line 9: a1.channels.c1.capacity: the disk buffer is bounded in bytes (buffer.maxBytes), not in events',
      'line 10: a1.channels.c1.transactionCapacity: rxflume has no channel transactions: the source batchSize and sink batchSize size the batches',
    ]);
    expect(r.validate()).toEqual([]);
  });
});

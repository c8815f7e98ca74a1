import { describe, expect, it } from 'vitest';
import { tailSource } from '../../../src/sources/tail/index.js';

function problems(input: unknown): string[] {
  const r = tailSource.configSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('tail source config', () => {
  it('fills defaults', () => {
    expect(tailSource.type).toBe('tail');
    expect(tailSource.configSchema.parse({ path: '/var/log/a.log' })).toEqual({
      path: '/var/log/a.log',
      startAt: 'beginning',
      batchSize: 1000,
      readChunkBytes: 65536,
      pollIntervalMs: 250,
      watch: true,
      maxLineBytes: 1024 * 1024,
      fileHeader: false,
      fileHeaderKey: 'file',
    });
  });

  it('accepts byte sizes with units', () => {
    const c = tailSource.configSchema.parse({ path: 'a', readChunkBytes: '128KiB', maxLineBytes: '2MiB' });
    expect(c.readChunkBytes).toBe(128 * 1024);
    expect(c.maxLineBytes).toBe(2 * 1024 * 1024);
  });

  it.each([
    [{}, 'path: required: the file to follow'],
    [{ path: '' }, 'path: required: the file to follow'],
    [{ path: 'a', startAt: 'middle' }, "startAt: must be 'beginning' or 'end'"],
    [{ path: 'a', batchSize: 0 }, 'batchSize: must be greater than 0'],
    [{ path: 'a', batchSize: 1.5 }, 'batchSize: must be a whole number'],
    [{ path: 'a', pollIntervalMs: 1 }, 'pollIntervalMs: must be at least 5'],
    [{ path: 'a', readChunkBytes: 'lots' }, 'readChunkBytes: "lots" is not a byte size (use a number or e.g. 64MiB, 512KB)'],
    [{ path: 'a', maxLineBytes: 0 }, 'maxLineBytes: must be greater than 0'],
    [{ path: 'a', fileHeader: 'yes' }, 'fileHeader: must be true or false'],
    [{ path: 'a', fileHeaderKey: '' }, 'fileHeaderKey: must not be empty'],
  ])('%j → %s', (input, message) => {
    expect(problems(input)).toEqual([message]);
  });

  it('rejects unknown keys', () => {
    const found = problems({ path: 'a', positionFile: '/x' });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('positionFile');
  });
});

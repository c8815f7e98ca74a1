import { describe, expect, it } from 'vitest';
import { spooldirConfigSchema, spooldirSettings, spooldirSource } from '../../../src/sources/spooldir/index.js';
import { testSourceContext } from '../../support/context.js';

function issues(input: unknown): string[] {
  const result = spooldirConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('spooldir config', () => {
  it('registers as type spooldir with Flume-like defaults', () => {
    expect(spooldirSource.type).toBe('spooldir');
    expect(spooldirConfigSchema.parse({ spoolDir: '/data/car-batch-log' })).toEqual({
      spoolDir: '/data/car-batch-log',
      fileSuffix: '.COMPLETED',
      deletePolicy: 'never',
      includePattern: '^.*$',
      ignorePattern: '^$',
      inProgressSuffixes: ['.tmp', '.COPYING', '.part'],
      minFileAgeMs: 1000,
      consumeOrder: 'oldest',
      pollDelay: 500,
      batchSize: 1000,
      maxLineBytes: 1024 * 1024,
      readChunkBytes: 1024 * 1024,
      fileHeader: false,
      fileHeaderKey: 'file',
      basenameHeader: false,
      basenameHeaderKey: 'basename',
    });
  });

  it.each([
    [{}, 'spoolDir: required: the folder to watch'],
    [{ spoolDir: '' }, 'spoolDir: required: the folder to watch'],
    [{ spoolDir: 'd', includePattern: '(' }, 'includePattern: not a valid regular expression'],
    [{ spoolDir: 'd', ignorePattern: '[a-' }, 'ignorePattern: not a valid regular expression'],
    [{ spoolDir: 'd', deletePolicy: 'later' }, "deletePolicy: must be 'never' or 'immediate'"],
    [{ spoolDir: 'd', consumeOrder: 'newest' }, "consumeOrder: must be 'oldest', 'youngest' or 'random'"],
    [{ spoolDir: 'd', batchSize: 0 }, 'batchSize: must be greater than 0'],
    [{ spoolDir: 'd', pollDelay: 1.5 }, 'pollDelay: must be a whole number'],
    [{ spoolDir: 'd', minFileAgeMs: -1 }, 'minFileAgeMs: must be 0 or more'],
    [{ spoolDir: 'd', inProgressSuffixes: [''] }, 'inProgressSuffixes.0: a suffix must not be empty'],
    [{ spoolDir: 'd', maxLineBytes: 'lots' }, 'maxLineBytes: "lots" is not a byte size'],
    [{ spoolDir: 'd', readChunkBytes: 0 }, 'readChunkBytes: must be greater than 0'],
    [{ spoolDir: 'd', fileSuffix: '' }, 'fileSuffix: must not be empty'],
    [{ spoolDir: 'd', spoolDirectory: 'x' }, 'Unrecognized key: "spoolDirectory"'],
  ])('rejects %j with a message naming the option', (input, expected) => {
    expect(issues(input).join('\n')).toContain(expected);
  });

  it('refuses a spoolDir that is the state folder (checkpoints would be read as spool files)', () => {
    const config = spooldirConfigSchema.parse({ spoolDir: '/tmp/same' });
    expect(() => spooldirSource.create(config, testSourceContext('s', '/tmp/same'))).toThrow(/must not be the state folder/);
  });

  it('accepts byte sizes with units and resolves paths and patterns once', () => {
    const config = spooldirConfigSchema.parse({
      spoolDir: 'spool',
      maxLineBytes: '2MiB',
      readChunkBytes: '64KiB',
      includePattern: '\\.txt$',
      basenameHeader: true,
    });
    expect(config.maxLineBytes).toBe(2 * 1024 * 1024);
    expect(config.readChunkBytes).toBe(64 * 1024);
    const settings = spooldirSettings(config);
    expect(settings.spoolDir).toBe(`${process.cwd()}/spool`);
    expect(settings.quarantineDir).toBe(`${process.cwd()}/spool/.quarantine`);
    expect(settings.includePattern.test('a.txt')).toBe(true);
    expect(settings.includePattern.test('a.log')).toBe(false);
    expect(settings.basenameHeaderKey).toBe('basename');
    expect(settings.fileHeaderKey).toBeUndefined();
  });
});

/** The configuration reference in docs/ is generated from the schemas; it must not be stale. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configReference } from '../../src/config/reference.js';

describe('docs/configuration.md', () => {
  it('matches the schemas (run `npm run docs:config` after changing an option)', async () => {
    const onDisk = await readFile(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(configReference());
  });

  it('documents every option with a meaning', () => {
    const undocumented = configReference()
      .split('\n')
      .filter((l) => l.startsWith('| `') && l.endsWith('|  |'));
    expect(undocumented).toEqual([]);
  });
});

/**
 * The Dockerfile reader and .dockerignore matcher the image test relies on, and static checks of
 * the real Dockerfile that need no build (base image pinned, health check on the metrics port).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { keyValues, lastOf, parseDockerfile, readDockerfile } from './dockerfile.js';
import { DockerIgnore } from './dockerignore.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

describe('parseDockerfile', () => {
  const stages = parseDockerfile(
    [
      '# syntax=docker/dockerfile:1',
      'FROM node:20-bookworm-slim AS build',
      'RUN --mount=type=cache,target=/root/.npm npm ci \\',
      '  # a comment inside a continuation is dropped',
      '  --ignore-scripts',
      'FROM node:20-bookworm-slim',
      'COPY --from=build /app/dist ./dist',
      'ENV A=1 \\',
      '    B="two words"',
      'HEALTHCHECK --interval=30s CMD ["node", "-e", "x"]',
      'CMD ["run"]',
    ].join('\n'),
  );

  it('splits stages, joins continuations and reads flags', () => {
    expect(stages.map((s) => [s.image, s.name])).toEqual([
      ['node:20-bookworm-slim', 'build'],
      ['node:20-bookworm-slim', undefined],
    ]);
    const run = stages[0]?.instructions[0];
    expect(run).toMatchObject({
      keyword: 'RUN',
      flags: { mount: 'type=cache,target=/root/.npm' },
      text: 'npm ci --ignore-scripts',
      line: 3,
    });
    expect(stages[1]?.instructions[0]).toMatchObject({ keyword: 'COPY', flags: { from: 'build' }, text: '/app/dist ./dist' });
  });

  it('reads KEY=VALUE pairs, exec form and the HEALTHCHECK command', () => {
    const runtime = stages[1] as NonNullable<(typeof stages)[1]>;
    expect(keyValues(lastOf(runtime, 'ENV') as NonNullable<ReturnType<typeof lastOf>>)).toEqual({ A: '1', B: 'two words' });
    expect(lastOf(runtime, 'HEALTHCHECK')).toMatchObject({ flags: { interval: '30s' }, exec: ['node', '-e', 'x'] });
    expect(lastOf(runtime, 'CMD')?.exec).toEqual(['run']);
  });

  it('refuses what the replay cannot run', () => {
    expect(() => parseDockerfile('FROM a\nARG X=1')).toThrow(/ARG is not supported/);
    expect(() => parseDockerfile('RUN true')).toThrow(/before FROM/);
    expect(() => parseDockerfile('FROM a\nRUN <<EOF\necho\nEOF')).toThrow(/heredocs/);
  });
});

describe('DockerIgnore', () => {
  it('allowlist: everything out, then named paths (and everything below them) back in', () => {
    const ignore = new DockerIgnore('# comment\n*\n!src\n!package.json\n');
    expect(ignore.excludes('node_modules/x/index.js')).toBe(true);
    expect(ignore.excludes('README.md')).toBe(true);
    expect(ignore.excludes('src/cli/main.ts')).toBe(false);
    expect(ignore.excludes('package.json')).toBe(false);
  });

  it('`*` stays in one folder, `**` crosses folders, later rules win', () => {
    const ignore = new DockerIgnore('*.log\n**/*.tmp\n!keep.tmp\ndocs/*/draft');
    expect(ignore.excludes('a.log')).toBe(true);
    expect(ignore.excludes('logs/a.log')).toBe(false);
    expect(ignore.excludes('x.tmp')).toBe(true);
    expect(ignore.excludes('deep/er/x.tmp')).toBe(true);
    expect(ignore.excludes('keep.tmp')).toBe(false);
    expect(ignore.excludes('docs/a/draft')).toBe(true);
    expect(ignore.excludes('docs/a/b/draft')).toBe(false);
  });
});

describe('the project Dockerfile', () => {
  const stages = readDockerfile(`${REPO}Dockerfile`);
  const runtime = stages.at(-1) as (typeof stages)[number];

  it('uses a pinned Node LTS slim base whose major matches package.json engines', () => {
    const engines = (JSON.parse(readFileSync(`${REPO}package.json`, 'utf8')) as { engines: { node: string } }).engines.node;
    const major = /(\d+)/.exec(engines)?.[1];
    for (const s of stages) {
      expect(s.image).toMatch(/^node:\d+-[a-z]+-slim$/);
      expect(s.image.startsWith(`node:${major}-`)).toBe(true);
    }
    expect(stages.map((s) => s.name)).toContain('build');
  });

  it('health check asks /healthz on the port CMD makes the metrics server listen on', () => {
    const cmd = lastOf(runtime, 'CMD')?.exec ?? [];
    const address = cmd[cmd.indexOf('--metrics-address') + 1] as string;
    const port = address.slice(address.lastIndexOf(':') + 1);
    expect(address.startsWith('0.0.0.0:')).toBe(true);
    const health = lastOf(runtime, 'HEALTHCHECK');
    expect(health?.exec?.join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
    expect(Object.keys(health?.flags ?? {})).toEqual(expect.arrayContaining(['interval', 'timeout', 'start-period', 'retries']));
  });
});

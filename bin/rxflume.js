#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm run build`, run by `npm ci`/`npm install`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('rxflume: dist/ is missing; run `npm run build` (or `npm ci`) in the rxflume folder first\n');
  process.exit(2);
}
const { runCli } = await import(main.href);
await runCli(process.argv);

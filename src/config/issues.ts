/**
 * Turns zod issues into one line per problem, each starting with its config path
 * (`sources.driving.path: required`), so a user can find and fix every problem in one pass.
 */
import type { z } from 'zod';
import { ErrorCodes, RxfError } from '../core/errors.js';

export type ConfigPath = ReadonlyArray<string | number>;

export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(root)' : out;
}

export function formatIssue(issue: z.core.$ZodIssue, prefix: ConfigPath = []): string {
  const path = [...prefix, ...(issue.path as Array<string | number>)];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `${formatPath([...path, k])}: unknown option`).join('\n');
  }
  let message = issue.message;
  if (issue.code === 'invalid_type' && /received undefined$/.test(message)) message = 'required';
  else if (issue.code === 'invalid_type') message = message.replace(/^Invalid input: /, '');
  return `${formatPath(path)}: ${message}`;
}

/** Collects problems across several validation passes and throws them together. */
export class ConfigProblems {
  private readonly lines: string[] = [];

  addIssues(issues: readonly z.core.$ZodIssue[], prefix: ConfigPath = []): void {
    for (const issue of issues) this.lines.push(...formatIssue(issue, prefix).split('\n'));
  }

  add(path: ConfigPath, message: string): void {
    this.lines.push(`${formatPath(path)}: ${message}`);
  }

  get list(): readonly string[] {
    return this.lines;
  }

  throwIfAny(file: string): void {
    if (this.lines.length === 0) return;
    throw new ConfigError(file, this.lines);
  }
}

export class ConfigError extends RxfError {
  readonly problems: readonly string[];
  constructor(file: string, problems: readonly string[]) {
    super(ErrorCodes.CONFIG_INVALID, `invalid config ${file}:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

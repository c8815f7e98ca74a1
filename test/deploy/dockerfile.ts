/**
 * A small Dockerfile reader for the deploy tests: enough of the syntax the project's Dockerfile
 * uses to replay it outside Docker (image-replay.ts) and to check it statically.
 *
 * Handles: comments and parser directives (`# syntax=…`), `\` line continuations, instruction
 * flags (`--from=build`, `--mount=…`, `--interval=30s`), JSON (exec) form and shell form,
 * `KEY=VALUE` pairs (ENV, LABEL) with double-quoted values, and stages (`FROM image AS name`).
 * Anything it does not understand (ARG, heredocs, ONBUILD, variable expansion) is an error,
 * so the Dockerfile cannot quietly grow a step the replay would skip.
 */
import { readFileSync } from 'node:fs';

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, … */
  readonly keyword: string;
  /** `--name=value` flags before the arguments (value '' for a bare `--flag`). */
  readonly flags: Readonly<Record<string, string>>;
  /** The text after the flags, continuations joined with a space. */
  readonly text: string;
  /** Exec-form arguments when the text is a JSON array, else undefined (shell form). */
  readonly exec: readonly string[] | undefined;
  /** 1-based line of the keyword in the file. */
  readonly line: number;
}

export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

const KNOWN = new Set(['FROM', 'RUN', 'COPY', 'WORKDIR', 'ENV', 'USER', 'VOLUME', 'EXPOSE', 'LABEL', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD']);

export function readDockerfile(file: string): Stage[] {
  return parseDockerfile(readFileSync(file, 'utf8'));
}

export function parseDockerfile(text: string): Stage[] {
  const stages: { image: string; name: string | undefined; instructions: Instruction[] }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i] as string;
    if (first.trim() === '' || first.trimStart().startsWith('#')) continue;
    const start = i;
    let joined = first;
    while (joined.trimEnd().endsWith('\\')) {
      joined = joined.trimEnd().slice(0, -1).trimEnd();
      // Comment and blank lines inside a continuation are skipped, as Docker does.
      let next: string;
      do {
        i++;
        if (i >= lines.length) throw new Error(`line ${start + 1}: continuation at end of file`);
        next = lines[i] as string;
      } while (next.trim() === '' || next.trimStart().startsWith('#'));
      joined += ` ${next.trim()}`;
    }
    const instruction = parseInstruction(joined.trim(), start + 1);
    if (instruction.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.text);
      if (!m) throw new Error(`line ${start + 1}: cannot read FROM "${instruction.text}"`);
      stages.push({ image: m[1] as string, name: m[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`line ${start + 1}: ${instruction.keyword} before FROM`);
    stage.instructions.push(instruction);
  }
  return stages;
}

function parseInstruction(line: string, lineNo: number): Instruction {
  const m = /^(\S+)\s*(.*)$/.exec(line) as RegExpExecArray;
  const keyword = (m[1] as string).toUpperCase();
  if (!KNOWN.has(keyword)) throw new Error(`line ${lineNo}: instruction ${keyword} is not supported by the replay`);
  let rest = m[2] as string;
  if (rest.includes('<<')) throw new Error(`line ${lineNo}: heredocs are not supported by the replay`);
  const flags: Record<string, string> = {};
  for (;;) {
    const f = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!f) break;
    flags[f[1] as string] = f[2] ?? '';
    rest = rest.slice(f[0].length);
  }
  // HEALTHCHECK's own flags come before `CMD`; keep its command as the text.
  let exec: string[] | undefined;
  const body = keyword === 'HEALTHCHECK' ? rest.replace(/^CMD\s+/, '') : rest;
  if (body.startsWith('[')) {
    const parsed: unknown = JSON.parse(body);
    if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) {
      throw new Error(`line ${lineNo}: ${keyword} JSON form must be an array of strings`);
    }
    exec = parsed;
  }
  return { keyword, flags, text: body, exec, line: lineNo };
}

/** `KEY=VALUE` pairs of an ENV or LABEL instruction (values may be double-quoted). */
export function keyValues(instruction: Instruction): Record<string, string> {
  const out: Record<string, string> = {};
  const pattern = /([A-Za-z0-9_.-]+)=("((?:[^"\\]|\\.)*)"|\S*)\s*/y;
  const text = instruction.text;
  let pos = 0;
  while (pos < text.length) {
    pattern.lastIndex = pos;
    const m = pattern.exec(text);
    if (!m) throw new Error(`line ${instruction.line}: cannot read KEY=VALUE pairs at "${text.slice(pos)}"`);
    out[m[1] as string] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : (m[2] as string);
    pos = pattern.lastIndex;
  }
  return out;
}

/** Every instruction of a kind in a stage. */
export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/** The last instruction of a kind in a stage (Docker keeps the last CMD/ENTRYPOINT/USER/HEALTHCHECK). */
export function lastOf(stage: Stage, keyword: string): Instruction | undefined {
  return instructionsOf(stage, keyword).at(-1);
}

/**
 * Reads an exec source's `command` and accepts exactly one shape: `tail` following one file
 * (`tail -F FILE`, `tail -f FILE`, `--follow[=name|descriptor]`, `--retry`, `-n`/`--lines`,
 * `-q`, `-s`). rxflume runs no commands: anything else (pipes, globs, other programs, several
 * files) is refused with a message saying what was found.
 */

export interface TailCommand {
  readonly file: string;
  /** -F / --follow=name: follow the name across rotation (rxflume always does). */
  readonly byName: boolean;
  /** `-n +1`/`+0`: from the beginning; `-n 0`: only new lines; `-n K`: the last K lines (K default 10). */
  readonly start: { readonly kind: 'beginning' } | { readonly kind: 'end' } | { readonly kind: 'last'; readonly lines: number };
}

/** Splits on blanks, honouring simple '…' and "…" quotes (no expansion: none is done by tail either). */
function words(command: string): string[] | undefined {
  const out: string[] = [];
  const re = /'([^']*)'|"([^"\\$`]*)"|([^\s'"]+)|(\S)/g;
  for (const m of command.matchAll(re)) {
    if (m[4] !== undefined) return undefined;
    out.push(m[1] ?? m[2] ?? (m[3] as string));
  }
  return out;
}

function parseLines(spec: string): TailCommand['start'] | string {
  const m = /^([+-]?)(\d+)$/.exec(spec);
  if (!m) return `"${spec}" is not a line count`;
  const n = Number(m[2]);
  if (m[1] === '+') return n <= 1 ? { kind: 'beginning' } : `tail -n +${n} (skip the first lines) has no rxflume equivalent`;
  return n === 0 ? { kind: 'end' } : { kind: 'last', lines: n };
}

/** The tail invocation, or a message saying why the command does not map. */
export function parseTailCommand(command: string): TailCommand | { problem: string } {
  if (/[|;&<>`$*?[\]]/.test(command.replace(/'[^']*'/g, "''"))) {
    return { problem: `"${command}" uses the shell (pipes, redirections, variables or globs): rxflume only maps tail -F FILE` };
  }
  const argv = words(command);
  if (!argv || argv.length === 0) return { problem: `"${command}" cannot be read as a command` };
  const program = argv[0] as string;
  if (program !== 'tail' && !program.endsWith('/tail')) {
    return { problem: `rxflume runs no commands: only "tail -F FILE" maps (to the tail source); found "${program}"` };
  }
  let follow: 'name' | 'descriptor' | undefined;
  let start: TailCommand['start'] = { kind: 'last', lines: 10 };
  const files: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    let lines: string | undefined;
    if (a === '-F') follow = 'name';
    else if (a === '-f' || a === '--follow' || a === '--follow=descriptor') follow = follow === 'name' ? 'name' : 'descriptor';
    else if (a === '--follow=name') follow = 'name';
    else if (a === '--retry' || a === '-q' || a === '--quiet' || a === '--silent') continue;
    else if (a === '-s' || a === '--sleep-interval') i++;
    else if (a.startsWith('--sleep-interval=')) continue;
    else if (a === '-n' || a === '--lines') lines = argv[++i] ?? '';
    else if (a.startsWith('--lines=')) lines = a.slice('--lines='.length);
    else if (/^-n[+-]?\d+$/.test(a)) lines = a.slice(2);
    else if (a.startsWith('-') && a !== '-') return { problem: `tail option "${a}" has no rxflume equivalent` };
    else files.push(a);
    if (lines !== undefined) {
      const parsed = parseLines(lines);
      if (typeof parsed === 'string') return { problem: parsed };
      start = parsed;
    }
  }
  if (follow === undefined) return { problem: 'tail without -F or -f prints the file and exits: there is nothing to follow' };
  if (files.length !== 1) return { problem: `tail must follow exactly one file (found ${files.length})` };
  return { file: files[0] as string, byName: follow === 'name', start };
}

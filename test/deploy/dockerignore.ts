/**
 * The Docker build context, made outside Docker: a copy of the repository filtered by its
 * `.dockerignore`, as `docker build .` would send it.
 *
 * Matching follows Docker's rules: patterns are relative to the context root; `*` and `?` do
 * not cross `/`, `**` matches any number of folders; a path is excluded when it or one of its
 * parent folders matches; later patterns win, and `!pattern` re-includes. Blank lines and
 * `#` comments are ignored.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Rule {
  readonly exclude: boolean;
  readonly regex: RegExp;
}

export class DockerIgnore {
  private readonly rules: readonly Rule[];

  constructor(text: string) {
    this.rules = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => {
        const exclude = !l.startsWith('!');
        const pattern = (exclude ? l : l.slice(1)).replace(/^\/+|\/+$/g, '');
        return { exclude, regex: new RegExp(`^${globToRegex(pattern)}$`) };
      });
  }

  static fromFile(file: string): DockerIgnore {
    return new DockerIgnore(readFileSync(file, 'utf8'));
  }

  /** Whether a context-relative path (`a/b/c`, forward slashes) is left out of the context. */
  excludes(path: string): boolean {
    const parts = path.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of this.rules) {
      if (candidates.some((c) => rule.regex.test(c))) excluded = rule.exclude;
    }
    return excluded;
  }
}

function globToRegex(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches zero or more folders; a trailing `**` anything below.
      if (pattern[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

/**
 * Copies `repo` into `dest` as the build context. A folder is walked even when it is excluded,
 * because a later `!` rule may re-include something below it, except folders no rule could
 * re-include (the walk would be slow: node_modules, .git).
 */
export function copyBuildContext(repo: string, dest: string, ignore: DockerIgnore): string[] {
  const copied: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(repo, rel), { withFileTypes: true })) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (ignore.excludes(path) && (entry.name === 'node_modules' || entry.name === '.git')) continue;
        walk(path);
      } else if (entry.isFile() && !ignore.excludes(path)) {
        mkdirSync(join(dest, rel), { recursive: true });
        copyFileSync(join(repo, path), join(dest, path));
        copied.push(path);
      }
    }
  };
  mkdirSync(dest, { recursive: true });
  walk('');
  return copied;
}

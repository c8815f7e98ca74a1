/**
 * A search_replace `replaceString` as Flume reads it (Java's `Matcher.replaceAll` syntax), turned
 * into the JavaScript `String.prototype.replace` syntax the rxflume interceptor uses, so the
 * imported interceptor writes the bytes Flume wrote.
 *
 *   Java            JavaScript   meaning
 *   \x              x ($ → $$)   the character x, literally (so `\$` is a `$`, `\\` one `\`)
 *   $0              $&           the whole match
 *   $n, $nn         $0n, $nn     group n; Java reads further digits only while the group exists
 *   ${name}         $<name>      a named group
 * Everything else is copied (JavaScript only gives `$` a meaning, and every `$` written here is
 * one of the forms above).
 *
 * Java fails every event on a replacement it cannot read (a lone `$`, a trailing `\`, a group the
 * pattern does not have); here that is a problem, told before anything runs. Groups are counted
 * on the JavaScript compile of the search pattern; when it does not compile, group checks are
 * skipped (validation reports the pattern itself).
 */

export type JavaReplacement = { readonly replacement: string } | { readonly problem: string };

interface PatternGroups {
  readonly count: number;
  readonly names: ReadonlySet<string>;
}

function groupsOf(searchPattern: string | undefined): PatternGroups | undefined {
  if (searchPattern === undefined) return undefined;
  try {
    // An empty alternative always matches, so exec yields one slot per group.
    const match = new RegExp(`${searchPattern}|`).exec('') as RegExpExecArray;
    return { count: match.length - 1, names: new Set(Object.keys(match.groups ?? {})) };
  } catch {
    return undefined;
  }
}

const isDigit = (c: string | undefined): c is string => c !== undefined && c >= '0' && c <= '9';

export function javaReplacementToJs(java: string, searchPattern: string | undefined): JavaReplacement {
  const groups = groupsOf(searchPattern);
  let out = '';
  for (let i = 0; i < java.length; i++) {
    const c = java[i] as string;
    if (c === '\\') {
      const escaped = java[++i];
      if (escaped === undefined)
        return { problem: 'ends with a lone \\ (Java: character to be escaped is missing); write \\\\ for a backslash' };
      out += escaped === '$' ? '$$' : escaped;
    } else if (c === '$') {
      const next = java[++i];
      if (next === '{') {
        const end = java.indexOf('}', i);
        const name = end < 0 ? undefined : java.slice(i + 1, end);
        if (name === undefined || !/^[A-Za-z][A-Za-z0-9]*$/.test(name))
          return { problem: 'a named group reference is $' + '{name} (letters and digits, closed by })' };
        if (groups && !groups.names.has(name)) return { problem: `no group named ${name} in searchPattern` };
        out += `$<${name}>`;
        i = end;
      } else if (isDigit(next)) {
        let ref = Number(next);
        if (groups && ref > groups.count) return { problem: `no group ${ref} in searchPattern (it has ${groups.count})` };
        while (groups && isDigit(java[i + 1]) && ref * 10 + Number(java[i + 1]) <= groups.count) ref = ref * 10 + Number(java[++i]);
        if (ref > 99) return { problem: `group ${ref}: at most 99 groups can be referred to` };
        out += ref === 0 ? '$&' : `$${String(ref).padStart(2, '0')}`;
      } else {
        return {
          problem: `"$${next ?? ''}" is not a group reference ($1, \${name}): Java fails every event on it; write \\$ for a literal $`,
        };
      }
    } else {
      out += c;
    }
  }
  return { replacement: out };
}

/**
 * Parsers of numeric command-line option values for commander (`.option(flags, text, parser)`).
 * A bad value throws an Error naming the option and quoting the value as typed; commander reports
 * it and exits 1. Shared so every command words the same problem the same way.
 */

/** An integer ≥ 1: `--max must be a positive integer, got "lots"`. */
export function positiveInt(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${v}"`);
    return n;
  };
}

/** An integer ≥ `min`: `--cars must be an integer ≥ 1, got "0"`. */
export function integerAtLeast(name: string, min: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${v}"`);
    return n;
  };
}

/**
 * Schema compatibility: can a reader schema read data written with a writer schema (Avro
 * specification, "Schema Resolution")? Answers every problem with the path of the field
 * (`smartcar.CarStatus.odometer_km`) and a reason in words, then cross-checks with avsc's own
 * resolver so nothing avsc refuses passes unexplained.
 *
 * Modes, between a newer and an older version of one record:
 *   backward — the newer version reads data written with the older one (consumers upgrade first);
 *   forward  — the older version reads data written with the newer one (producers upgrade first);
 *   full     — both.
 *
 * Rules walked (reader R, writer W):
 * - records: names match (or W's name is one of R's aliases); every R field is found in W by
 *   name or by one of R's field aliases, or has a default; W fields R lacks are skipped.
 * - enums: names match; a W symbol R lacks needs R's enum `default`.
 * - fixed: names and sizes match. Arrays and maps: items / values resolve.
 * - unions: every W branch resolves to R (to some branch of R when R is a union); a W branch that
 *   does not, but has a reader counterpart of its kind and name, is reported by what is inside it.
 * - primitives: equal, or a promotion int→long→float→double, string↔bytes.
 * Recursive records are walked once per (reader, writer) pair of names.
 *
 * Reasons (the exact texts `rxflume schemas check` prints) are direction-aware: a reader field
 * missing from the writer is an "added field" in backward mode and a "removed field" in forward.
 */
import type avro from 'avsc';

export type CompatibilityMode = 'backward' | 'forward' | 'full';
export const COMPATIBILITY_MODES: readonly CompatibilityMode[] = ['backward', 'forward', 'full'];

/** Which side is newer: `backward` = the reader is the newer version, `forward` = the writer is. */
export type Direction = 'backward' | 'forward';

export interface Incompatibility {
  /** Full record name then field names, e.g. `smartcar.CarStatus.odometer_km`; `[]` = array items, `{}` = map values. */
  readonly path: string;
  readonly reason: string;
}

const PROMOTIONS: Record<string, readonly string[]> = {
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
  string: ['bytes'],
  bytes: ['string'],
};
const PROMOTION_RULE = 'promotions: int→long→float→double, string↔bytes';

/* avsc's Type classes expose these members; the typings do not narrow by typeName. */
interface AnyType {
  readonly typeName: string;
  readonly name?: string;
  readonly aliases?: readonly string[];
  readonly fields?: readonly AnyField[];
  readonly symbols?: readonly string[];
  readonly default?: string;
  readonly size?: number;
  readonly itemsType?: AnyType;
  readonly valuesType?: AnyType;
  readonly types?: readonly AnyType[];
}
interface AnyField {
  readonly name: string;
  readonly type: AnyType;
  readonly aliases: readonly string[];
  defaultValue(): unknown;
}

const NAMED_KINDS = new Set(['record', 'error', 'enum', 'fixed']);
/** Kinds whose resolution has parts of its own to explain (fields, symbols, size, items, values). */
const COMPOSITE_KINDS = new Set(['record', 'error', 'enum', 'fixed', 'array', 'map']);

const kindOf = (t: AnyType): string => (t.typeName.startsWith('union') ? 'union' : t.typeName);

/** Short display of a type: `int`, `[null, string]`, `enum smartcar.EngineGrade`, `array<int>`. */
export function describeType(t: AnyType): string {
  const kind = kindOf(t);
  if (kind === 'union') return `[${(t.types ?? []).map(describeType).join(', ')}]`;
  if (kind === 'array') return `array<${describeType(t.itemsType as AnyType)}>`;
  if (kind === 'map') return `map<${describeType(t.valuesType as AnyType)}>`;
  if (kind === 'record' || kind === 'error' || kind === 'enum' || kind === 'fixed') return `${kind} ${t.name ?? '(anonymous)'}`;
  return kind;
}

class Walk {
  readonly problems: Incompatibility[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly direction: Direction) {}

  /** Problems reading `writer` data as `reader`, appended under `path`. */
  resolve(reader: AnyType, writer: AnyType, path: string): void {
    const rk = kindOf(reader);
    const wk = kindOf(writer);
    if (wk === 'union') {
      this.fromUnion(reader, writer, path);
    } else if (rk === 'union') {
      this.intoUnion(reader, writer, path);
    } else if (rk !== wk) {
      if (!PROMOTIONS[wk]?.includes(rk)) this.typeChange(reader, writer, path);
    } else if (NAMED_KINDS.has(rk) && !namesMatch(reader, writer)) {
      const [older, newer] = this.oldNew(reader, writer);
      this.problems.push({ path, reason: `named type changed from ${older.name} to ${newer.name} without an alias` });
    } else if (rk === 'record' || rk === 'error') {
      this.record(reader, writer, path);
    } else if (rk === 'enum') {
      this.enumSymbols(reader, writer, path);
    } else if (rk === 'fixed' && reader.size !== writer.size) {
      const [older, newer] = this.oldNew(reader, writer);
      this.problems.push({ path, reason: `fixed size changed from ${older.size} to ${newer.size}` });
    } else if (rk === 'array') {
      this.resolve(reader.itemsType as AnyType, writer.itemsType as AnyType, `${path}[]`);
    } else if (rk === 'map') {
      this.resolve(reader.valuesType as AnyType, writer.valuesType as AnyType, `${path}{}`);
    }
  }

  /**
   * A writer union: every branch must be readable. A branch that is not, but has a counterpart of
   * its own kind and name on the reader's side (the same optional record, one version apart), is
   * walked into, so the problem names the field inside it rather than the union as a whole.
   */
  private fromUnion(reader: AnyType, writer: AnyType, path: string): void {
    const readerSide = kindOf(reader) === 'union' ? (reader.types ?? []) : [reader];
    for (const branch of writer.types ?? []) {
      if (this.canRead(reader, branch)) continue;
      const bk = kindOf(branch);
      const counterpart = COMPOSITE_KINDS.has(bk)
        ? readerSide.find((r) => kindOf(r) === bk && (!NAMED_KINDS.has(bk) || namesMatch(r, branch)))
        : undefined;
      if (counterpart) this.resolve(counterpart, branch, path);
      else this.typeChange(reader, writer, path, `its branch ${describeType(branch)} has no match`);
    }
  }

  /** A non-union writer into a reader union: the branch of the same kind (and name), else any that reads it. */
  private intoUnion(reader: AnyType, writer: AnyType, path: string): void {
    const wk = kindOf(writer);
    const branches = reader.types ?? [];
    const same = branches.find((b) => kindOf(b) === wk && (!NAMED_KINDS.has(wk) || namesMatch(b, writer)));
    if (same) this.resolve(same, writer, path);
    else if (!branches.some((b) => this.canRead(b, writer))) this.typeChange(reader, writer, path);
  }

  private canRead(reader: AnyType, writer: AnyType): boolean {
    const probe = new Walk(this.direction);
    for (const key of this.seen) probe.seen.add(key);
    probe.resolve(reader, writer, '');
    return probe.problems.length === 0;
  }

  private record(reader: AnyType, writer: AnyType, path: string): void {
    const key = `${reader.name}|${writer.name}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const writerFields = writer.fields ?? [];
    const readerFields = reader.fields ?? [];
    const matched = new Set<string>();
    const found: (AnyField | undefined)[] = readerFields.map((rf) => {
      const wf = writerFields.find((f) => f.name === rf.name) ?? writerFields.find((f) => rf.aliases.includes(f.name));
      if (wf) matched.add(wf.name);
      return wf;
    });
    readerFields.forEach((rf, i) => {
      const fieldPath = `${path}.${rf.name}`;
      const wf = found[i];
      if (wf) this.resolve(rf.type, wf.type, fieldPath);
      else if (rf.defaultValue() === undefined) this.missingField(rf, writerFields[i], matched, fieldPath);
    });
  }

  /** A reader field without a default that the writer lacks; `atSamePlace` is the writer's field at its index. */
  private missingField(rf: AnyField, atSamePlace: AnyField | undefined, matched: ReadonlySet<string>, fieldPath: string): void {
    // Same place, unmatched on both sides: most likely a rename.
    const renamed = atSamePlace !== undefined && !matched.has(atSamePlace.name) ? atSamePlace : undefined;
    let reason: string;
    if (this.direction === 'backward') {
      reason = renamed
        ? `renamed from ${renamed.name} without an alias (add "aliases": ["${renamed.name}"])`
        : 'added field without a default';
    } else {
      reason = renamed
        ? `renamed to ${renamed.name}: older readers find no ${rf.name} and it has no default`
        : 'removed field without a default (older readers need one)';
    }
    this.problems.push({ path: fieldPath, reason });
  }

  private enumSymbols(reader: AnyType, writer: AnyType, path: string): void {
    if (reader.default !== undefined) return;
    const readerSymbols = new Set(reader.symbols ?? []);
    const missing = (writer.symbols ?? []).filter((s) => !readerSymbols.has(s));
    if (missing.length === 0) return;
    const what = this.direction === 'backward' ? 'removed' : 'added';
    const plural = missing.length === 1 ? 'symbol' : 'symbols';
    this.problems.push({ path, reason: `enum ${plural} ${what} without an enum default: ${missing.join(', ')}` });
  }

  private typeChange(reader: AnyType, writer: AnyType, path: string, detail?: string): void {
    const [older, newer] = this.oldNew(reader, writer);
    const why = detail ?? `${describeType(writer)} cannot be read as ${describeType(reader)}`;
    this.problems.push({
      path,
      reason: `type changed from ${describeType(older)} to ${describeType(newer)}: ${why} (${PROMOTION_RULE})`,
    });
  }

  /** [older, newer] of the pair, by the direction of the check. */
  private oldNew(reader: AnyType, writer: AnyType): [AnyType, AnyType] {
    return this.direction === 'backward' ? [writer, reader] : [reader, writer];
  }
}

function namesMatch(reader: AnyType, writer: AnyType): boolean {
  return reader.name === writer.name || (writer.name !== undefined && (reader.aliases ?? []).includes(writer.name));
}

/**
 * Every problem a reader of `reader` meets on data written with `writer`; empty when it reads it.
 * `direction` only words the reasons (which side is the newer version).
 */
export function resolutionProblems(reader: avro.Type, writer: avro.Type, direction: Direction): Incompatibility[] {
  const walk = new Walk(direction);
  const r = reader as unknown as AnyType;
  walk.resolve(r, writer as unknown as AnyType, r.name ?? describeType(r));
  if (walk.problems.length === 0) {
    // The walk is ours; avsc has the last word on what it can actually resolve.
    try {
      reader.createResolver(writer);
    } catch (err) {
      walk.problems.push({ path: r.name ?? describeType(r), reason: `avsc cannot resolve it: ${(err as Error).message}` });
    }
  }
  return walk.problems;
}

export interface PairProblems {
  /** `backward`: the newer version read the older's data; `forward`: the reverse. */
  readonly direction: Direction;
  readonly problems: readonly Incompatibility[];
}

/** Checks `newer` against `older` in `mode`; one entry per direction checked that has problems. */
export function checkPair(newer: avro.Type, older: avro.Type, mode: CompatibilityMode): PairProblems[] {
  const out: PairProblems[] = [];
  if (mode !== 'forward') {
    const problems = resolutionProblems(newer, older, 'backward');
    if (problems.length > 0) out.push({ direction: 'backward', problems });
  }
  if (mode !== 'backward') {
    const problems = resolutionProblems(older, newer, 'forward');
    if (problems.length > 0) out.push({ direction: 'forward', problems });
  }
  return out;
}

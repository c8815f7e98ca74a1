/**
 * The configuration reference, generated from the same zod schemas that validate configs, so the
 * documentation cannot drift from the code (a test compares docs/configuration.md with this).
 */
import { z } from 'zod';
import { interceptorTypes } from '../interceptors/registry.js';
import { deadLetterConfigSchema } from '../sinks/dead-letter/index.js';
import { sinkTypes, sourceTypes } from './components.js';
import { agentSchema, commonSinkSchema, commonSourceSchema, metricsSchema } from './schema.js';

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/** The variants of a union of objects (e.g. `buffer`: memory or disk), else undefined. */
function objectVariants(s: JsonSchema | undefined): JsonSchema[] | undefined {
  const variants = s?.oneOf ?? s?.anyOf;
  return variants?.every((v) => v.type === 'object' && v.properties) ? variants : undefined;
}

function jsonSchemas(schema: z.ZodType): { input: JsonSchema; output: JsonSchema } {
  return {
    input: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema,
    output: z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema,
  };
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  if (Array.isArray(s.type))
    return s.type.includes('string') && s.type.includes('number') ? 'bytes (`67108864`, `64MiB`)' : s.type.join(' or ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'values'}`;
  return s.type ?? 'any';
}

function defaultOf(input: JsonSchema, output: JsonSchema | undefined, required: boolean): string {
  if (required) return 'required';
  const d = output?.default ?? input.default;
  if (d === undefined) return '—';
  if (d === '') return '(empty)';
  if (typeof d === 'object') return `\`${JSON.stringify(d)}\``;
  return `\`${String(d)}\``;
}

function rows(schema: z.ZodType, skip: readonly string[] = []): string[] {
  const { input, output } = jsonSchemas(schema);
  const out: string[] = [];
  const walk = (inp: JsonSchema, outp: JsonSchema | undefined, prefix: string, variant = '') => {
    const required = new Set(inp.required ?? []);
    for (const [key, prop] of Object.entries(inp.properties ?? {})) {
      if (prefix === '' && skip.includes(key)) continue;
      const outProp = outp?.properties?.[key];
      if (prop.type === 'object' && prop.properties) {
        walk(prop, outProp, `${prefix}${key}.`);
        continue;
      }
      const variants = objectVariants(prop);
      if (variants) {
        // One block of rows per variant, each description led by the variant's `type`.
        const outVariants = objectVariants(outProp);
        variants.forEach((v, i) => {
          const typeProp = v.properties?.type;
          const label = typeProp?.const ?? typeProp?.default;
          walk(v, outVariants?.[i], `${prefix}${key}.`, label === undefined ? '' : `(type: ${String(label)}) `);
        });
        continue;
      }
      const description = (variant + (prop.description ?? outProp?.description ?? '')).replace(/\|/g, '\\|').replace(/\n/g, ' ');
      out.push(`| \`${prefix}${key}\` | ${typeOf(prop)} | ${defaultOf(prop, outProp, required.has(key))} | ${description} |`);
    }
  };
  walk(input, output, '');
  return out;
}

function table(schema: z.ZodType, skip: readonly string[] = []): string {
  return ['| key | type | default | meaning |', '|---|---|---|---|', ...rows(schema, skip)].join('\n');
}

export function configReference(): string {
  const parts: string[] = [
    '# Configuration reference',
    '',
    'Generated from the validation schemas by `npm run docs:config` (a test fails when this file is stale).',
    'Every section is strict: an unknown key is an error that names its path.',
    '',
    '## `agent`',
    '',
    table(agentSchema.unwrap() as unknown as z.ZodType),
    '',
    '## `metrics`',
    '',
    table(metricsSchema.unwrap() as unknown as z.ZodType),
    '',
    '## `deadLetter`',
    '',
    table(deadLetterConfigSchema as unknown as z.ZodType, ['agentId']),
    '',
    '## Every source (`sources.<id>`)',
    '',
    table(commonSourceSchema),
    '',
  ];
  for (const [type, reg] of Object.entries(sourceTypes)) {
    parts.push(`## Source \`type: ${type}\``, '', table(reg.configSchema), '');
  }
  parts.push(
    '## Interceptors (`sources.<id>.interceptors[]`)',
    '',
    'Each entry has a `type` and that type’s options, applied in order.',
    '',
  );
  for (const [type, reg] of Object.entries(interceptorTypes)) {
    parts.push(`### \`type: ${type}\``, '', table(reg.configSchema), '');
  }
  parts.push('## Every sink (`sinks.<id>`)', '', table(commonSinkSchema), '');
  for (const [type, reg] of Object.entries(sinkTypes)) {
    parts.push(`## Sink \`type: ${type}\``, '', table(reg.configSchema), '');
  }
  return `${parts.join('\n').trimEnd()}\n`;
}

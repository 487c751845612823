import { z } from 'zod';

/**
 * A deterministic value that satisfies a zod schema: the schema's OpenAPI `example`
 * when the contract gives one (the same examples the spec shows), else one derived
 * from its type. Hand-rolled rather than a faker-based mock library: fixtures must
 * be stable across runs and the SDK must not ship a data generator.
 */
export function sample<T extends z.ZodTypeAny>(schema: T): z.output<T> {
  return sampleOf(schema) as z.output<T>;
}

const FIXED_UUID = '00000000-0000-4000-8000-000000000000';
const FIXED_TIME = '2026-01-01T00:00:00.000Z';

function sampleOf(schema: z.ZodTypeAny): unknown {
  const example = (schema as { metaOpenApi?: { example?: unknown } }).metaOpenApi?.example;
  if (example !== undefined && schema.safeParse(example).success) return structuredClone(example);
  const def = schema._def as { typeName: z.ZodFirstPartyTypeKind } & Record<string, unknown>;
  switch (def.typeName) {
    case z.ZodFirstPartyTypeKind.ZodObject: {
      const shape = (schema as z.AnyZodObject).shape as Record<string, z.ZodTypeAny>;
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(shape)) {
        if (field.isOptional()) continue;
        out[key] = sampleOf(field);
      }
      return out;
    }
    case z.ZodFirstPartyTypeKind.ZodString:
      return sampleString(schema as z.ZodString);
    case z.ZodFirstPartyTypeKind.ZodNumber: {
      const n = schema as z.ZodNumber;
      return n.minValue ?? (n.maxValue !== null && n.maxValue < 0 ? n.maxValue : 0);
    }
    case z.ZodFirstPartyTypeKind.ZodBoolean:
      return false;
    case z.ZodFirstPartyTypeKind.ZodLiteral:
      return def.value;
    case z.ZodFirstPartyTypeKind.ZodEnum:
      return (def.values as unknown[])[0];
    case z.ZodFirstPartyTypeKind.ZodNativeEnum:
      return Object.values(def.values as object)[0];
    case z.ZodFirstPartyTypeKind.ZodArray: {
      const min = (def.minLength as { value: number } | null)?.value ?? 0;
      return Array.from({ length: Math.max(min, 1) }, () => sampleOf(def.type as z.ZodTypeAny));
    }
    case z.ZodFirstPartyTypeKind.ZodNullable:
      return null;
    case z.ZodFirstPartyTypeKind.ZodOptional:
      return sampleOf(def.innerType as z.ZodTypeAny);
    case z.ZodFirstPartyTypeKind.ZodDefault:
      return (def.defaultValue as () => unknown)();
    case z.ZodFirstPartyTypeKind.ZodEffects:
      return sampleOf(def.schema as z.ZodTypeAny);
    case z.ZodFirstPartyTypeKind.ZodUnion:
    case z.ZodFirstPartyTypeKind.ZodDiscriminatedUnion:
      return sampleOf((def.options as z.ZodTypeAny[])[0]!);
    case z.ZodFirstPartyTypeKind.ZodRecord:
      return {};
    case z.ZodFirstPartyTypeKind.ZodNull:
      return null;
    default:
      return undefined;
  }
}

function sampleString(schema: z.ZodString): string {
  const checks = schema._def.checks;
  if (checks.some((c) => c.kind === 'uuid')) return FIXED_UUID;
  // The contract's Timestamp is a compiled RFC 3339 regex marked `format: date-time`.
  const format = (schema as { metaOpenApi?: { format?: string } }).metaOpenApi?.format;
  if (format === 'date-time' || checks.some((c) => c.kind === 'datetime')) return FIXED_TIME;
  if (checks.some((c) => c.kind === 'url')) return 'https://example.com/webhooks';
  if (checks.some((c) => c.kind === 'email')) return 'someone@example.com';
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Infinity;
  return 'example'.padEnd(min, 'x').slice(0, max);
}

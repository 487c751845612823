// Walks a zod schema to its leaf fields, and makes, for each leaf, values its own checks
// refuse. zod has no public schema walker, so this reads `_def` (zod 3's stable internals).
import { ZodFirstPartyTypeKind as K, type z, type ZodTypeAny } from 'zod';

export type Path = (string | number)[];

/** A leaf (string, number, enum …) at `path`, with the values that put the object on the way there. */
export interface Leaf {
  path: Path;
  schema: ZodTypeAny;
  /** Discriminator values the path goes through, so a discriminated union picks the leaf's branch. */
  fixed: { path: Path; value: unknown }[];
}

const WRAPPERS = new Set<string>([K.ZodOptional, K.ZodNullable, K.ZodDefault, K.ZodBranded, K.ZodReadonly, K.ZodCatch]);
const CONTAINERS = new Set<string>([K.ZodObject, K.ZodArray, K.ZodRecord, K.ZodUnion, K.ZodDiscriminatedUnion, K.ZodIntersection, K.ZodTuple]);

const kind = (s: ZodTypeAny): string => (s._def as { typeName: string }).typeName;

/** The schema under optional, nullable, default … and, for `strip: true`, refinements and transforms too. */
export function core(s: ZodTypeAny, strip = true): ZodTypeAny {
  for (;;) {
    const def = s._def as Record<string, ZodTypeAny | (() => ZodTypeAny)>;
    if (WRAPPERS.has(kind(s))) s = (def.innerType ?? def.type) as ZodTypeAny;
    else if (kind(s) === K.ZodLazy) s = (def.getter as () => ZodTypeAny)();
    else if (kind(s) === K.ZodPipeline) s = def.in as ZodTypeAny;
    else if (strip && kind(s) === K.ZodEffects) s = def.schema as ZodTypeAny;
    else return s;
  }
}

/** Every leaf of `schema`: refinements on a leaf stay part of it, refinements on an object are walked through. */
export function leaves(schema: ZodTypeAny, path: Path = [], fixed: Leaf['fixed'] = [], depth = 0): Leaf[] {
  const inner = core(schema);
  if (!CONTAINERS.has(kind(inner)) || depth > 8) return [{ path, schema, fixed }];
  const def = inner._def as Record<string, unknown>;
  switch (kind(inner)) {
    case K.ZodObject: {
      const shape = (inner as z.AnyZodObject).shape as Record<string, ZodTypeAny>;
      return Object.entries(shape).flatMap(([key, s]) => leaves(s, [...path, key], fixed, depth + 1));
    }
    case K.ZodArray:
      return leaves(def.type as ZodTypeAny, [...path, 0], fixed, depth + 1);
    case K.ZodRecord:
      return leaves(def.valueType as ZodTypeAny, [...path, 'key'], fixed, depth + 1);
    case K.ZodTuple:
      return (def.items as ZodTypeAny[]).flatMap((s, i) => leaves(s, [...path, i], fixed, depth + 1));
    case K.ZodIntersection:
      return [def.left, def.right].flatMap((s) => leaves(s as ZodTypeAny, path, fixed, depth + 1));
    case K.ZodUnion: {
      // A branch's leaf at the union's own path is the union: what one branch refuses another may take.
      const at = path.join('/');
      const found = (def.options as ZodTypeAny[]).flatMap((s) => leaves(s, path, fixed, depth + 1));
      const own = found.some((l) => l.path.join('/') === at) ? [{ path, schema, fixed }] : [];
      return [...own, ...found.filter((l) => l.path.join('/') !== at)];
    }
    case K.ZodDiscriminatedUnion: {
      const key = def.discriminator as string;
      return [...(def.optionsMap as Map<unknown, z.AnyZodObject>).entries()].flatMap(([value, option]) =>
        leaves(option, path, [...fixed, { path: [...path, key], value }], depth + 1).filter((l) => l.path.join('/') !== [...path, key].join('/')),
      );
    }
  }
  return [];
}

/** Strings a format must refuse, whatever else the field allows. */
export const MUST_REFUSE: Record<string, string[]> = {
  uuid: ['not-a-uuid', '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6', '6c0f8a8e2d7b4c4e8b9a1f2e3d4c5b6a0', 'g c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a', ''],
  url: ['not a url', 'http//missing-colon.example', '://no-scheme', ''],
  email: ['plainaddress', 'a@', '@example.com', 'a b@example.com'],
  datetime: ['yesterday', '2024-01-01', '2024-13-01T00:00:00Z', '2024-01-01T25:00:00Z', '10000-01-01T00:00:00Z', '2024-01-01T00:00:00+24:00'],
};

/** Strings to try against a pattern; those it refuses are fed to the route. */
const PATTERN_POOL = [
  '',
  ' ',
  'x',
  'a\u0000b',
  '💥',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'UPPER_case',
  'with space',
  ...MUST_REFUSE.datetime!,
  '0099-12-31T23:59:59Z',
  '2024-01-01T00:00:00',
  'x'.repeat(10_000),
];

/** Values of other JSON types, for every leaf. */
const WRONG_TYPES: unknown[] = [42, -1.5, true, null, {}, [], { nested: 'x' }];

function stringCandidates(s: z.ZodString): string[] {
  const out = [...PATTERN_POOL];
  for (const check of s._def.checks) {
    if (check.kind === 'max') out.push('x'.repeat(check.value + 1));
    if (check.kind === 'min' && check.value > 0) out.push('x'.repeat(check.value - 1));
    if (check.kind === 'length') out.push('x'.repeat(check.value + 1));
    if (check.kind in MUST_REFUSE) out.push(...MUST_REFUSE[check.kind]!);
  }
  return out;
}

function numberCandidates(s: z.ZodNumber): unknown[] {
  const out: number[] = [Number.MAX_SAFE_INTEGER * 4, -Number.MAX_SAFE_INTEGER * 4, 1.5, -1];
  for (const check of s._def.checks) {
    if (check.kind === 'min') out.push(check.value - 1, check.value - 0.5);
    if (check.kind === 'max') out.push(check.value + 1, check.value + 0.5);
  }
  return [...out, ...out.map(String), 'abc', '12abc', ''];
}

function enumCandidates(options: readonly unknown[]): unknown[] {
  const strings = options.filter((o): o is string => typeof o === 'string');
  return ['not-a-member', '', ...strings.flatMap((o) => [o.toUpperCase(), `${o} `, ` ${o}`, o.slice(0, -1)])];
}

/** Values the leaf itself refuses: out-of-format strings, out-of-range numbers, non-members, other types. */
export function refusedValues(leaf: ZodTypeAny): unknown[] {
  const c = core(leaf);
  let candidates: unknown[] = [];
  switch (kind(c)) {
    case K.ZodString:
      candidates = stringCandidates(c as z.ZodString);
      break;
    case K.ZodNumber:
      candidates = numberCandidates(c as z.ZodNumber);
      break;
    case K.ZodEnum:
      candidates = enumCandidates((c as z.ZodEnum<[string, ...string[]]>).options);
      break;
    case K.ZodNativeEnum:
      candidates = enumCandidates(Object.values((c as z.ZodNativeEnum<z.EnumLike>).enum));
      break;
    case K.ZodLiteral:
      candidates = enumCandidates([(c as z.ZodLiteral<unknown>).value]);
      break;
    case K.ZodBoolean:
      candidates = ['yes', 'TRUE', '1', 0];
      break;
  }
  const refused = [...candidates, ...WRONG_TYPES].filter((v) => !leaf.safeParse(v).success);
  return [...new Map(refused.map((v) => [JSON.stringify(v), v])).values()];
}

/** The leaf kinds refusedValues knows the formats of; any other leaf is a walker to extend. */
export const KNOWN_LEAVES = new Set<string>([K.ZodString, K.ZodNumber, K.ZodEnum, K.ZodNativeEnum, K.ZodLiteral, K.ZodBoolean, K.ZodUnknown, K.ZodAny, K.ZodUnion]);
export const leafKind = (leaf: ZodTypeAny): string => kind(core(leaf));

/** Leaves that take any value (z.unknown, z.any): nothing is out of their format. */
export const takesAnything = (leaf: ZodTypeAny) => [K.ZodUnknown, K.ZodAny].includes(kind(core(leaf)) as K);

/** An object holding `value` at `path` (arrays where the path has an index), and the discriminators. */
export function inputWith(leaf: Leaf, value: unknown): unknown {
  let root: unknown = undefined;
  const set = (path: Path, v: unknown) => {
    if (path.length === 0) return void (root = v);
    root ??= typeof path[0] === 'number' ? [] : {};
    let node = root as Record<string | number, unknown>;
    for (const [i, key] of path.entries()) {
      if (i === path.length - 1) node[key] = v;
      else node = (node[key] ??= typeof path[i + 1] === 'number' ? [] : {}) as Record<string | number, unknown>;
    }
  };
  for (const f of leaf.fixed) set(f.path, f.value);
  set(leaf.path, value);
  return root;
}

/** Every issue of a zod error, with those inside union branches. */
export function allIssues(error: z.ZodError): z.ZodIssue[] {
  return error.issues.flatMap((issue) => [
    issue,
    ...(issue.code === 'invalid_union' ? issue.unionErrors.flatMap(allIssues) : []),
  ]);
}

// The committed OpenAPI document, its operations, and a validator that judges a response
// against what its operation declares (status, media type, body schema).
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export type Schema = Record<string, unknown>;
interface Media { schema?: Schema }
export interface Parameter { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: Schema }
export interface Operation {
  id: string;
  method: string;
  path: string;
  parameters: Parameter[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media>; headers?: Record<string, { required?: boolean; schema?: Schema; $ref?: string }> }>;
  security?: Record<string, string[]>[];
  scopes: string[];
}

export const spec = JSON.parse(readFileSync(new URL('../../../../../openapi/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Omit<Operation, 'id' | 'method' | 'path' | 'scopes'> & { operationId: string; 'x-required-scopes'?: string[] }>>;
  components: { schemas: Record<string, Schema>; headers?: Record<string, { required?: boolean; schema?: Schema }> };
};

export const operations: Operation[] = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({
    ...op,
    id: op.operationId,
    method: method.toUpperCase(),
    path,
    parameters: op.parameters ?? [],
    scopes: op['x-required-scopes'] ?? [],
  })),
);

/** Resolves a local `#/components/schemas/X` reference (one level; enough to read a property list). */
export function deref(schema: Schema): Schema {
  const ref = schema.$ref as string | undefined;
  return ref ? (spec.components.schemas[ref.split('/').pop()!] as Schema) : schema;
}

// OpenAPI 3.0 schemas: Ajv knows `nullable`; `example` and `x-` keys are annotations; the one
// `discriminator` (WebhookEvent, not a response of any path) uses `mapping`, which Ajv lacks.
// An object that does not say otherwise gets no undocumented fields in an answer.
const forAnswers = (k: string, v: unknown) => {
  if (k === 'discriminator') return undefined;
  const o = v as Schema | null;
  if (o && typeof o === 'object' && !Array.isArray(o) && o.properties && typeof o.properties === 'object' && o.type === 'object' && !('additionalProperties' in o)) {
    return { ...o, additionalProperties: false };
  }
  return v;
};
const components = JSON.parse(JSON.stringify(spec.components.schemas), forAnswers) as Record<string, Schema>;
const ajv = new Ajv({ allErrors: true, strict: false });
// ajv-formats is CommonJS: under NodeNext its function is the module's `default` member.
addFormats.default(ajv);
ajv.addSchema({ components: { schemas: components } }, 'spec');
const compiled = new Map<Schema, ValidateFunction>();
function validatorFor(schema: Schema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    // Point local refs at the registered document so component schemas resolve.
    v = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"spec#/components/'), forAnswers) as Schema);
    compiled.set(schema, v);
  }
  return v;
}

export interface Answer { status: number; contentType: string; text: string; headers?: Headers }

/** Headers the declared response requires but the answer lacks, or carries in another type. */
function headerViolation(declared: Operation['responses'][string], headers: Headers): string | null {
  for (const [name, declaredHeader] of Object.entries(declared.headers ?? {})) {
    const h = declaredHeader.$ref ? spec.components.headers![declaredHeader.$ref.split('/').pop()!]! : declaredHeader;
    const value = headers.get(name);
    if (value === null) {
      if (h.required) return `required header ${name} missing`;
      continue;
    }
    if (h.schema?.type === 'integer' && !/^\d+$/.test(value)) return `header ${name} is not an integer: ${value}`;
  }
  return null;
}

/** Why the answer breaks the operation's contract (status, media type, body, headers when given), or null when it keeps it. */
export function violation(op: Operation, answer: Answer): string | null {
  const declared = op.responses[String(answer.status)] ?? op.responses.default;
  if (!declared) return `status ${answer.status} not declared (declared: ${Object.keys(op.responses).join(', ')})`;
  const media = answer.contentType.split(';')[0]!.trim().toLowerCase();
  const headers = answer.headers ? headerViolation(declared, answer.headers) : null;
  if (!declared.content) return answer.text === '' ? headers : `body (${media || 'no type'}) where none is declared`;
  const entry = declared.content[media];
  if (!entry) return `media type "${media}" not declared (declared: ${Object.keys(declared.content).join(', ')})`;
  if (!entry.schema) return null;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `body is not JSON: ${answer.text.slice(0, 80)}`;
  }
  const validate = validatorFor(entry.schema);
  if (validate(body)) {
    const status = (body as { status?: unknown }).status;
    return media === 'application/problem+json' && status !== answer.status ? `problem status ${String(status)} differs from HTTP ${answer.status}` : headers;
  }
  return `body off schema: ${ajv.errorsText(validate.errors?.slice(0, 3), { dataVar: 'body' })}`;
}

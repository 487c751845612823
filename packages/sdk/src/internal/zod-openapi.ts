// Stands in for @anatine/zod-openapi inside the SDK's bundles (tsup.config.ts aliases
// it here). The contract calls `extendApi` at import time to attach spec metadata,
// which the SDK keeps (its examples feed the testing fixtures); it calls
// `generateSchema` only inside functions that build the OpenAPI document, which the
// SDK never runs. Bundling the real package would put a CommonJS module with a
// `require("zod")` into the ESM build (it fails to load there), plus an OpenAPI
// generator and a deep-merge library no SDK user needs.
import type { z } from 'zod';

/** Same behaviour as @anatine/zod-openapi's extendApi: merges metadata into `schema.metaOpenApi`. */
export function extendApi<T extends z.ZodTypeAny>(schema: T, schemaObject: Record<string, unknown> = {}): T {
  const target = schema as T & { metaOpenApi?: Record<string, unknown> };
  target.metaOpenApi = Object.assign(target.metaOpenApi ?? {}, schemaObject);
  return schema;
}

export function generateSchema(): never {
  throw new Error('@ihf/sdk does not generate OpenAPI schemas; use the server’s /openapi.json');
}

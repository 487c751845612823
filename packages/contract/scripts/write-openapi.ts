// Writes openapi/openapi.json from the contract. CI regenerates it and fails on any difference.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from '../src/openapi.js';

const target = fileURLToPath(new URL('../../../openapi/openapi.json', import.meta.url));
writeFileSync(target, JSON.stringify(buildOpenApiDocument(), null, 2) + '\n');
console.log(`wrote ${target}`);

// Validates openapi/openapi.json with @apidevtools/swagger-parser (schema and $refs).
import SwaggerParser from '@apidevtools/swagger-parser';

const file = new URL('../openapi/openapi.json', import.meta.url).pathname;
await SwaggerParser.validate(file);
console.log(`swagger-parser: ${file} is valid`);

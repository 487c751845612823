declare module 'swagger-ui-dist/swagger-ui-es-bundle.js' {
  function SwaggerUI(options: Record<string, unknown>): unknown;
  export = SwaggerUI;
}

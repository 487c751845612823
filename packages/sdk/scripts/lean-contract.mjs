// esbuild plugin for the `@ihf/sdk/webhooks` bundle only: loads the contract's sources
// without their spec-only parts, so the entry carries the event schemas and nothing else.
// - `extendApi(schema, meta)` becomes `schema` and `.describe(text)` is dropped: titles,
//   descriptions and examples feed the OpenAPI document, never validation.
// - `c.router(…)` becomes `{}`: verification never routes, and a router's object literal
//   (with spreads) would otherwise be kept whole, schemas, examples and all.
// - The import of @ts-rest/core goes, and `initContract()` becomes `{}`: with no router
//   left, nothing else of ts-rest is reached, and an external import would stay in the
//   bundle for its side effects.
// - Every other call in the contract is marked /*#__PURE__*/ (zod builders have no side
//   effects), so the bundler drops every schema the entry does not reach.
// Why: without this the entry ships every record's routes and examples (about 2x its size).
// The main and testing entries load the contract unchanged (fixtures use the examples).
import { readFile } from 'node:fs/promises';
import ts from 'typescript';

function transformer(context) {
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text === '@ts-rest/core') return undefined;
    if (ts.isCallExpression(node)) {
      if (ts.isIdentifier(node.expression) && node.expression.text === 'initContract') {
        return ts.factory.createParenthesizedExpression(ts.factory.createObjectLiteralExpression([]));
      }
      const callee = node.expression;
      if (ts.isIdentifier(callee) && callee.text === 'extendApi' && node.arguments.length > 0) return visit(node.arguments[0]);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'describe' && node.arguments.length === 1) return visit(callee.expression);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'router' && ts.isIdentifier(callee.expression) && callee.expression.text === 'c') {
        return ts.factory.createParenthesizedExpression(ts.factory.createObjectLiteralExpression([]));
      }
      const updated = ts.visitEachChild(node, visit, context);
      return ts.addSyntheticLeadingComment(updated, ts.SyntaxKind.MultiLineCommentTrivia, '#__PURE__', false);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return (file) => ts.visitNode(file, visit);
}

export const leanContract = {
  name: 'lean-contract',
  setup(build) {
    build.onLoad({ filter: /[\\/]packages[\\/]contract[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const source = ts.createSourceFile(args.path, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
      const result = ts.transform(source, [transformer]);
      const contents = ts.createPrinter().printFile(result.transformed[0]);
      result.dispose();
      return { contents, loader: 'ts' };
    });
  },
};

// Writes the declaration of packages/contract/src/index.ts, which tsc cannot emit:
// the inferred type of `contract` (every route with the common error responses merged
// in) exceeds what tsc serialises (TS7056). The SDK needs only the router's shape, so
// `contract` is declared as the composition in index.ts with each router as
// `typeof <router>` (each resource file's own declaration is emitted normally). The
// composition is read from the source, so routers added there appear here unchanged.
// Path prefix and common responses are not reflected in this type; the SDK's types
// use neither (only request shapes and success bodies).
import { readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';

export function writeContractIndexDeclaration(sourcePath, outPath) {
  const text = readFileSync(sourcePath, 'utf8');
  const file = ts.createSourceFile(sourcePath, text, ts.ScriptTarget.ES2022, true);
  const out = [];
  for (const statement of file.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) out.push(`export declare const ${d.name.getText()}: ${declaredType(d)};`);
    } else {
      out.push(statement.getText());
    }
  }
  writeFileSync(outPath, out.join('\n') + '\n');
}

function declaredType(declaration) {
  const init = declaration.initializer;
  if (init && ts.isStringLiteral(init)) return JSON.stringify(init.text);
  if (init && ts.isCallExpression(init) && init.expression.getText().endsWith('.router')) return shape(init.arguments[0]);
  throw new Error(`contract-declarations: cannot declare ${declaration.getText()}`);
}

function shape(node) {
  if (ts.isIdentifier(node)) return `typeof ${node.text}`;
  if (ts.isObjectLiteralExpression(node)) {
    const members = node.properties.map((p) => {
      if (ts.isShorthandPropertyAssignment(p)) return `${p.name.getText()}: typeof ${p.name.getText()};`;
      if (ts.isPropertyAssignment(p)) return `${p.name.getText()}: ${shape(p.initializer)};`;
      throw new Error(`contract-declarations: unexpected member ${p.getText()}`);
    });
    return `{ ${members.join(' ')} }`;
  }
  throw new Error(`contract-declarations: unexpected router node ${node.getText()}`);
}

// One linter for the whole workspace: typescript-eslint's recommended rules, type-only
// imports, no `any`, no default exports (named exports keep the public surface greppable).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.turbo/**', '.data/**', 'openapi/**', '**/*.generated.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration from the parsed Config (apps/server/src/config.ts), not process.env.',
        },
      ],
    },
  },
  {
    // The web apps run in the browser.
    files: ['apps/web/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Config files that tools load by default export, and the places allowed to read the environment.
    files: ['apps/server/src/config.ts', '**/*.config.{ts,js,mjs}', '**/tsup.config.ts', 'apps/server/test/global-setup.ts', 'bench/**', 'scripts/**', '**/*.test.ts', 'apps/server/test/**', 'apps/web/test/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);

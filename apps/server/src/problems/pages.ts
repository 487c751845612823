import { ERROR_GUIDE, ERROR_STATUS, ERROR_TITLES, problemSlug, problemTypeFor, type ErrorCode } from '@ihf/contract';
import escapeHtml from 'escape-html';

export const STYLESHEET_PATH = '/problems/problems.css';

/**
 * The page's only styling, served from this origin so the strict CSP (no inline style) allows it.
 * Colours are explicit, of AA contrast in both schemes: axe measures a default canvas as white.
 */
export const STYLESHEET = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { max-width: 46rem; margin: 0 auto; padding: 1.5rem; }
code { font-size: 0.95em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid; }
html { background: #fff; color: #1a1a1a; }
a, a:visited { color: #0645ad; }
@media (prefers-color-scheme: dark) {
  html { background: #121212; color: #ececec; }
  a, a:visited { color: #9ec5fe; }
}
`;

const CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** Escapes text for HTML, then shows its `backticked` parts as code. */
const prose = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)} · IHF External API</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<header><nav aria-label="Problem types"><a href="/problems">All problem types</a> · <a href="/docs">API reference</a></nav></header>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The page a problem `type` URI dereferences to: what the code means, its causes, what to do. */
export function problemPageHtml(code: ErrorCode, base: string): string {
  const guide = ERROR_GUIDE[code];
  return layout(
    ERROR_TITLES[code],
    `<h1>${escapeHtml(ERROR_TITLES[code])}</h1>
<dl>
<dt>HTTP status</dt><dd>${ERROR_STATUS[code]}</dd>
<dt>Code</dt><dd><code>${code}</code></dd>
<dt>Type URI</dt><dd><code>${escapeHtml(problemTypeFor(code, base))}</code></dd>
</dl>
<h2>What it means</h2>
<p>${prose(guide.meaning)}</p>
<h2>Typical causes</h2>
<ul>
${guide.causes.map((c) => `<li>${prose(c)}</li>`).join('\n')}
</ul>
<h2>What to do</h2>
<p>${prose(guide.action)}</p>
<p>Every error is an RFC 9457 problem document (<code>application/problem+json</code>) with this <code>type</code>, a <code>detail</code> about the request, and its <code>request_id</code>.</p>`,
  );
}

export function problemIndexHtml(): string {
  const rows = CODES.map(
    (code) => `<tr><td><a href="/problems/${problemSlug(code)}">${escapeHtml(ERROR_TITLES[code])}</a></td><td>${ERROR_STATUS[code]}</td><td><code>${code}</code></td></tr>`,
  );
  return layout(
    'Problem types',
    `<h1>Problem types</h1>
<p>Every error the API answers is an RFC 9457 problem document whose <code>type</code> is one of these pages.</p>
<table>
<thead><tr><th scope="col">Problem</th><th scope="col">Status</th><th scope="col">Code</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`,
  );
}

/** The same documentation as JSON, for Accept: application/json. */
export function problemPageJson(code: ErrorCode, base: string) {
  return { type: problemTypeFor(code, base), code, status: ERROR_STATUS[code], title: ERROR_TITLES[code], ...ERROR_GUIDE[code] };
}

export const problemIndexJson = (base: string) => ({ data: CODES.map((code) => problemPageJson(code, base)) });

// The API reference: Swagger UI, bundled and served from this origin under the same strict
// CSP as the apps. Its defaults fail axe-core; the settings and docs.css below fix that.
import SwaggerUI from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';
import './docs.css';

// Swagger UI has a dark theme keyed on html.dark-mode: follow the system's scheme.
const dark = matchMedia('(prefers-color-scheme: dark)');
const follow = () => document.documentElement.classList.toggle('dark-mode', dark.matches);
follow();
dark.addEventListener('change', follow);

SwaggerUI({
  url: '/openapi.json',
  dom_id: '#ui',
  // Deep links put a link inside each operation's toggle button (nested interactive controls).
  deepLinking: false,
  defaultModelsExpandDepth: 0,
  // Every bundled highlighting theme colours some tokens below AA contrast on its background.
  syntaxHighlight: { activated: false },
  onComplete: () => {
    // The server picker is a <select> whose <label> has no text.
    document.getElementById('servers')?.setAttribute('aria-label', 'Server');
  },
});

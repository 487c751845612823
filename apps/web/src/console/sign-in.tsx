import { useState } from 'preact/hooks';
import { useAction } from '../shared/hooks.js';
import { usePageTitle } from '../shared/page.js';
import { ErrorNotice, ThemeSelect } from '../shared/ui.js';

/** The admin token goes in a password field and is checked against the API before it is kept. */
export function SignIn(props: { notice?: string | undefined; verify: (token: string) => Promise<unknown>; onSignedIn: (token: string) => void }) {
  usePageTitle('Sign in', 'IHF operator console');
  const [token, setToken] = useState('');
  const signIn = useAction(async (candidate: string) => {
    await props.verify(candidate);
    props.onSignedIn(candidate);
  });
  return (
    <main class="centered" id="main">
      <h1>Operator console</h1>
      <p class="status-line">Sign in with the server’s admin token (IHF_ADMIN_TOKEN, or the one a local start printed).</p>
      {props.notice && (
        <div class="notice warn" role="status">
          {props.notice}
        </div>
      )}
      {signIn.error !== undefined && <ErrorNotice error={signIn.error} />}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) void signIn.run(token.trim());
        }}
      >
        <div class="field">
          <label for="admin-token">Admin token</label>
          <input
            id="admin-token"
            type="password"
            autocomplete="current-password"
            required
            value={token}
            onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <button type="submit" disabled={signIn.pending}>
          Sign in
        </button>
      </form>
      <p>
        <ThemeSelect />
      </p>
    </main>
  );
}

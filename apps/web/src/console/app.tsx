import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useMemo, useState } from 'preact/hooks';
import { createClient } from '@ihf/sdk';
import { clientFor } from '../shared/api.js';
import { sessionStore } from '../shared/session.js';
import { SideNav, ThemeSelect, type NavItem } from '../shared/ui.js';
import { ConsumerPage } from './consumer.js';
import { ConsumersPage } from './consumers.js';
import { NotFound } from './not-found.js';
import { OverviewPage } from './overview.js';
import { RequestLogPage } from './request-log.js';
import { ReviewQueuePage } from './review-queue.js';
import { SessionContext, type ConsoleSession } from './session.js';
import { SignIn } from './sign-in.js';
import { WebhooksPage } from './webhooks.js';

const store = sessionStore('ihf-console-token');

export function App() {
  const [token, setToken] = useState<string | null>(store.get());
  const [notice, setNotice] = useState<string | undefined>();

  const session = useMemo((): ConsoleSession | null => {
    if (!token) return null;
    const signOut = (reason?: string) => {
      store.clear();
      setNotice(reason);
      setToken(null);
    };
    // A token refused mid-session (rotated, or the server restarted with another) ends it.
    const client = createClient({
      baseUrl: location.origin,
      apiKey: token,
      maxRetries: 1,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (response.status === 401) signOut('The server refused the admin token. Sign in again.');
        return response;
      },
    });
    return { client, signOut };
  }, [token]);

  if (!session) {
    return (
      <SignIn
        notice={notice}
        verify={(candidate) => clientFor(candidate).admin.consumers.list({ query: { limit: 1 } })}
        onSignedIn={(t) => {
          store.set(t);
          setNotice(undefined);
          setToken(t);
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <LocationProvider scope="/console">
        <Shell onSignOut={() => session.signOut()} />
      </LocationProvider>
    </SessionContext.Provider>
  );
}

const NAV: NavItem[] = [
  { href: '/console', label: 'Overview' },
  { href: '/console/consumers', label: 'Consumers' },
  { href: '/console/webhooks', label: 'Webhooks' },
  { href: '/console/review-queue', label: 'Review queue' },
  { href: '/console/request-log', label: 'Request log' },
];

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { path } = useLocation();
  const current = (href: string) => (href === '/console' ? path === '/console' || path === '/console/' : path.startsWith(href));
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <div class="shell">
        <header class="topbar">
          <span class="brand">
            IHF External API<small>Operator console</small>
          </span>
          <ThemeSelect />
          <button type="button" class="secondary small" onClick={onSignOut}>
            Sign out
          </button>
        </header>
        <SideNav label="Console" items={NAV} current={current} />
        <main id="main" tabIndex={-1}>
          <Router>
            <Route path="/console" component={OverviewPage} />
            <Route path="/console/consumers" component={ConsumersPage} />
            <Route path="/console/consumers/:id" component={ConsumerPage} />
            <Route path="/console/webhooks" component={WebhooksPage} />
            <Route path="/console/review-queue" component={ReviewQueuePage} />
            <Route path="/console/request-log" component={RequestLogPage} />
            <Route default component={NotFound} />
          </Router>
        </main>
      </div>
    </>
  );
}

import type { Me } from '@ihf/contract';
import type { ComponentChildren } from 'preact';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { createClient } from '@ihf/sdk';
import { isUnauthorized } from '../shared/api.js';
import { sessionStore } from '../shared/session.js';
import { ErrorNotice, Loading, SideNav, ThemeSelect, type NavItem } from '../shared/ui.js';
import { EndpointPage } from './endpoint.js';
import { EndpointsPage } from './endpoints.js';
import { EventTypesPage } from './event-types.js';
import { SessionContext, usePortalTitle, useSession, type PortalSession } from './session.js';
import { UsagePage } from './usage.js';

const store = sessionStore('ihf-portal-token');

/**
 * A portal link carries its credential in the fragment (`#token=…`), which never reaches a
 * server log. Keep it for this tab and take it out of the address bar and the history entry.
 */
export function takeTokenFromFragment(): void {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!match) return;
  store.set(decodeURIComponent(match[1]!));
  history.replaceState(history.state, '', location.pathname + location.search);
}

type Phase = { kind: 'checking' } | { kind: 'open'; me: Me } | { kind: 'expired' } | { kind: 'no-link' } | { kind: 'signed-out' } | { kind: 'error'; error: unknown };

export function App() {
  const [token, setToken] = useState(store.get());
  const [phase, setPhase] = useState<Phase>(token ? { kind: 'checking' } : { kind: 'no-link' });

  const client = useMemo(() => {
    if (!token) return null;
    return createClient({
      baseUrl: location.origin,
      apiKey: token,
      maxRetries: 1,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        // Expired or revoked while open: say so instead of showing a failed screen.
        if (response.status === 401) {
          store.clear();
          setPhase({ kind: 'expired' });
        }
        return response;
      },
    });
  }, [token]);

  useEffect(() => {
    if (!client) return;
    client.me.get().then(
      (me) => setPhase({ kind: 'open', me }),
      (error: unknown) => setPhase(isUnauthorized(error) ? { kind: 'expired' } : { kind: 'error', error }),
    );
  }, [client]);

  if (phase.kind === 'checking') return <Centered title="Developer portal"><Loading what="your portal" /></Centered>;
  if (phase.kind === 'no-link') return <NoLink />;
  if (phase.kind === 'expired') return <Expired />;
  if (phase.kind === 'signed-out') return <SignedOut />;
  if (phase.kind === 'error' || !client) {
    return (
      <Centered title="Developer portal">
        <ErrorNotice error={phase.kind === 'error' ? phase.error : undefined} onRetry={() => location.reload()} />
      </Centered>
    );
  }
  const session: PortalSession = {
    client,
    me: phase.me,
    signOut: () => {
      // Ends the credential on the server too, so the link cannot be opened again.
      void client.portalSessions.revokeCurrent().catch(() => undefined);
      store.clear();
      setToken(null);
      setPhase({ kind: 'signed-out' });
    },
  };
  return (
    <SessionContext.Provider value={session}>
      <LocationProvider scope="/portal">
        <Shell />
      </LocationProvider>
    </SessionContext.Provider>
  );
}

function Centered({ title, children }: { title: string; children: ComponentChildren }) {
  usePortalTitle(title);
  return (
    <main class="centered" id="main">
      <h1>{title}</h1>
      {children}
    </main>
  );
}

const WHAT_TO_DO = (
  <p>
    Ask for a new link: the API’s operator creates one in the operator console, and anyone on your team with a key that
    has <code>webhooks:manage</code> can create one with <code>POST /api/v2/portal-sessions</code>.
  </p>
);

function Expired() {
  return (
    <Centered title="This portal link has expired">
      <div class="notice warn" role="alert">
        <strong>This portal link has expired or was revoked.</strong>
        <p>Portal links work for a limited time (an hour unless the person who made it chose otherwise) and end when revoked.</p>
      </div>
      {WHAT_TO_DO}
    </Centered>
  );
}

function NoLink() {
  return (
    <Centered title="Developer portal">
      <p>This page opens from a portal link, which carries your access in the address.</p>
      {WHAT_TO_DO}
    </Centered>
  );
}

function SignedOut() {
  return (
    <Centered title="Signed out">
      <p role="status">You have signed out, and this portal link no longer works.</p>
      {WHAT_TO_DO}
    </Centered>
  );
}

const NAV: NavItem[] = [
  { href: '/portal', label: 'Endpoints' },
  { href: '/portal/event-types', label: 'Event types' },
  { href: '/portal/usage', label: 'Usage' },
];

function Shell() {
  const { me, signOut } = useSession();
  const { path } = useLocation();
  const current = (href: string) => (href === '/portal' ? path === '/portal' || path === '/portal/' || path.startsWith('/portal/endpoints') : path.startsWith(href));
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <div class="shell">
        <header class="topbar">
          <span class="brand">
            {me.consumer.name}
            <small>Developer portal</small>
          </span>
          <ThemeSelect />
          <button type="button" class="secondary small" onClick={signOut}>
            Sign out
          </button>
        </header>
        <SideNav label="Portal" items={NAV} current={current} />
        <main id="main" tabIndex={-1}>
          <Router>
            <Route path="/portal" component={EndpointsPage} />
            <Route path="/portal/endpoints/:id" component={EndpointPage} />
            <Route path="/portal/event-types" component={EventTypesPage} />
            <Route path="/portal/usage" component={UsagePage} />
            <Route default component={EndpointsPage} />
          </Router>
        </main>
      </div>
    </>
  );
}

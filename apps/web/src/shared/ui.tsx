import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { describeError } from './api.js';
import type { Loaded, Paged } from './hooks.js';
import { currentTheme, setTheme, type ThemeChoice } from './theme.js';

/** The loading state: announced politely to screen readers. */
export function Loading({ what }: { what: string }) {
  return (
    <p class="status-line" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** The error state: the problem document's title and detail, and its request id to quote. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const shown = describeError(error);
  return (
    <div class="notice error" role="alert">
      <strong>{shown.title}</strong>
      {shown.detail && <p>{shown.detail}</p>}
      {shown.requestId && (
        <p class="status-line">
          Request id <code>{shown.requestId}</code>
        </p>
      )}
      {onRetry && (
        <p>
          <button type="button" class="secondary small" onClick={onRetry}>
            Try again
          </button>
        </p>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/**
 * Renders a load's three states. Older data stays on screen while a reload runs, so a
 * table does not flash empty on every filter change.
 */
export function Async<T>(props: {
  value: Loaded<T> & { reload?: () => void };
  what: string;
  children: (data: T) => ComponentChildren;
}) {
  const { value } = props;
  if (value.status === 'error') return <ErrorNotice error={value.error} onRetry={value.reload} />;
  if (value.data === undefined) return <Loading what={props.what} />;
  return <>{props.children(value.data)}</>;
}

/** Copies a value to the clipboard and says so. */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [done, setDone] = useState<'copied' | 'failed' | undefined>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setDone('copied');
    } catch {
      setDone('failed');
    }
  };
  return (
    <>
      <button type="button" class="secondary small" onClick={copy}>
        {label}
      </button>
      <span role="status" class="status-line">
        {done === 'copied' ? 'Copied.' : done === 'failed' ? 'Copy failed: select the text and copy it.' : ''}
      </span>
    </>
  );
}

/** A secret shown once, with a copy button and the warning that goes with it. */
export function OneTimeSecret({ label, value, note }: { label: string; value: string; note: string }) {
  return (
    <div class="notice ok" role="status">
      <strong>{label}</strong>
      <p>{note}</p>
      <div class="secret">
        <code aria-label={label}>{value}</code>
        <CopyButton value={value} label="Copy" />
      </div>
    </div>
  );
}

export function ThemeSelect() {
  const [choice, setChoice] = useState<ThemeChoice>(currentTheme());
  return (
    <label class="status-line">
      Colour scheme{' '}
      <select
        value={choice}
        onChange={(e) => {
          const value = (e.currentTarget as HTMLSelectElement).value as ThemeChoice;
          setChoice(value);
          setTheme(value);
        }}
      >
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

/**
 * A paginated list's states: loading, error (with retry), empty, the rows, and a
 * "Load more" button while there are more pages.
 */
export function PagedList<T>(props: { list: Paged<T>; what: string; empty: ComponentChildren; children: (rows: T[]) => ComponentChildren }) {
  const { list } = props;
  if (list.status === 'error') return <ErrorNotice error={list.error} onRetry={list.reload} />;
  if (list.status === 'loading' && list.rows.length === 0) return <Loading what={props.what} />;
  if (list.rows.length === 0) return <Empty>{props.empty}</Empty>;
  return (
    <>
      {props.children(list.rows)}
      {list.nextCursor && (
        <p>
          <button type="button" class="secondary" onClick={list.more} disabled={list.loadingMore}>
            {list.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </p>
      )}
    </>
  );
}

export function StatusBadge({ tone, children }: { tone: 'ok' | 'warn' | 'err' | 'muted'; children: ComponentChildren }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

export interface NavItem {
  href: string;
  label: string;
}

/** The side navigation of an app; `current` says which item the page belongs to (aria-current). */
export function SideNav({ label, items, current }: { label: string; items: NavItem[]; current: (href: string) => boolean }) {
  return (
    <nav class="sidenav" aria-label={label}>
      <ul>
        {items.map((item) => (
          <li key={item.href}>
            <a href={item.href} aria-current={current(item.href) ? 'page' : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

import { useState } from 'preact/hooks';
import { formatTime } from '../shared/format.js';
import { useAction } from '../shared/hooks.js';
import { CopyButton, ErrorNotice } from '../shared/ui.js';
import { useSession } from './session.js';

const LIFETIMES = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 4 * 3600, label: '4 hours' },
  { seconds: 24 * 3600, label: '24 hours' },
];

/** Mints a portal link for the consumer's developers (a short-lived, revocable credential in the fragment). */
export function PortalLink({ consumerId }: { consumerId: string }) {
  const { client } = useSession();
  const [ttl, setTtl] = useState(3600);
  const [link, setLink] = useState<{ url: string; expires_at: string; key_prefix: string } | undefined>();
  const create = useAction(async () => {
    setLink(await client.admin.portalSessions.create({ params: { consumerId }, body: { ttl_seconds: ttl } }));
  });
  return (
    <section aria-labelledby="portal-heading">
      <h2 id="portal-heading">Developer portal</h2>
      <p class="status-line">
        A link that opens the portal for this consumer’s developers: their endpoints, attempts, event types and usage. It
        carries a credential limited to <code>webhooks:manage</code> and <code>usage:read</code>.
      </p>
      {create.error !== undefined && <ErrorNotice error={create.error} />}
      <div class="row">
        <div class="field">
          <label for="portal-ttl">Link lifetime</label>
          <select id="portal-ttl" value={ttl} onChange={(e) => setTtl(Number((e.currentTarget as HTMLSelectElement).value))}>
            {LIFETIMES.map((l) => (
              <option key={l.seconds} value={l.seconds}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
        <button type="button" disabled={create.pending} onClick={() => void create.run()}>
          Create portal link
        </button>
      </div>
      {link && (
        <div class="notice ok" role="status">
          <strong>Portal link, valid until {formatTime(link.expires_at)}</strong>
          <p>Send it to the consumer’s developers over a private channel. Revoke it early by revoking key {link.key_prefix} above.</p>
          <div class="secret">
            <a href={link.url} target="_blank" rel="noopener noreferrer">
              Open the portal
            </a>
            <code aria-label="Portal link">{link.url}</code>
            <CopyButton value={link.url} label="Copy link" />
          </div>
        </div>
      )}
    </section>
  );
}

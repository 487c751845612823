import { SCOPES, type Scope } from '@ihf/contract';
import { useState } from 'preact/hooks';
import { formatTime, localInputToIso } from '../shared/format.js';
import { useAction, usePaged } from '../shared/hooks.js';
import { ErrorNotice, OneTimeSecret, PagedList, StatusBadge } from '../shared/ui.js';
import { useSession } from './session.js';

interface KeyRow {
  id: string;
  name: string | null;
  key_prefix: string;
  scopes: string[];
  token_type: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** A consumer's keys: prefixes only, never a full key except once, right after it is issued. */
export function ConsumerKeys({ consumerId }: { consumerId: string }) {
  const { client } = useSession();
  const [issuing, setIssuing] = useState(false);
  const [issued, setIssued] = useState<{ key: string; prefix: string } | undefined>();
  const keys = usePaged((cursor) => client.admin.keys.list({ params: { consumerId }, query: { limit: 50, cursor } }), [consumerId]);

  return (
    <section aria-labelledby="keys-heading">
      <h2 id="keys-heading">API keys</h2>
      <div class="toolbar">
        <button type="button" aria-expanded={issuing} onClick={() => setIssuing(!issuing)}>
          Issue key
        </button>
      </div>
      {issued && (
        <OneTimeSecret
          label={`New key ${issued.prefix}`}
          value={issued.key}
          note="Copy it now: this is the only time the full key is shown. Only its hash is stored."
        />
      )}
      {issuing && (
        <IssueKeyForm
          consumerId={consumerId}
          onCancel={() => setIssuing(false)}
          onIssued={(key, prefix) => {
            setIssued({ key, prefix });
            setIssuing(false);
            keys.reload();
          }}
        />
      )}
      <PagedList list={keys} what="keys" empty="This consumer has no keys yet.">
        {(rows) => (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">API keys</caption>
              <thead>
                <tr>
                  <th scope="col">Prefix</th>
                  <th scope="col">Name</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((k) => (
                  <KeyRowView key={k.id} consumerId={consumerId} row={k} onChanged={keys.reload} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </PagedList>
    </section>
  );
}

function keyState(k: KeyRow, now = Date.now()) {
  if (k.revoked_at) return <StatusBadge tone="muted">Revoked</StatusBadge>;
  if (k.expires_at && Date.parse(k.expires_at) <= now) return <StatusBadge tone="muted">Expired</StatusBadge>;
  return <StatusBadge tone="ok">Active</StatusBadge>;
}

function KeyRowView({ consumerId, row, onChanged }: { consumerId: string; row: KeyRow; onChanged: () => void }) {
  const { client } = useSession();
  const [confirming, setConfirming] = useState(false);
  const revoke = useAction(async () => {
    await client.admin.keys.revoke({ params: { consumerId, keyId: row.id } });
    setConfirming(false);
    onChanged();
  });
  const live = !row.revoked_at && !(row.expires_at && Date.parse(row.expires_at) <= Date.now());
  return (
    <tr>
      <td>
        <code>{row.key_prefix}</code>
        {row.token_type !== 'static' && <span class="status-line"> ({row.token_type})</span>}
      </td>
      <td>{row.name ?? '—'}</td>
      <td>{row.scopes.join(', ')}</td>
      <td>{formatTime(row.last_used_at)}</td>
      <td>{row.expires_at ? formatTime(row.expires_at) : 'Never'}</td>
      <td>{keyState(row)}</td>
      <td>
        {revoke.error !== undefined && <ErrorNotice error={revoke.error} />}
        {live &&
          (confirming ? (
            <span class="toolbar">
              <span>Calls with {row.key_prefix} will be refused at once.</span>
              <button type="button" class="danger small" disabled={revoke.pending} onClick={() => void revoke.run()}>
                Confirm revoke
              </button>
              <button type="button" class="secondary small" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </span>
          ) : (
            <button type="button" class="danger small" onClick={() => setConfirming(true)}>
              Revoke
            </button>
          ))}
      </td>
    </tr>
  );
}

const ISSUABLE = SCOPES.filter((s) => s !== 'admin');

function IssueKeyForm(props: { consumerId: string; onCancel: () => void; onIssued: (key: string, prefix: string) => void }) {
  const { client } = useSession();
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const issue = useAction(async () => {
    const expiresAt = localInputToIso(expires);
    const created = await client.admin.keys.create({
      params: { consumerId: props.consumerId },
      body: { scopes, ...(name ? { name } : {}), ...(expiresAt ? { expires_at: expiresAt } : {}) },
    });
    props.onIssued(created.key, created.key_prefix);
  });
  const toggle = (scope: Scope, on: boolean) => setScopes((s) => (on ? [...s, scope] : s.filter((x) => x !== scope)));
  return (
    <form
      class="panel"
      aria-labelledby="issue-key-heading"
      onSubmit={(e) => {
        e.preventDefault();
        void issue.run();
      }}
    >
      <h3 id="issue-key-heading">Issue a key</h3>
      {issue.error !== undefined && <ErrorNotice error={issue.error} />}
      <fieldset class="checks">
        <legend>Scopes</legend>
        {ISSUABLE.map((scope) => (
          <label key={scope}>
            <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => toggle(scope, (e.currentTarget as HTMLInputElement).checked)} />
            {scope}
          </label>
        ))}
      </fieldset>
      <div class="row">
        <div class="field">
          <label for="key-name">Name</label>
          <input id="key-name" maxLength={200} value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="key-expires">Expires</label>
          <input id="key-expires" type="datetime-local" value={expires} onInput={(e) => setExpires((e.currentTarget as HTMLInputElement).value)} />
        </div>
      </div>
      <div class="toolbar">
        <button type="submit" disabled={issue.pending || scopes.length === 0}>
          Issue the key
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

import type { WebhookSubscription } from '@ihf/contract';
import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { SubscriptionState } from '../shared/delivery-status.js';
import { formatTime } from '../shared/format.js';
import { useAction, useLoad } from '../shared/hooks.js';
import { Async, ErrorNotice, OneTimeSecret } from '../shared/ui.js';
import { Attempts } from './attempts.js';
import { usePortalTitle, useSession } from './session.js';

export function EndpointPage({ id }: { id: string }) {
  const { client } = useSession();
  const sub = useLoad(() => client.webhookSubscriptions.get({ params: { id } }), [id]);
  // Bumped after a test event or a redelivery, so the attempts list looks for the new attempt.
  const [sent, setSent] = useState(0);
  usePortalTitle(sub.data ? `Endpoint ${sub.data.target_url}` : 'Endpoint');
  return (
    <>
      <p>
        <a href="/portal">← Endpoints</a>
      </p>
      <Async value={sub} what="the endpoint">
        {(s) => (
          <>
            <h1 class="mono">{s.target_url}</h1>
            <dl class="stats">
              <div>
                <dt>Event type</dt>
                <dd class="mono">{s.event_type}</dd>
              </div>
              <div>
                <dt>State</dt>
                <dd>
                  <SubscriptionState sub={s} />
                </dd>
              </div>
              <div>
                <dt>Failures in a row</dt>
                <dd>{s.consecutive_failures}</dd>
              </div>
            </dl>
            <EndpointActions sub={s} onChanged={sub.reload} onSent={() => setSent((n) => n + 1)} />
            <SecretPanel sub={s} />
            <EditEndpoint sub={s} onChanged={sub.reload} />
          </>
        )}
      </Async>
      <Attempts subscriptionId={id} sent={sent} onSent={() => setSent((n) => n + 1)} />
    </>
  );
}

function EndpointActions({ sub, onChanged, onSent }: { sub: WebhookSubscription; onChanged: () => void; onSent: () => void }) {
  const { client } = useSession();
  const { route } = useLocation();
  const [said, setSaid] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const test = useAction(async () => {
    const queued = await client.webhookSubscriptions.test({ params: { id: sub.id } });
    setSaid(`Test event ${queued.message_id} queued: its attempt appears below.`);
    onSent();
  });
  const setActive = useAction(async (active: boolean) => {
    await client.webhookSubscriptions.update({ params: { id: sub.id }, body: { is_active: active } });
    setSaid(active ? 'The endpoint is active again: new events are delivered.' : 'Paused: new events are not delivered until you resume.');
    onChanged();
  });
  const remove = useAction(async () => {
    await client.webhookSubscriptions.delete({ params: { id: sub.id } });
    route('/portal');
  });
  const live = sub.is_active && !sub.disabled_at;
  const error = test.error ?? setActive.error ?? remove.error;
  return (
    <div class="panel">
      {error !== undefined && <ErrorNotice error={error} />}
      {sub.disabled_at && (
        <div class="notice warn">
          <strong>Deliveries stopped {formatTime(sub.disabled_at)}.</strong>
          <p>{sub.disabled_reason ?? 'The endpoint kept failing.'} Fix the receiver, re-enable the endpoint, then recover what was missed.</p>
        </div>
      )}
      <div class="toolbar">
        <button type="button" disabled={!live || test.pending} onClick={() => void test.run()}>
          Send test event
        </button>
        {sub.disabled_at ? (
          <button type="button" class="secondary" disabled={setActive.pending} onClick={() => void setActive.run(true)}>
            Re-enable
          </button>
        ) : sub.is_active ? (
          <button type="button" class="secondary" disabled={setActive.pending} onClick={() => void setActive.run(false)}>
            Pause
          </button>
        ) : (
          <button type="button" class="secondary" disabled={setActive.pending} onClick={() => void setActive.run(true)}>
            Resume
          </button>
        )}
        {confirmDelete ? (
          <>
            <span>Delete this endpoint? Pending deliveries stop; the log is kept.</span>
            <button type="button" class="danger" disabled={remove.pending} onClick={() => void remove.run()}>
              Confirm delete
            </button>
            <button type="button" class="secondary" onClick={() => setConfirmDelete(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        )}
      </div>
      <p role="status" class="status-line">
        {said}
      </p>
    </div>
  );
}

function SecretPanel({ sub }: { sub: WebhookSubscription }) {
  const { client } = useSession();
  const [secret, setSecret] = useState<{ value: string; rotated: boolean } | undefined>();
  const reveal = useAction(async () => {
    const revealed = await client.webhookSubscriptions.revealSecret({ params: { id: sub.id } });
    setSecret({ value: revealed.secret, rotated: false });
  });
  const rotate = useAction(async () => {
    const rotated = await client.webhookSubscriptions.rotateSecret({ params: { id: sub.id } });
    setSecret({ value: rotated.secret, rotated: true });
  });
  const error = reveal.error ?? rotate.error;
  return (
    <section class="panel" aria-labelledby="secret-heading">
      <h2 id="secret-heading">Signing secret</h2>
      {error !== undefined && <ErrorNotice error={error} />}
      {secret && (
        <OneTimeSecret
          label="Current signing secret"
          value={secret.value}
          note={
            secret.rotated
              ? 'The new secret signs from now on; for 24 hours deliveries also carry a signature with the previous one.'
              : 'Keep it secret: anyone who has it can forge webhooks to your endpoint.'
          }
        />
      )}
      {sub.previous_secret_expires_at && <p class="status-line">The previous secret also signs until {formatTime(sub.previous_secret_expires_at)}.</p>}
      <div class="toolbar">
        <button type="button" class="secondary" disabled={reveal.pending} onClick={() => void reveal.run()}>
          Reveal secret
        </button>
        <button type="button" class="secondary" disabled={rotate.pending} onClick={() => void rotate.run()}>
          Rotate secret
        </button>
      </div>
    </section>
  );
}

function EditEndpoint({ sub, onChanged }: { sub: WebhookSubscription; onChanged: () => void }) {
  const { client } = useSession();
  const [url, setUrl] = useState(sub.target_url);
  const [said, setSaid] = useState('');
  const save = useAction(async () => {
    await client.webhookSubscriptions.update({ params: { id: sub.id }, body: { target_url: url } });
    setSaid('Saved.');
    onChanged();
  });
  return (
    <form
      class="panel"
      aria-labelledby="edit-heading"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <h2 id="edit-heading">Edit</h2>
      {save.error !== undefined && <ErrorNotice error={save.error} />}
      <div class="row">
        <div class="field">
          <label for="edit-url">Endpoint URL</label>
          <input id="edit-url" type="url" required size={48} value={url} onInput={(e) => setUrl((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <button type="submit" disabled={save.pending || url === sub.target_url}>
          Save
        </button>
      </div>
      <p role="status" class="status-line">
        {said}
      </p>
    </form>
  );
}

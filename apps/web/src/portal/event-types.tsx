import { useLoad } from '../shared/hooks.js';
import { Async, Empty } from '../shared/ui.js';
import { usePortalTitle, useSession } from './session.js';

/** The webhook catalog: every topic with its payload's JSON Schema and an example body. */
export function EventTypesPage() {
  usePortalTitle('Event types');
  const { client } = useSession();
  const catalog = useLoad(() => client.eventTypes.list(), []);
  return (
    <section aria-labelledby="event-types-heading">
      <h1 id="event-types-heading">Event types</h1>
      <p class="status-line">
        Each delivery is a POST with a JSON body <code>{'{ type, timestamp, data }'}</code> and the Standard Webhooks headers
        <code> webhook-id</code>, <code>webhook-timestamp</code> and <code>webhook-signature</code>.
      </p>
      <Async value={catalog} what="the event catalog">
        {({ data }) =>
          data.length === 0 ? (
            <Empty>The catalog is empty.</Empty>
          ) : (
            data.map((t) => (
              <article key={t.type} class="panel" aria-labelledby={`topic-${t.type}`}>
                <h2 id={`topic-${t.type}`} class="mono">
                  {t.type}
                </h2>
                <p>{t.description}</p>
                <details>
                  <summary>Example payload</summary>
                  <pre tabIndex={0}>{JSON.stringify(t.example, null, 2)}</pre>
                </details>
                <details>
                  <summary>JSON Schema</summary>
                  <pre tabIndex={0}>{JSON.stringify(t.schema, null, 2)}</pre>
                </details>
              </article>
            ))
          )
        }
      </Async>
    </section>
  );
}

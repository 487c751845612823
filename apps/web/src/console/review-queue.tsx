import { useState } from 'preact/hooks';
import { formatTime } from '../shared/format.js';
import { useAction, usePaged } from '../shared/hooks.js';
import { ErrorNotice, PagedList, StatusBadge } from '../shared/ui.js';
import { useConsoleTitle, useSession } from './session.js';

type Decision = 'approve' | 'reject' | 'release';

export function ReviewQueuePage() {
  useConsoleTitle('Review queue');
  const { client } = useSession();
  const [status, setStatus] = useState<'' | 'pending_review' | 'quarantined'>('');
  const candidates = usePaged(
    (cursor) => client.admin.reviewQueue.listCandidates({ query: { limit: 50, cursor, ...(status ? { status } : {}) } }),
    [status],
  );
  const annotations = usePaged((cursor) => client.admin.reviewQueue.listAnnotations({ query: { limit: 50, cursor } }), []);
  const [said, setSaid] = useState('');
  const decided = (list: { reload: () => void }) => (message: string) => {
    setSaid(message);
    list.reload();
  };

  return (
    <>
      <h1>Review queue</h1>
      <p role="status" class="status-line">
        {said}
      </p>
      <section aria-labelledby="candidates-heading">
        <h2 id="candidates-heading">Requirement candidates</h2>
        <div class="toolbar">
          <label for="candidate-status">Show</label>
          <select id="candidate-status" value={status} onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value as typeof status)}>
            <option value="">Awaiting review and quarantined</option>
            <option value="pending_review">Awaiting review</option>
            <option value="quarantined">Quarantined</option>
          </select>
        </div>
        <PagedList list={candidates} what="candidates" empty="Nothing awaits review: every candidate has been decided.">
          {(rows) => (
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">Requirement candidates awaiting a decision</caption>
                <thead>
                  <tr>
                    <th scope="col">Title</th>
                    <th scope="col">Category</th>
                    <th scope="col">State</th>
                    <th scope="col">Submitted</th>
                    <th scope="col">
                      <span class="visually-hidden">Decision</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((c) => (
                    <CandidateRow key={c.id} candidate={c} onDecided={decided(candidates)} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </PagedList>
      </section>
      <section aria-labelledby="annotations-heading">
        <h2 id="annotations-heading">Quarantined annotations</h2>
        <PagedList list={annotations} what="quarantined annotations" empty="No annotation is held in quarantine.">
          {(rows) => (
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">Annotations held by injection screening</caption>
                <thead>
                  <tr>
                    <th scope="col">Text</th>
                    <th scope="col">Injection score</th>
                    <th scope="col">Submitted</th>
                    <th scope="col">
                      <span class="visually-hidden">Decision</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((a) => (
                    <AnnotationRow key={a.id} annotation={a} onDecided={decided(annotations)} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </PagedList>
      </section>
    </>
  );
}

interface CandidateView {
  id: string;
  title: string;
  description: string;
  category: string;
  status: string;
  injection_score: number | null;
  created_at: string;
}

function CandidateRow({ candidate, onDecided }: { candidate: CandidateView; onDecided: (message: string) => void }) {
  const { client } = useSession();
  const decide = useAction(async (decision: Decision) => {
    const args = { params: { candidateId: candidate.id }, body: {} };
    if (decision === 'approve') await client.admin.reviewQueue.approve(args);
    else if (decision === 'reject') await client.admin.reviewQueue.reject(args);
    else await client.admin.reviewQueue.release(args);
    onDecided(`${decision === 'approve' ? 'Approved' : decision === 'reject' ? 'Rejected' : 'Released to review'}: “${candidate.title}”.`);
  });
  const quarantined = candidate.status === 'quarantined';
  return (
    <tr>
      <td>
        <strong>{candidate.title}</strong>
        {candidate.description && <div class="status-line">{candidate.description.slice(0, 240)}</div>}
      </td>
      <td>{candidate.category}</td>
      <td>
        {quarantined ? (
          <StatusBadge tone="warn">Quarantined (score {candidate.injection_score?.toFixed(2) ?? '—'})</StatusBadge>
        ) : (
          <StatusBadge tone="muted">Awaiting review</StatusBadge>
        )}
      </td>
      <td>{formatTime(candidate.created_at)}</td>
      <td>
        {decide.error !== undefined && <ErrorNotice error={decide.error} />}
        <span class="toolbar">
          <button type="button" class="small" disabled={decide.pending} onClick={() => void decide.run('approve')}>
            Approve
          </button>
          <button type="button" class="danger small" disabled={decide.pending} onClick={() => void decide.run('reject')}>
            Reject
          </button>
          {quarantined && (
            <button type="button" class="secondary small" disabled={decide.pending} onClick={() => void decide.run('release')}>
              Release
            </button>
          )}
        </span>
      </td>
    </tr>
  );
}

function AnnotationRow({ annotation, onDecided }: { annotation: { id: string; body: string; injection_score: number | null; created_at: string }; onDecided: (message: string) => void }) {
  const { client } = useSession();
  const release = useAction(async () => {
    await client.admin.reviewQueue.releaseAnnotation({ params: { annotationId: annotation.id }, body: {} });
    onDecided('Annotation released.');
  });
  return (
    <tr>
      <td>{annotation.body.slice(0, 300)}</td>
      <td>{annotation.injection_score?.toFixed(2) ?? '—'}</td>
      <td>{formatTime(annotation.created_at)}</td>
      <td>
        {release.error !== undefined && <ErrorNotice error={release.error} />}
        <button type="button" class="secondary small" disabled={release.pending} onClick={() => void release.run()}>
          Release
        </button>
      </td>
    </tr>
  );
}

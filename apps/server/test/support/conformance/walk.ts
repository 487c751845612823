// Sends cases with bounded concurrency and judges every answer against the spec.
import type { Case } from './cases.js';
import { violation } from './spec.js';

export interface Finding { where: string; status: number; why: string; count: number; example: string }

export interface WalkResult {
  requests: number;
  byClass: Record<string, number>;
  byStatus: Record<string, number>;
  statusesByOp: Map<string, Set<number>>;
  findings: Finding[];
}

async function send(base: string, c: Case): Promise<{ status: number; why: string | null }> {
  try {
    const res = await fetch(base + c.path, { method: c.method, headers: c.headers, body: c.body, signal: AbortSignal.timeout(20_000) });
    const answer = { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text(), headers: res.headers };
    const why = res.status >= 500 && res.status !== 503 ? `server error: ${answer.text.slice(0, 120)}` : violation(c.op, answer);
    return { status: res.status, why };
  } catch (err) {
    return { status: 0, why: `no answer: ${(err as Error).message}` };
  }
}

export async function walk(base: string, cases: Case[], concurrency: number): Promise<WalkResult> {
  const result: WalkResult = { requests: cases.length, byClass: {}, byStatus: {}, statusesByOp: new Map(), findings: [] };
  const findings = new Map<string, Finding>();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        const { status, why } = await send(base, c);
        const cls = status ? `${String(status)[0]}xx` : 'none';
        result.byClass[cls] = (result.byClass[cls] ?? 0) + 1;
        result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
        const where = `${c.op.method} ${c.op.path}`;
        result.statusesByOp.set(where, (result.statusesByOp.get(where) ?? new Set()).add(status));
        if (!why) continue;
        const key = `${where} ${status} ${why}`;
        const f = findings.get(key) ?? { where, status, why, count: 0, example: c.label };
        f.count++;
        findings.set(key, f);
      }
    }),
  );
  result.findings = [...findings.values()];
  return result;
}

/** One line per finding: operation, status, why, how often, and one request that drew it. */
export const describeFindings = (findings: Finding[]) =>
  findings.map((f) => `${f.where} -> ${f.status}: ${f.why} (${f.count}x, e.g. "${f.example}")`);

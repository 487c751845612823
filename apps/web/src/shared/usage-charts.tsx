import type { UsageSeries, WebhookStats } from '@ihf/contract';
import { useMemo } from 'preact/hooks';
import { TimeChart } from './chart.js';
import { formatCount, formatMs, formatPercent, plural } from './format.js';
import type { Loaded } from './hooks.js';
import { Empty, ErrorNotice, Loading } from './ui.js';

/** The buckets and totals every usage series has (a consumer's, or all traffic's). */
type Series = Pick<UsageSeries, 'totals' | 'data'>;

/** Requests by status class and latency p50/p95 from a usage series (console and portal alike). */
export function UsageCharts({ usage, who }: { usage: Loaded<Series> & { reload?: () => void }; who: string }) {
  const charts = useMemo(() => (usage.data ? chartData(usage.data) : undefined), [usage.data]);
  if (usage.status === 'error') return <ErrorNotice error={usage.error} onRetry={usage.reload} />;
  if (!usage.data || !charts) {
    return (
      <figure class="chart">
        <figcaption>Requests by status class</figcaption>
        <Loading what="the usage chart" />
      </figure>
    );
  }
  const { totals } = usage.data;
  if (totals.requests === 0) return <Empty>No requests from {who} in this period: the charts fill in as traffic arrives.</Empty>;
  const errors = totals.status_4xx + totals.status_5xx;
  return (
    <>
      <TimeChart
        title="Requests by status class"
        kind="stacked"
        times={charts.times}
        series={charts.byStatus}
        format={(v) => formatCount(v)}
        summary={
          `${plural(totals.requests, 'request')}: ${formatCount(totals.status_2xx)} succeeded (2xx), ` +
          `${formatCount(totals.status_4xx)} client errors (4xx, ${formatCount(totals.rate_limited)} of them 429), ` +
          `${formatCount(totals.status_5xx)} server errors (5xx); error rate ${formatPercent(errors, totals.requests)}.`
        }
      />
      <TimeChart
        title="Latency p50 and p95"
        kind="lines"
        times={charts.times}
        series={charts.latency}
        format={(v) => formatMs(v)}
        summary={`Over the period, half of the requests were answered within ${formatMs(totals.latency_ms.p50)} and 95 % within ${formatMs(totals.latency_ms.p95)}.`}
      />
    </>
  );
}

function chartData(series: Series) {
  const times = series.data.map((b) => b.period_start);
  return {
    times,
    byStatus: [
      { label: '2xx', tone: '2xx' as const, values: series.data.map((b) => b.status_2xx) },
      { label: '3xx', tone: '3xx' as const, values: series.data.map((b) => b.status_3xx) },
      { label: '4xx', tone: '4xx' as const, values: series.data.map((b) => b.status_4xx) },
      { label: '5xx', tone: '5xx' as const, values: series.data.map((b) => b.status_5xx) },
    ],
    latency: [
      { label: 'p50', tone: 'p50' as const, values: series.data.map((b) => b.latency_ms.p50) },
      { label: 'p95', tone: 'p95' as const, values: series.data.map((b) => b.latency_ms.p95) },
    ],
  };
}

/** The share of webhook attempts answered with a 2xx, hour by hour. */
export function WebhookSuccessChart({ stats, who }: { stats: Loaded<WebhookStats> & { reload?: () => void }; who: string }) {
  const series = useMemo(
    () =>
      stats.data
        ? {
            times: stats.data.data.map((b) => b.period_start),
            rate: [{ label: 'Success rate', tone: 'ok' as const, values: stats.data.data.map((b) => (b.success_rate === null ? null : b.success_rate * 100)) }],
          }
        : undefined,
    [stats.data],
  );
  if (stats.status === 'error') return <ErrorNotice error={stats.error} onRetry={stats.reload} />;
  if (!stats.data || !series) {
    return (
      <figure class="chart">
        <figcaption>Webhook success rate</figcaption>
        <Loading what="the webhook chart" />
      </figure>
    );
  }
  const { totals } = stats.data;
  if (totals.attempts === 0) return <Empty>No webhook attempts to {who} in this period.</Empty>;
  return (
    <TimeChart
      title="Webhook success rate"
      kind="lines"
      times={series.times}
      series={series.rate}
      yMax={100}
      format={(v) => (v === null ? '—' : `${Math.round(v)} %`)}
      summary={`${plural(totals.attempts, 'attempt')}: ${formatCount(totals.delivered)} delivered (2xx), ${formatCount(totals.failed)} failed; success rate ${formatPercent(totals.delivered, totals.attempts)}.`}
    />
  );
}

import type { UsageSeries } from '@ihf/contract';
import { useMemo } from 'preact/hooks';
import { TimeChart } from './chart.js';
import { formatCount, formatMs, formatPercent } from './format.js';
import type { Loaded } from './hooks.js';
import { Empty, ErrorNotice, Loading } from './ui.js';

/** Requests by status class and latency p50/p95 from a usage series (console and portal alike). */
export function UsageCharts({ usage, who }: { usage: Loaded<UsageSeries> & { reload?: () => void }; who: string }) {
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
          `${formatCount(totals.requests)} requests: ${formatCount(totals.status_2xx)} succeeded (2xx), ` +
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

function chartData(series: UsageSeries) {
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

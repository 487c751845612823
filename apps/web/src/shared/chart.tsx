import { useEffect, useRef } from 'preact/hooks';
import uPlot, { type AlignedData, type Options, type Series } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatHour } from './format.js';
import { useSchemeVersion } from './theme.js';

/** A colour of the palette in styles.css (--chart-<tone>), so both schemes have their own. */
export type Tone = '2xx' | '3xx' | '4xx' | '5xx' | 'p50' | 'p95' | 'ok';

export interface ChartSeries {
  label: string;
  tone: Tone;
  values: (number | null)[];
}

export interface TimeChartProps {
  title: string;
  /** Bucket start times (ISO), oldest first. */
  times: string[];
  series: ChartSeries[];
  /** stacked: bars stacked per bucket (counts); lines: one line per series (rates, latencies). */
  kind: 'stacked' | 'lines';
  /** How a value reads in the table and the axis. */
  format: (v: number | null) => string;
  /** One or two sentences that say what the chart shows, for everyone who cannot see it. */
  summary: string;
  yMax?: number;
}

/** Resolves the palette's colours as the page shows them now (light-dark() is resolved by the browser). */
function resolveColour(tone: string): string {
  const probe = document.createElement('span');
  probe.className = `probe s-${tone}`;
  document.body.append(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}

/**
 * A time-series chart (uPlot on a canvas) with its text alternative: a summary the canvas
 * is labelled with, and the same numbers as a table.
 */
export function TimeChart(props: TimeChartProps) {
  const target = useRef<HTMLDivElement>(null);
  const scheme = useSchemeVersion();

  useEffect(() => {
    const el = target.current;
    if (!el) return;
    const x = props.times.map((t) => Date.parse(t) / 1000);
    const step = x.length > 1 ? x[1]! - x[0]! : 3600;
    // Stacked bars: each series is drawn as the running total up to it, the tallest first,
    // so every class shows as its own band; the table and summary keep the raw numbers.
    const drawn = props.kind === 'stacked' ? stack(props.series.map((s) => s.values)) : props.series.map((s) => s.values);
    const order = props.kind === 'stacked' ? [...props.series.keys()].reverse() : [...props.series.keys()];
    const grid = resolveColour('grid');
    const axis = resolveColour('axis');
    const series: Series[] = [
      {},
      ...order.map((i): Series => {
        const s = props.series[i]!;
        const colour = resolveColour(s.tone);
        return props.kind === 'stacked'
          ? { label: s.label, stroke: colour, fill: colour, width: 0, paths: uPlot.paths.bars!({ size: [0.7, 48] }), points: { show: false } }
          : { label: s.label, stroke: colour, width: 2, points: { show: true, size: 6, fill: colour }, spanGaps: false };
      }),
    ];
    const opts: Options = {
      width: Math.max(el.clientWidth, 280),
      height: 240,
      series,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        // Half a bucket of room at each end, so the first and last bars (the current hour) show whole.
        x: { time: true, range: (_u, min, max) => [min - step / 2, max + step / 2] },
        y: { range: (_u, _min, max) => [0, props.yMax ?? (max || 1) * 1.1] },
      },
      axes: [
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 60, values: (_u, splits) => splits.map((v) => props.format(v)) },
      ],
    };
    const data = [x, ...order.map((i) => drawn[i]!)] as AlignedData;
    const plot = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 280), height: 240 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.times, props.series, props.kind, scheme]);

  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={target} class="chart-canvas" role="img" aria-label={`${props.title}. ${props.summary}`} />
      <ul class="legend" aria-hidden="true">
        {props.series.map((s) => (
          <li key={s.label}>
            <span class={`swatch s-${s.tone}`} />
            {s.label}
          </li>
        ))}
      </ul>
      <p class="chart-summary">{props.summary}</p>
      <details>
        <summary>Show the numbers as a table</summary>
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{props.title}</caption>
            <thead>
              <tr>
                <th scope="col">Period starting</th>
                {props.series.map((s) => (
                  <th scope="col" class="num" key={s.label}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.times.map((t, row) => (
                <tr key={t}>
                  <th scope="row">{formatHour(t)}</th>
                  {props.series.map((s) => (
                    <td class="num" key={s.label}>
                      {props.format(s.values[row] ?? null)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** Running totals across series, bucket by bucket (null counts as 0). */
function stack(values: (number | null)[][]): number[][] {
  const out: number[][] = [];
  values.forEach((series, i) => out.push(series.map((v, j) => (v ?? 0) + (i > 0 ? out[i - 1]![j]! : 0))));
  return out;
}

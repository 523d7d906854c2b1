/** A uPlot time-series chart that follows the container's width and the theme. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  /** One value per x (null: no data). */
  readonly values: (number | null)[];
}

export interface ChartProps {
  readonly title: string;
  /** Epoch seconds. */
  readonly x: number[];
  readonly series: readonly ChartSeries[];
  readonly dark: boolean;
  readonly unit?: string;
  readonly height?: number;
}

export function Chart({ title, x, series, dark, unit, height = 220 }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const axis = dark ? '#c9d1d9' : '#24292f';
    const grid = dark ? '#30363d' : '#e4e7eb';
    const plot = new uPlot(
      {
        width: Math.max(el.clientWidth, 200),
        height,
        legend: { show: true },
        cursor: { drag: { x: true, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [
          { stroke: axis, grid: { stroke: grid }, ticks: { stroke: grid } },
          {
            stroke: axis,
            grid: { stroke: grid },
            ticks: { stroke: grid },
            size: 56,
            values: (_u, vals) => vals.map((v) => `${v}${unit ?? ''}`),
          },
        ],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            fill: `${s.color}22`,
            points: { show: x.length < 80 },
            spanGaps: false,
          })),
        ],
      },
      [x, ...series.map((s) => s.values)],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 200), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [x, series, dark, unit, height]);
  return <figure className="chart" ref={host} aria-label={title} />;
}

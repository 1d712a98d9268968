// Chart.js, bundled and registered with only the pieces used (no CDN, no eval, no inline styles).
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { h } from '../dom';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);
Chart.defaults.color = '#c9d1d9';
Chart.defaults.borderColor = 'rgba(255,255,255,0.1)';

// Charts alive on the current page; the router destroys them when the page changes.
const live = new Set<Chart>();

export function destroyCharts(): void {
  for (const c of live) c.destroy();
  live.clear();
}

export function chart(config: ChartConfiguration, label: string, testid?: string): HTMLElement {
  const canvas = h('canvas', { role: 'img', 'aria-label': label, 'data-testid': testid ?? null });
  const wrap = h('div', { class: 'chart-wrap' }, canvas);
  // Created once the canvas is in the document, so Chart.js can measure it.
  queueMicrotask(() => {
    requestAnimationFrame(() => {
      if (!canvas.isConnected) return;
      live.add(new Chart(canvas, { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } }));
    });
  });
  return wrap;
}

// Viridis-like colours that stay apart for colour-blind viewers.
export const SERIES_COLOURS = ['#3b528b', '#21918c', '#5ec962', '#fde725', '#440154'];

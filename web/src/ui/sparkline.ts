// A rating history as a small inline SVG line (no inline styles: the colour comes from app.css).
const SVG = 'http://www.w3.org/2000/svg';

// Pure: the polyline points for values in a width × height box (1 px margin), oldest on the left;
// a flat history is a line through the middle. "" for no values.
export function sparklinePoints(values: readonly number[], width: number, height: number): string {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return '';
  const lo = Math.min(...v), hi = Math.max(...v);
  const step = v.length > 1 ? (width - 2) / (v.length - 1) : 0;
  const y = (x: number) => (hi === lo ? height / 2 : 1 + ((hi - x) / (hi - lo)) * (height - 2));
  const pts = v.map((x, i) => `${(1 + i * step).toFixed(1)},${y(x).toFixed(1)}`);
  return pts.length === 1 ? `${pts[0]} ${(width - 1).toFixed(1)},${y(v[0]).toFixed(1)}` : pts.join(' ');
}

export function sparkline(values: readonly number[], label: string, width = 96, height = 24): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'sparkline');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', sparklinePoints(values, width, height));
  line.setAttribute('fill', 'none');
  svg.append(line);
  return svg;
}

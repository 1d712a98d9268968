// Pure: the ISO weekday × hour grid (rows Monday..Sunday, columns 0..23) from API cells.
export interface Cell { weekday: number; hour: number; battles: number }

export interface Grid { rows: number[][]; max: number; total: number }

export function toGrid(cells: readonly Cell[]): Grid {
  const rows = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  let max = 0;
  let total = 0;
  for (const c of cells) {
    if (!Number.isInteger(c.weekday) || c.weekday < 1 || c.weekday > 7 || !Number.isInteger(c.hour) || c.hour < 0 || c.hour > 23) continue;
    rows[c.weekday - 1][c.hour] += c.battles;
  }
  for (const r of rows)
    for (const v of r) {
      total += v;
      if (v > max) max = v;
    }
  return { rows, max, total };
}

// A colour-blind-safe sequential palette (viridis stops); 0 has its own neutral colour.
export const PALETTE = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];

export function colourOf(v: number, max: number): string | null {
  if (v <= 0 || max <= 0) return null;
  const i = Math.min(PALETTE.length - 1, Math.floor((v / max) * PALETTE.length - 1e-9));
  return PALETTE[Math.max(0, i)];
}

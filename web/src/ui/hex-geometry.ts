// Pure geometry of the battlefield (dashboard.md D§5.3): a 50 × 28 grid of 36 × 19 hexes, even
// rows shifted by half a hex, rows 14.25 px apart; border cells are the exit zone.
export const COLS = 50;
export const ROWS = 28;
export const HEX_W = 36;
export const HEX_H = 19;
export const ROW_STEP = HEX_H * 0.75;

export const CANVAS_W = COLS * HEX_W + HEX_W / 2;
export const CANVAS_H = (ROWS - 1) * ROW_STEP + HEX_H;

export function hexOrigin(x: number, y: number): { left: number; top: number } {
  return { left: x * HEX_W + ((y + 1) % 2) * (HEX_W / 2), top: y * ROW_STEP };
}

export function isBorder(x: number, y: number): boolean {
  return y === 0 || y === ROWS - 1 || x === 0 || x === COLS - 1;
}

export function hexLabel(x: number, y: number): string {
  if (y === 0) return `AA${x}`;
  if (y === ROWS - 1) return `ZZ${x}`;
  return `${String.fromCharCode(65 + y - 1)}${x}`;
}

export type Terrain = 'ground' | 'wall' | 'wall_window' | 'stone' | 'bush' | 'stump' | 'sandbag' | 'hedgehog' | 'tree' | 'impassable';

// The named types are tested before the A–O range (the reference made them unreachable, D§5.3).
export function tokenType(token: string): Terrain {
  switch (token[0]) {
    case 'D': return 'wall';
    case 'C': return 'wall_window';
    case 'B': return 'stone';
    case 'L': return 'bush';
    case 'K': return 'stump';
    case 'P': return 'sandbag';
    case 'Z': return 'hedgehog';
    case 'R': return 'tree';
  }
  const c = token.charCodeAt(0);
  return c >= 0x41 && c <= 0x4f ? 'ground' : 'impassable';
}

export interface TerrainCell { x: number; y: number; token: string; type: Terrain }

// <MAP v="…"> rows: the token at (column i, line j) goes to hex (i + 1, j + 1).
export function terrainCells(rows: readonly string[]): TerrainCell[] {
  const out: TerrainCell[] = [];
  rows.forEach((row, j) => {
    for (let i = 0; i < row.length; i++) {
      const x = i + 1;
      const y = j + 1;
      if (x >= COLS || y >= ROWS) continue;
      out.push({ x, y, token: row[i], type: tokenType(row[i]) });
    }
  });
  return out;
}

// Game coordinates (bx, by) of a unit or object → its hex.
export function entityHex(bx: number, by: number): { x: number; y: number } {
  return { x: Math.floor(bx - (24 - by) / 2 + 1), y: by + 1 };
}

export interface RawElement { tag: string; attrs: Record<string, string> }
export interface Entity { kind: 'player' | 'monster' | 'object'; name: string; x: number; y: number; detail: string }

// Units and objects of the <BATTLE> header of a raw log (already split into elements).
export function entitiesOf(elements: readonly RawElement[]): Entity[] {
  const out: Entity[] = [];
  for (const e of elements) {
    const bx = Number(e.attrs.bx);
    const by = Number(e.attrs.by);
    if (!Number.isFinite(bx) || !Number.isFinite(by) || e.attrs.bx === undefined || e.attrs.by === undefined) continue;
    const { x, y } = entityHex(bx, by);
    if (e.tag === 'USER') {
      const login = e.attrs.login ?? '';
      const hp = e.attrs.HP !== undefined ? ` HP ${e.attrs.HP}/${e.attrs.maxHP ?? '?'}` : '';
      out.push({ kind: login.startsWith('$') ? 'monster' : 'player', name: login, x, y, detail: `L${e.attrs.level ?? '?'}${hp}` });
    } else if (e.tag === 'O') {
      out.push({ kind: 'object', name: e.attrs.txt ?? e.attrs.name ?? e.attrs.id ?? '', x, y, detail: e.attrs.count ? `× ${e.attrs.count}` : '' });
    }
  }
  return out;
}

// The hex under a point of the canvas (in canvas pixels), or undefined outside the grid.
export function hexAt(px: number, py: number): { x: number; y: number } | undefined {
  let best: { x: number; y: number; d: number } | undefined;
  const approxY = Math.round((py - HEX_H / 2) / ROW_STEP);
  for (let y = approxY - 1; y <= approxY + 1; y++) {
    if (y < 0 || y >= ROWS) continue;
    const shift = ((y + 1) % 2) * (HEX_W / 2);
    const approxX = Math.round((px - shift - HEX_W / 2) / HEX_W);
    for (let x = approxX - 1; x <= approxX + 1; x++) {
      if (x < 0 || x >= COLS) continue;
      const o = hexOrigin(x, y);
      const dx = px - (o.left + HEX_W / 2);
      const dy = (py - (o.top + HEX_H / 2)) * (HEX_W / HEX_H);
      const d = dx * dx + dy * dy;
      if (!best || d < best.d) best = { x, y, d };
    }
  }
  return best && best.d <= (HEX_W * 0.6) ** 2 ? { x: best.x, y: best.y } : undefined;
}

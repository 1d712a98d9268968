// The battlefield on a <canvas>: terrain from the battle's map rows, units and objects from the
// raw log's <BATTLE> header (parsed with DOMParser as XML data, never inserted into the page).
import { h } from '../dom';
import { t } from '../i18n';
import {
  CANVAS_H, CANVAS_W, COLS, HEX_H, HEX_W, ROWS, entitiesOf, hexAt, hexLabel, hexOrigin, isBorder, terrainCells,
  type Entity, type RawElement, type Terrain, type TerrainCell,
} from './hex-geometry';

const TERRAIN_COLOURS: Record<Terrain, string> = {
  ground: '#2b3a2e', wall: '#8d8d8d', wall_window: '#b0b0b0', stone: '#6b5e4f', bush: '#3f7d3a', stump: '#7a5230',
  sandbag: '#a48a5b', hedgehog: '#5a5a72', tree: '#1f5f2a', impassable: '#3a2a2a',
};
const ENTITY_COLOURS: Record<Entity['kind'], string> = { player: '#4ea1ff', monster: '#ff6b57', object: '#ffd23f' };

export function rawElements(xml: string): RawElement[] {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length > 0) return [];
  const battle = doc.getElementsByTagName('BATTLE')[0];
  if (!battle) return [];
  const out: RawElement[] = [];
  for (const el of Array.from(battle.children)) {
    const attrs: Record<string, string> = {};
    for (const a of Array.from(el.attributes)) attrs[a.name] = a.value;
    out.push({ tag: el.tagName, attrs });
  }
  return out;
}

function hexPath(ctx: CanvasRenderingContext2D, left: number, top: number): void {
  ctx.beginPath();
  ctx.moveTo(left + HEX_W / 2, top);
  ctx.lineTo(left + HEX_W, top + HEX_H / 4);
  ctx.lineTo(left + HEX_W, top + (3 * HEX_H) / 4);
  ctx.lineTo(left + HEX_W / 2, top + HEX_H);
  ctx.lineTo(left, top + (3 * HEX_H) / 4);
  ctx.lineTo(left, top + HEX_H / 4);
  ctx.closePath();
}

export function hexMap(mapRows: readonly string[], entities: Entity[]): HTMLElement {
  const canvas = h('canvas', { class: 'hexmap', 'data-testid': 'hexmap', role: 'img', 'aria-label': t('battle.map') });
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.ceil(CANVAS_W * ratio);
  canvas.height = Math.ceil(CANVAS_H * ratio);
  const info = h('div', { class: 'hex-info', 'aria-live': 'polite' }, t('battle.map_hint'));
  const terrain = new Map<string, TerrainCell>();
  for (const c of terrainCells(mapRows)) terrain.set(`${c.x},${c.y}`, c);
  const ctx = canvas.getContext('2d');
  if (ctx) {
    ctx.scale(ratio, ratio);
    for (let y = 0; y < ROWS; y++)
      for (let x = 0; x < COLS; x++) {
        const o = hexOrigin(x, y);
        const cell = terrain.get(`${x},${y}`);
        hexPath(ctx, o.left, o.top);
        ctx.fillStyle = isBorder(x, y) ? '#1d2430' : cell ? TERRAIN_COLOURS[cell.type] : '#161b22';
        ctx.fill();
        ctx.strokeStyle = '#0d1117';
        ctx.lineWidth = 1;
        ctx.stroke();
      }
    for (const e of entities) {
      if (e.x < 0 || e.x >= COLS || e.y < 0 || e.y >= ROWS) continue;
      const o = hexOrigin(e.x, e.y);
      ctx.beginPath();
      ctx.arc(o.left + HEX_W / 2, o.top + HEX_H / 2, e.kind === 'object' ? 4 : 7, 0, Math.PI * 2);
      ctx.fillStyle = ENTITY_COLOURS[e.kind];
      ctx.fill();
      ctx.strokeStyle = '#000';
      ctx.stroke();
    }
  }
  canvas.addEventListener('mousemove', (ev) => {
    const r = canvas.getBoundingClientRect();
    const px = ((ev.clientX - r.left) / r.width) * CANVAS_W;
    const py = ((ev.clientY - r.top) / r.height) * CANVAS_H;
    const hex = hexAt(px, py);
    if (!hex) return;
    const cell = terrain.get(`${hex.x},${hex.y}`);
    const here = entities.filter((e) => e.x === hex.x && e.y === hex.y).map((e) => `${e.name} ${e.detail}`.trim());
    info.textContent = [
      hexLabel(hex.x, hex.y),
      isBorder(hex.x, hex.y) ? t('battle.exit_zone') : cell ? `${cell.token} (${t(`terrain.${cell.type}`)})` : '',
      ...here,
    ].filter(Boolean).join(' · ');
  });
  const legend = h(
    'div',
    { class: 'hex-legend' },
    (Object.keys(ENTITY_COLOURS) as Entity['kind'][]).map((k) => {
      const s = h('span', { class: 'swatch round' });
      s.style.backgroundColor = ENTITY_COLOURS[k];
      return h('span', { class: 'legend-item' }, s, t(`entity.${k}`), ` (${entities.filter((e) => e.kind === k).length})`);
    }),
  );
  return h('div', { class: 'hexmap-wrap' }, h('div', { class: 'hexmap-scroll' }, canvas), info, legend);
}

export { entitiesOf };

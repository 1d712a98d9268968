import { describe, expect, it } from 'vitest';
import { entitiesOf, entityHex, hexAt, hexLabel, hexOrigin, isBorder, terrainCells, tokenType } from '../src/ui/hex-geometry';
import { colourOf, toGrid } from '../src/ui/heatmap-grid';
import { appPath, matchRoute } from '../src/router';
import { safeNext } from '../src/pages/login';

describe('hex battlefield geometry (D§5.3)', () => {
  it('places hexes with even rows shifted by half a hex', () => {
    expect(hexOrigin(0, 0)).toEqual({ left: 18, top: 0 });
    expect(hexOrigin(2, 1)).toEqual({ left: 72, top: 14.25 });
  });
  it('labels rows and finds the exit zone', () => {
    expect(hexLabel(5, 0)).toBe('AA5');
    expect(hexLabel(5, 27)).toBe('ZZ5');
    expect(hexLabel(3, 1)).toBe('A3');
    expect(hexLabel(3, 26)).toBe('Z3');
    expect(isBorder(0, 5)).toBe(true);
    expect(isBorder(49, 5)).toBe(true);
    expect(isBorder(5, 5)).toBe(false);
  });
  it('tests the named terrain types before the A–O range', () => {
    expect(tokenType('D')).toBe('wall');
    expect(tokenType('B')).toBe('stone');
    expect(tokenType('L')).toBe('bush');
    expect(tokenType('A')).toBe('ground');
    expect(tokenType('O')).toBe('ground');
    expect(tokenType('R')).toBe('tree');
    expect(tokenType('X')).toBe('impassable');
  });
  it('puts map tokens at (i + 1, j + 1)', () => {
    const cells = terrainCells(['AB', 'D']);
    expect(cells).toEqual([
      { x: 1, y: 1, token: 'A', type: 'ground' },
      { x: 2, y: 1, token: 'B', type: 'stone' },
      { x: 1, y: 2, token: 'D', type: 'wall' },
    ]);
  });
  it('maps game coordinates to hexes and reads units and objects', () => {
    expect(entityHex(24, 6)).toEqual({ x: 16, y: 7 });
    expect(entityHex(13, 17)).toEqual({ x: 10, y: 18 });
    const es = entitiesOf([
      { tag: 'USER', attrs: { login: 'Killer37', level: '22', HP: '540', maxHP: '540', bx: '24', by: '6' } },
      { tag: 'USER', attrs: { login: '$rat', bx: '1', by: '1' } },
      { tag: 'O', attrs: { txt: 'Metals', count: '19', bx: '25', by: '3' } },
      { tag: 'USER', attrs: { login: 'NoPos' } },
    ]);
    expect(es.map((e) => [e.kind, e.name])).toEqual([['player', 'Killer37'], ['monster', '$rat'], ['object', 'Metals']]);
    expect(es[0].detail).toBe('L22 HP 540/540');
  });
  it('finds the hex under a point', () => {
    const o = hexOrigin(10, 5);
    expect(hexAt(o.left + 18, o.top + 9.5)).toEqual({ x: 10, y: 5 });
    expect(hexAt(-100, -100)).toBeUndefined();
  });
});

describe('heatmap grid', () => {
  it('places ISO weekdays Monday first and sums', () => {
    const g = toGrid([{ weekday: 1, hour: 0, battles: 2 }, { weekday: 7, hour: 23, battles: 5 }, { weekday: 8, hour: 0, battles: 9 }]);
    expect(g.rows[0][0]).toBe(2);
    expect(g.rows[6][23]).toBe(5);
    expect(g.total).toBe(7);
    expect(g.max).toBe(5);
  });
  it('colours zero apart from the scale', () => {
    expect(colourOf(0, 5)).toBeNull();
    expect(colourOf(5, 5)).toBe('#fde725');
    expect(colourOf(1, 5)).toBe('#440154');
  });
});

describe('router', () => {
  it('matches patterns with parameters', () => {
    const routes = ['/', '/battles', '/battles/:id', '/players/:login'];
    expect(matchRoute(routes, '/')).toEqual({ route: '/', params: {} });
    expect(matchRoute(routes, '/battles/42')).toEqual({ route: '/battles/:id', params: { id: '42' } });
    expect(matchRoute(routes, '/players/%D0%9A%D1%81%D0%B5%D0%BD%D0%B8%D1%8F')?.params.login).toBe('Ксения');
    expect(matchRoute(routes, '/nope')).toBeUndefined();
    expect(matchRoute(routes, '/players/%E0%A4%A')).toBeUndefined();
  });
  it('strips the /ui base', () => {
    expect(appPath('/ui/')).toBe('/');
    expect(appPath('/ui')).toBe('/');
    expect(appPath('/ui/battles/1')).toBe('/battles/1');
  });
  it('follows only in-app paths after login', () => {
    expect(safeNext('/ui/battles?x=1')).toBe('/ui/battles?x=1');
    expect(safeNext('https://evil.example/')).toBe('/ui/');
    expect(safeNext('//evil.example/ui/')).toBe('/ui/');
    expect(safeNext(null)).toBe('/ui/');
  });
});

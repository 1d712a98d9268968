import { describe, expect, it } from 'vitest';
import { apiQuery, flt, int, oneOf, parseState, stateToQuery, str } from '../src/url-state';

const schema = {
  player: str('', 10),
  days: int(7, 1, 365),
  min_score: flt(0, 0, 1),
  kind: oneOf(['', 'pvp', 'pve'], ''),
  turn: int(null, 0),
};

describe('url state', () => {
  it('parses typed values and falls back to defaults', () => {
    expect(parseState('?player=Ghost8&days=30&min_score=0.5&kind=pvp&turn=3', schema)).toEqual({ player: 'Ghost8', days: 30, min_score: 0.5, kind: 'pvp', turn: 3 });
    expect(parseState('', schema)).toEqual({ player: '', days: 7, min_score: 0, kind: '', turn: null });
  });
  it('refuses malformed and out-of-range values', () => {
    const s = parseState('?days=abc&min_score=2&kind=raid&turn=1.5&player=waytoolongforit', schema);
    expect(s).toEqual({ player: '', days: 7, min_score: 0, kind: '', turn: null });
    expect(parseState('?days=0', schema).days).toBe(7);
    expect(parseState('?days=', schema).days).toBe(7);
  });
  it('writes only what differs from the defaults, in schema order', () => {
    expect(stateToQuery({ player: 'A b', days: 7, min_score: 0.7, kind: '', turn: null }, schema)).toBe('?player=A+b&min_score=0.7');
    expect(stateToQuery({ days: 7 }, schema)).toBe('');
  });
  it('round-trips', () => {
    const s = { player: 'Ксения', days: 90, min_score: 0.3, kind: 'pve', turn: 0 };
    expect(parseState(stateToQuery(s, schema), schema)).toEqual(s);
  });
  it('builds API queries without empty values', () => {
    expect(apiQuery({ days: 7, until: undefined, tz: '', q: 'a&b', flag: false })).toBe('?days=7&q=a%26b&flag=false');
    expect(apiQuery({})).toBe('');
  });
});

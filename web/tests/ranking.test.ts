import { describe, expect, it } from 'vitest';
import type { ChurnRow } from '../src/api/types';
import { csvCell, csvText } from '../src/ui/csv';
import { churnCsv, rankLabel, riskOf } from '../src/ui/ranking';
import { sparklinePoints } from '../src/ui/sparkline';

const row = (o: Partial<ChurnRow>): ChurnRow => ({
  rank: 1, login: 'Anna', churn_score: 0.5, risk: 'medium', activity_drop: 0.5, inactivity: 0.2, days_since_last_battle: 1,
  last_battle_at: '2025-10-02T10:00:00Z', battles: 6, battles_first_half: 4, battles_second_half: 2, is_bot: null, detection: null,
  playstyle: null, playstyle_display_name: null, playstyle_display_name_en: null, ...o,
});

describe('csv', () => {
  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(NaN)).toBe('');
    expect(csvCell(false)).toBe('false');
  });
  it('defuses spreadsheet formulas in text but keeps negative numbers', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell(-3.5)).toBe('-3.5');
  });
  it('ends every record with CRLF', () => {
    expect(csvText(['a', 'b'], [[1, 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n');
  });
  it('exports the churn rows with the API values', () => {
    const text = churnCsv([row({ login: 'Ив,ан', is_bot: true, playstyle: 'safe_farmer' })]);
    const lines = text.split('\r\n');
    expect(lines[0].split(',')).toHaveLength(13);
    expect(lines[1]).toBe('1,"Ив,ан",0.5,medium,0.5,0.2,1,2025-10-02T10:00:00Z,6,4,2,true,safe_farmer');
    expect(lines[2]).toBe('');
  });
});

describe('ranking', () => {
  it('gives medals to the first three', () => {
    expect(rankLabel(1)).toBe('🥇');
    expect(rankLabel(3)).toBe('🥉');
    expect(rankLabel(4)).toBe('4');
  });
  it('bands churn scores as the server does', () => {
    expect(riskOf(0.7)).toBe('high');
    expect(riskOf(0.69)).toBe('medium');
    expect(riskOf(0.4)).toBe('medium');
    expect(riskOf(0.39)).toBe('low');
  });
});

describe('sparkline', () => {
  it('maps the lowest value to the bottom and the highest to the top', () => {
    expect(sparklinePoints([1000, 1016, 998], 11, 12)).toBe('1.0,9.9 5.5,1.0 10.0,11.0') // step 4.5; y = 1 + (1016 − v) / 18 · 10;
  });
  it('draws a flat or single history through the middle and nothing for none', () => {
    expect(sparklinePoints([5, 5], 10, 10)).toBe('1.0,5.0 9.0,5.0');
    expect(sparklinePoints([7], 10, 10)).toBe('1.0,5.0 9.0,5.0');
    expect(sparklinePoints([], 10, 10)).toBe('');
  });
});

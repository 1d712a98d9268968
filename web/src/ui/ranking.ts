// Pure helpers of the Ratings and Churn pages (no DOM, unit-tested).
import type { ChurnRisk, ChurnRow } from '../api/types';
import { csvText, type CsvCell } from './csv';

const MEDALS = ['🥇', '🥈', '🥉'];

// The rank as shown: medals for the first three, the number after.
export function rankLabel(rank: number): string {
  return MEDALS[rank - 1] ?? String(rank);
}

// The band of a churn score, as the server defines it (high ≥ 0.7, medium ≥ 0.4).
export function riskOf(score: number): ChurnRisk {
  return score >= 0.7 ? 'high' : score >= 0.4 ? 'medium' : 'low';
}

// The CSV of the churn rows shown (ratios as numbers 0–1, as the API gives them).
export function churnCsv(rows: readonly ChurnRow[]): string {
  const header = ['rank', 'login', 'churn_score', 'risk', 'activity_drop', 'inactivity', 'days_since_last_battle', 'last_battle_at',
    'battles', 'battles_first_half', 'battles_second_half', 'is_bot', 'playstyle'];
  const body: CsvCell[][] = rows.map((r) => [r.rank, r.login, r.churn_score, r.risk, r.activity_drop, r.inactivity, r.days_since_last_battle,
    r.last_battle_at, r.battles, r.battles_first_half, r.battles_second_half, r.is_bot, r.playstyle]);
  return csvText(header, body);
}

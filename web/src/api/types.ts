// Response shapes, read from the services' handlers (src/battles/routes.cpp, src/antibot/http.cpp,
// src/shop/routes.cpp, src/status/server_status.cpp) and, for the analytics routes being added,
// antibot-analytics.md §7 in the {period_days, generated_at, items} envelope.
export interface Loc { x: number; y: number }

export interface BattleSummary {
  battle_id: number; ts: string | null; ts_unix: number | null; turns: number; battle_type: string | null;
  loc: Loc; players_cnt: number; monsters_cnt: number; has_pvp: boolean; has_monsters: boolean;
}
export interface BattlePage { ok: true; battles: BattleSummary[]; next: string | null }

export interface Damage { hp: number; piercing: number; critical: number; status: Record<string, number> }
export interface LootEntry { name?: string; item_name?: string; qty: number }
export interface Loot { resources: LootEntry[]; monster_parts: LootEntry[]; other: LootEntry[] }
export interface Participant {
  login: string; clan: string | null; profession: number; side: number; rank_points: number; pve_points: number;
  level: number; gender: number; survived: boolean; escaped: boolean; deaths: number;
  intervened: { state: number; turn: number | null };
  kills: { monsters: number; players: number };
  damage: { monsters: Damage; players: Damage }; healing: number; loot: Loot;
}
export interface MonsterGroup { kind: string; spec: string | null; side: number; count: number; min_level: number; max_level: number }
export interface BattleData {
  parser_version: number;
  battle: { id: number; map: { id: string; rows: string[] }; start_ts_unix: number | null; entities_cnt: number };
  source: { size_bytes: number; sha256: string; compressed: boolean; storage_key: string };
  participants: Participant[]; monsters: MonsterGroup[]; loot_total: Loot;
  error?: { code: string; message: string };
}
export interface BattleDetail {
  ok: true;
  battle: BattleSummary & { content_sha256: string; size_bytes: number; parser_version: number; complete: boolean };
  data: BattleData;
}
export interface BattleEvent {
  turn: number; sf: number; actor: string; t: number; type?: string; target?: string; xy?: string; hp?: string;
  piercing?: number; normal?: number; critical?: number; status_code?: string; status_amount?: number; heal?: number;
  item_id?: string; item_name?: string; count?: number; run?: number; code?: string;
}
export interface BattleEvents { ok: true; battle_id: number; events: BattleEvent[] }
export interface IngestStatus {
  ok: true; battles: number; ingest_log: Record<string, number>; newest_battle_id: number | null; parser_version: number;
  recent_failures: { at: number; source: string; name: string; error: string; message: string; sha256: string }[];
  sync?: Record<string, unknown>;
}
export interface PlayerMatch { login: string; battles: number; last_ts: string | null }

export interface ServerStatus {
  server_status: number | null; client_status: number | null;
  rates: { exp: number | null; pvp: number | null; pve: number | null; color_mob: number | null; skill: number | null };
  _meta?: Record<string, string | null>; _cache?: { stale: boolean };
}

export interface Reason { code: string; severity: string; feature: string; value: number | null; threshold: number; contribution: number }
export interface Detection {
  login: string; battles: number; is_bot: boolean; score: number; confidence: number; method: string; rule_score: number;
  reasons: string[]; reasons_structured: Reason[]; metrics: Record<string, number | null>;
  ml_detection: null | {
    is_bot: boolean; confidence: number; method: string; kmeans_bot: boolean; if_anomaly: boolean; if_anomaly_score: number;
    if_probability: number; kmeans_probability: number; cluster: number; attributions: { feature: string; share: number }[];
  };
}
export interface Candidates {
  ok: true; period_days: number; window_end: string; model_version: string; threshold: number; generated_at: string;
  total: number; items: Detection[]; next_cursor: string | null;
}
export interface PlayerVerdict extends Detection { period_days: number; model_version: string; threshold: number }
export interface AuditEntry { id: number; login: string; action: string; verdict: string; note: string; actor: string; created_at: string }
export interface HeatCell { weekday: number; hour: number; battles: number }
export interface PlayerAnalytics {
  ok: true; login: string; period_days: number; tz: string; battles_count: number; wins: number; losses: number;
  kills_monsters: number; kills_players: number; pvp_battles: number; heatmap: HeatCell[];
}
export interface PlaySession { start: string; end: string; start_local: string; end_local: string; battles: number; duration_s: number }
export interface PlayerSessions {
  ok: true; login: string; period_days: number; tz: string; session_break_s: number; total: number; battles: number;
  avg_duration_s: number | null; longest_s: number; items: PlaySession[];
}
export interface LocationUse { loc: Loc; battles: number; share: number; last_seen: string }
export interface PlayerLocations { ok: true; login: string; period_days: number; total: number; battles: number; items: LocationUse[] }
export interface TrainJob { ok: true; job_id: string; status: string; created_at?: string; finished_at?: string | null; result?: Record<string, unknown> }

// The {period_days, generated_at, items} envelope of the analytics lists.
export interface Listed<T> {
  ok?: boolean; period_days?: number; generated_at?: string; window_end?: string; total?: number;
  next_offset?: number | null; items: T[]; [k: string]: unknown;
}
export interface TopPlayer {
  rank: number; login: string; value: number; battles_count: number; wins: number; losses: number; survival_rate: number;
  kills_monsters: number; kills_players: number; rank_points_avg: number; pve_points_avg: number; pvp_battles: number;
}
export interface PeakHour { hour: number; total_battles: number; pvp_battles: number; pve_battles: number; mixed_battles?: number; other_battles?: number }
export interface ClanShare { clan: string; participations: number; share: number }
export interface ClanControl {
  loc: Loc; battles: number; participations: number; clan_participations: number; clans: number;
  dominant_clan: string; dominant: ClanShare; runner_up: ClanShare | null;
}
export interface ClanMember { login: string; battles: number; wins: number; losses: number; win_rate: number | null; last_battle_at: string }
export interface ClanWar { clan1: string; clan2: string; battles: number; last_battle_at?: string }
export interface Playstyle {
  login: string; cluster_id: number; playstyle: string; display_name: string; description: string; confidence: number;
  cluster_size: number; player_features?: Record<string, number>; similar_players?: string[];
}
// /analytics/pvp/elo, /analytics/pve/elo (src/antibot/rating_routes.cpp).
export interface RatingRow {
  rank: number; login: string; elo: number; peak_elo: number; wins: number; losses: number; draws: number;
  win_rate: number | null; total_battles: number; last_battle_at: string; history: number[];
}
export interface MonsterRating { kind: string; elo: number; battles: number }
export interface Ladder extends Listed<RatingRow> {
  kind: 'pvp' | 'pve'; min_battles: number; battles_rated: number; battles_skipped: number;
  rating: { system: string; initial: number; k: number; monster_k: number | null; history_points: number };
  monsters?: MonsterRating[];
}
// /analytics/predictions/churn.
export type ChurnRisk = 'high' | 'medium' | 'low';
export interface ChurnRow {
  rank: number; login: string; churn_score: number; risk: ChurnRisk; activity_drop: number; inactivity: number;
  days_since_last_battle: number; last_battle_at: string; battles: number; battles_first_half: number; battles_second_half: number;
  is_bot: boolean | null; detection: { score: number; is_bot: boolean; method: string } | null;
  playstyle: string | null; playstyle_display_name: string | null; playstyle_display_name_en: string | null;
}
export interface ChurnList extends Listed<ChurnRow> {
  min_battles: number; sort: string; risk: ChurnRisk | null; players: number;
  counts: Record<ChurnRisk, number>; histogram: { from: number; to: number; players: number }[];
  detector: { status: 'ok' | 'model_not_trained' | 'window_mismatch'; model_version: string | null; window_days: number | null };
  playstyle_model: string | null;
}
export interface GlobalStats {
  period_days: number;
  battles: { total: number; pvp?: number; pve?: number; mixed?: number; active_days: number; avg_players_per_battle: number | null; avg_monsters_per_battle: number | null };
  players: { unique_players: number; unique_clans: number };
}

export interface Paged<T> { items: T[]; total: number; page: number; limit: number; offset: number }
export interface Shop { id: number; code: string; name: string; bot_login: string; items_listed: number; latest_snapshot_id: number | null }
export interface Snapshot {
  id: number; shop: string; status: string; started_by: string; started_at: string; finished_at: string | null;
  items_count: number; previous_id: number | null; changes_count: number; error: string;
}
export interface ShopItem {
  id: number; shop: string; category: string; txt: string; name: string; type: string; price: number | null;
  count: number | null; quality: number | null; max_quality: number | null; owner: string | null; listed: boolean;
  first_seen: string; last_seen: string;
}
export interface Change {
  type: string; item_id: number; category: string; txt: string; old_price: number | null; new_price: number | null;
  price_diff?: number; price_diff_percent?: number; old_count?: number | null; new_count?: number | null;
  old_owner?: string | null; new_owner?: string | null;
}
export interface SnapshotDiff { shop: string; from: number; to: number; summary: Record<string, number>; compared_categories: string[]; changes: Change[] }
export interface PricePoint { snapshot_id: number; at: string; shop: string; price: number | null; count: number | null; quality: number | null; owner: string | null }
export interface SellerStat { owner: string; items_count: number; total_value: number; min_price: number; max_price: number; avg_price: number }

// The registration service's admin reads (outcomes of registration attempts).
export interface RegOutcome { id: number; at: string; at_unix: number; code: string; login: string; source: string; duration_ms: number }
export interface RegOutcomes { ok: true; code: string | null; from: number; to: number; limit: number; items: RegOutcome[]; next_cursor: string | null }
export interface RegDay { date: string; total: number; ok: number; failed: number; by_code: Record<string, number> }
export interface RegSummary {
  ok: true; period_days: number; date_from: string; date_to: string; day: 'UTC'; total: number; ok_count: number; failed_count: number;
  by_code: { code: string; count: number; share: number }[]; by_day: RegDay[]; dropped_since_start: number;
}

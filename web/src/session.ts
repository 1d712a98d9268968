// The operator's session with the /ui/ server (the cookie is HttpOnly: the app never reads it).
import { ApiError, classify } from './api/errors';

export type Role = 'viewer' | 'moderator' | 'admin';
export interface Session { user: string; role: Role }

const RANK: Record<Role, number> = { viewer: 0, moderator: 1, admin: 2 };

export function hasRole(s: Session | null, needed: Role): boolean {
  return !!s && (RANK[s.role] ?? -1) >= RANK[needed];
}

function asSession(v: unknown): Session | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.user !== 'string' || (o.role !== 'viewer' && o.role !== 'moderator' && o.role !== 'admin')) return null;
  return { user: o.user, role: o.role };
}

async function call(method: string, body?: unknown): Promise<Response> {
  try {
    return await fetch('/ui/session', {
      method,
      credentials: 'same-origin',
      headers: body ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw classify(0, undefined);
  }
}

async function jsonOf(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return undefined;
  }
}

// The current session, or null when there is none (401).
export async function currentSession(): Promise<Session | null> {
  const res = await call('GET');
  if (res.status === 401) return null;
  const body = await jsonOf(res);
  if (!res.ok) throw classify(res.status, body);
  const s = asSession(body);
  if (!s) throw new ApiError('server', res.status, 'bad_session', 'the session answer is malformed');
  return s;
}

export async function logIn(username: string, password: string): Promise<Session> {
  const res = await call('POST', { username, password });
  const body = await jsonOf(res);
  if (!res.ok) throw classify(res.status, body);
  const s = asSession(body);
  if (!s) throw new ApiError('server', res.status, 'bad_session', 'the session answer is malformed');
  return s;
}

export async function logOut(): Promise<void> {
  await call('DELETE');
}

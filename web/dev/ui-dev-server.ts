// DEV-ONLY. A stand-in for the server's /ui/ part while it is being built: a session stub and the
// /ui/api/<service>/… forwarder of the contract (see web/README.md). It is a Vite plugin used by
// `vite` (dev) and `vite preview`; `vite build` never includes it, and nothing here is bundled.
//
// * POST /ui/session {"username","password"}: any non-empty password logs in as admin (dev only!),
//   GET /ui/session answers the session or 401, DELETE /ui/session ends it.
// * /ui/api/<service>/<path>?<query> → http://127.0.0.1:<port of service>/<path>?<query>, with
//   `Authorization: Bearer $TZR_DEV_ADMIN_TOKEN` and `X-Moderator: <user>` added; 401 without a session.
// * In preview only, the production CSP header is sent, so the built bundle is checked against it.
import type { Connect, Plugin } from 'vite';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

const SERVICE_PORTS: Record<string, { env: string; fallback: number }> = {
  gateway: { env: 'TZR_GATEWAY__PORT', fallback: 18080 },
  battles: { env: 'TZR_BATTLES__PORT', fallback: 18084 },
  shop: { env: 'TZR_SHOP__PORT', fallback: 18085 },
  registration: { env: 'TZR_REGISTRATION__PORT', fallback: 18082 },
  status: { env: 'TZR_STATUS__PORT', fallback: 18083 },
};

const COOKIE = 'tzr_dev_session';
const sessions = new Map<string, { user: string; role: string }>();

function portOf(service: string): number | undefined {
  const s = SERVICE_PORTS[service];
  if (!s) return undefined;
  const v = Number(process.env[s.env]);
  return Number.isInteger(v) && v > 0 ? v : s.fallback;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(body));
}

function sessionOf(req: IncomingMessage): { user: string; role: string } | undefined {
  const cookie = req.headers.cookie ?? '';
  for (const part of cookie.split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v) return sessions.get(v);
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      data += c;
      if (data.length > 1 << 20) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

async function handleSession(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === 'GET') {
    const s = sessionOf(req);
    if (!s) return sendJson(res, 401, { ok: false, error: 'unauthorized', message: 'no session', request_id: 'dev' });
    return sendJson(res, 200, s);
  }
  if (req.method === 'DELETE') {
    res.setHeader('Set-Cookie', `${COOKIE}=; Path=/ui/; HttpOnly; SameSite=Strict; Max-Age=0`);
    res.statusCode = 204;
    return void res.end();
  }
  if (req.method === 'POST') {
    let body: { username?: unknown; password?: unknown } = {};
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch {
      return sendJson(res, 400, { ok: false, error: 'invalid_json', message: 'the body is not JSON', request_id: 'dev' });
    }
    if (typeof body.username !== 'string' || !body.username || typeof body.password !== 'string' || !body.password)
      return sendJson(res, 401, {
        ok: false,
        error: 'invalid_credentials',
        message: 'dev stub: any non-empty password logs in',
        request_id: 'dev',
      });
    const id = randomBytes(18).toString('hex');
    const s = { user: body.username, role: 'admin' };
    sessions.set(id, s);
    res.setHeader('Set-Cookie', `${COOKIE}=${id}; Path=/ui/; HttpOnly; SameSite=Strict`);
    return sendJson(res, 200, s);
  }
  return sendJson(res, 405, { ok: false, error: 'method_not_allowed', message: req.method ?? '', request_id: 'dev' });
}

function forward(req: IncomingMessage, res: ServerResponse, user: string): void {
  const url = req.url ?? '';
  const m = /^\/ui\/api\/([a-z]+)(\/.*)?$/.exec(url);
  const port = m ? portOf(m[1]) : undefined;
  if (!m || !port)
    return sendJson(res, 404, { ok: false, error: 'unknown_service', message: 'no such service', request_id: 'dev' });
  const headers: Record<string, string> = { 'X-Moderator': user };
  for (const h of ['accept', 'accept-encoding', 'content-type', 'if-none-match', 'x-request-id']) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  const token = process.env.TZR_DEV_ADMIN_TOKEN;
  if (token) headers.Authorization = `Bearer ${token}`;
  const upstream = request(
    { host: '127.0.0.1', port, method: req.method, path: m[2] || '/', headers, timeout: 30_000 },
    (up) => {
      res.statusCode = up.statusCode ?? 502;
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && k !== 'connection') res.setHeader(k, v);
      up.pipe(res);
    },
  );
  upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
  upstream.on('error', (e) => {
    if (res.headersSent) return void res.destroy();
    sendJson(res, 502, { ok: false, error: 'bad_gateway', message: `dev proxy: ${e.message}`, request_id: 'dev' });
  });
  req.pipe(upstream);
}

function middleware(withCsp: boolean): Connect.NextHandleFunction {
  return (req, res, next) => {
    if (withCsp) res.setHeader('Content-Security-Policy', CSP);
    const url = req.url ?? '';
    if (url === '/ui/session' || url.startsWith('/ui/session?')) {
      handleSession(req, res).catch((e: Error) => sendJson(res, 500, { ok: false, error: 'internal', message: e.message }));
      return;
    }
    if (url.startsWith('/ui/api/')) {
      const s = sessionOf(req);
      if (!s) return sendJson(res, 401, { ok: false, error: 'unauthorized', message: 'no session', request_id: 'dev' });
      return forward(req, res, s.user);
    }
    next();
  };
}

export function uiDevServer(): Plugin {
  return {
    name: 'tzr-ui-dev-server (dev only)',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use(middleware(false));
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware(true));
    },
  };
}

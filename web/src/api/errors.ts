// Pure mapping of an HTTP outcome to what the UI shows. Every API answer that is not a success
// becomes an ApiError whose `kind` picks one of the distinct honest states.
export type ApiErrorKind =
  | 'unauthorized' // 401: the session ended → the login page
  | 'forbidden' // 403: the role is not enough
  | 'not_found' // 404 of a detail (battle_not_found, player_not_found, …)
  | 'endpoint_missing' // 404 of the route itself: the endpoint is not there (yet)
  | 'model_not_trained' // model_not_trained (whatever the status)
  | 'backend_down' // network error, 502, 503, 504
  | 'invalid' // 400, 422: a parameter was refused
  | 'conflict' // 409 other than model_not_trained (e.g. window_mismatch)
  | 'rate_limited' // 429
  | 'server'; // anything else

export interface ErrorBody {
  ok?: boolean;
  error?: string;
  message?: string;
  fields?: Record<string, string>;
  request_id?: string;
}

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    readonly status: number, // 0 for a network error
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// The error codes that mean "no such route" rather than "no such thing": the services' router
// answers {"error":"not_found","message":"no such endpoint"}; the /ui/ server says unknown_service.
const ROUTE_MISSING = new Set(['not_found', 'unknown_service', 'no_such_endpoint', 'endpoint_not_found']);

export function asErrorBody(v: unknown): ErrorBody | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const body: ErrorBody = {};
  if (typeof o.error === 'string') body.error = o.error;
  if (typeof o.message === 'string') body.message = o.message;
  if (typeof o.request_id === 'string') body.request_id = o.request_id;
  if (typeof o.fields === 'object' && o.fields !== null && !Array.isArray(o.fields)) {
    const f: Record<string, string> = {};
    for (const [k, x] of Object.entries(o.fields as Record<string, unknown>)) f[k] = String(x);
    body.fields = f;
  }
  return body;
}

export function classify(status: number, body: unknown): ApiError {
  const b = asErrorBody(body) ?? {};
  const code = b.error ?? (status === 0 ? 'network_error' : `http_${status}`);
  const message = b.message ?? (status === 0 ? 'network error' : `HTTP ${status}`);
  const make = (kind: ApiErrorKind) => new ApiError(kind, status, code, message, b.request_id, b.fields);
  if (code === 'model_not_trained') return make('model_not_trained');
  if (status === 0 || status === 502 || status === 503 || status === 504) return make('backend_down');
  if (status === 401) return make('unauthorized');
  if (status === 403) return make('forbidden');
  if (status === 404) return make(b.error === undefined || ROUTE_MISSING.has(code) ? 'endpoint_missing' : 'not_found');
  if (status === 400 || status === 422) return make('invalid');
  if (status === 409) return make('conflict');
  if (status === 429) return make('rate_limited');
  return make('server');
}

// Only idempotent reads are retried, and only when the backend may come back: network, 502–504.
export function isRetryable(method: string, err: ApiError): boolean {
  return method === 'GET' && err.kind === 'backend_down';
}

export function retryDelayMs(attempt: number): number {
  return 250 * 2 ** attempt;
}

// The one API client: every call goes to /ui/api/<service>/<path of that service>, same-origin
// with the session cookie. Failures are thrown as ApiError (see errors.ts); a 401 also tells the
// shell that the session ended.
import { ApiError, classify, isRetryable, retryDelayMs } from './errors';

export type Service = 'gateway' | 'battles' | 'shop' | 'registration' | 'status';

export const SESSION_ENDED_EVENT = 'tzr:session-ended';

export function apiUrl(service: Service, pathAndQuery: string): string {
  return `/ui/api/${service}${pathAndQuery.startsWith('/') ? '' : '/'}${pathAndQuery}`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });
}

async function once(method: string, url: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw classify(0, undefined);
  }
  if (res.status === 204) return undefined;
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!res.ok) {
    const err = classify(res.status, parsed);
    if (err.kind === 'unauthorized') window.dispatchEvent(new CustomEvent(SESSION_ENDED_EVENT));
    throw err;
  }
  if (parsed === undefined && text) throw new ApiError('server', res.status, 'bad_json', 'the answer is not JSON');
  return parsed;
}

export async function request<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await once(method, url, body, signal)) as T;
    } catch (e) {
      if (!(e instanceof ApiError) || attempt >= 2 || !isRetryable(method, e)) throw e;
      await sleep(retryDelayMs(attempt), signal);
    }
  }
}

export function apiGet<T>(service: Service, pathAndQuery: string, signal?: AbortSignal): Promise<T> {
  return request<T>('GET', apiUrl(service, pathAndQuery), undefined, signal);
}

export function apiPost<T>(service: Service, pathAndQuery: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return request<T>('POST', apiUrl(service, pathAndQuery), body, signal);
}

export function enc(segment: string): string {
  return encodeURIComponent(segment);
}

// The distinct honest states: loading, no data, not found, endpoint not available, model not
// trained, backend down, forbidden, and the other refusals with the server's own message.
import { ApiError } from '../api/errors';
import { h } from '../dom';
import { t, type MessageKey } from '../i18n';

export type StateKind =
  | 'loading' | 'empty' | 'not_found' | 'endpoint_missing' | 'model_not_trained' | 'backend_down' | 'forbidden'
  | 'invalid' | 'conflict' | 'rate_limited' | 'server';

const titles: Record<StateKind, MessageKey> = {
  loading: 'state.loading',
  empty: 'state.empty',
  not_found: 'state.not_found',
  endpoint_missing: 'state.endpoint_missing',
  model_not_trained: 'state.model_not_trained',
  backend_down: 'state.backend_down',
  forbidden: 'state.forbidden',
  invalid: 'state.invalid',
  conflict: 'state.conflict',
  rate_limited: 'state.rate_limited',
  server: 'state.server',
};

export function stateBox(kind: StateKind, detail?: string, requestId?: string): HTMLElement {
  return h(
    'div',
    { class: `state state-${kind}`, 'data-state': kind, role: kind === 'loading' ? 'status' : 'note' },
    h('span', { class: 'state-title' }, t(titles[kind])),
    detail ? h('span', { class: 'state-detail' }, detail) : null,
    requestId ? h('span', { class: 'state-request' }, t('state.request_id', { id: requestId })) : null,
  );
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

export function errorState(e: unknown): HTMLElement {
  if (e instanceof ApiError) {
    if (e.kind === 'unauthorized') return stateBox('forbidden', t('state.session_ended'));
    const showMessage = e.kind !== 'endpoint_missing' && e.kind !== 'backend_down';
    return stateBox(e.kind, showMessage ? e.message : e.status ? `HTTP ${e.status}` : undefined, e.requestId);
  }
  return stateBox('server', e instanceof Error ? e.message : String(e));
}

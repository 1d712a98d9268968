import { describe, expect, it } from 'vitest';
import { asErrorBody, classify, isRetryable, retryDelayMs } from '../src/api/errors';

const body = (error: string, message = 'm') => ({ ok: false, error, message, request_id: 'r1' });

describe('API error mapping', () => {
  it('tells a missing route from a missing thing', () => {
    expect(classify(404, body('not_found', 'no such endpoint')).kind).toBe('endpoint_missing');
    expect(classify(404, undefined).kind).toBe('endpoint_missing');
    expect(classify(404, body('unknown_service')).kind).toBe('endpoint_missing');
    expect(classify(404, body('battle_not_found')).kind).toBe('not_found');
    expect(classify(404, body('player_not_found')).kind).toBe('not_found');
  });
  it('knows an untrained model whatever the status', () => {
    expect(classify(409, body('model_not_trained')).kind).toBe('model_not_trained');
    expect(classify(503, body('model_not_trained')).kind).toBe('model_not_trained');
  });
  it('maps the other statuses to distinct states', () => {
    expect(classify(0, undefined).kind).toBe('backend_down');
    expect(classify(502, undefined).kind).toBe('backend_down');
    expect(classify(503, body('db_unavailable')).kind).toBe('backend_down');
    expect(classify(504, undefined).kind).toBe('backend_down');
    expect(classify(401, body('unauthorized')).kind).toBe('unauthorized');
    expect(classify(403, body('forbidden')).kind).toBe('forbidden');
    expect(classify(400, body('invalid_parameter')).kind).toBe('invalid');
    expect(classify(422, body('validation_error')).kind).toBe('invalid');
    expect(classify(409, body('window_mismatch')).kind).toBe('conflict');
    expect(classify(429, body('rate_limited')).kind).toBe('rate_limited');
    expect(classify(500, body('internal')).kind).toBe('server');
  });
  it('keeps the server message, code, request id and fields', () => {
    const e = classify(400, { ok: false, error: 'invalid_timezone', message: "tz 'X': unknown", request_id: 'abc', fields: { tz: 'unknown time zone' } });
    expect(e.code).toBe('invalid_timezone');
    expect(e.message).toBe("tz 'X': unknown");
    expect(e.requestId).toBe('abc');
    expect(e.fields).toEqual({ tz: 'unknown time zone' });
    expect(classify(500, 'not an object').message).toBe('HTTP 500');
  });
  it('reads error bodies defensively', () => {
    expect(asErrorBody(null)).toBeUndefined();
    expect(asErrorBody([1])).toBeUndefined();
    expect(asErrorBody({ error: 5, message: 'x' })).toEqual({ message: 'x' });
  });
  it('retries only idempotent reads of a backend that may come back', () => {
    expect(isRetryable('GET', classify(503, undefined))).toBe(true);
    expect(isRetryable('POST', classify(503, undefined))).toBe(false);
    expect(isRetryable('GET', classify(404, body('battle_not_found')))).toBe(false);
    expect(isRetryable('GET', classify(503, body('model_not_trained')))).toBe(false);
    expect(retryDelayMs(0)).toBeLessThan(retryDelayMs(1));
  });
});

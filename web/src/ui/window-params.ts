// The analytics window shared by many pages: days, until (a UTC date in the URL, Unix seconds for
// the API) and the time zone for hour-of-day buckets. Pages always send days explicitly.
import { utcDateToUnix } from '../format';
import { int, str } from '../url-state';

export function windowSchema(defaultDays: number) {
  return {
    days: int(defaultDays, 1, 365),
    until: str('', 10),
  };
}

export const tzSchema = { tz: str('', 64) };

export function untilUnix(until: string | number | null): number | undefined {
  return typeof until === 'string' && until ? utcDateToUnix(until) : undefined;
}

// What every page receives from the shell.
import type { Session } from '../session';

export interface PageContext {
  path: string; // inside the app, e.g. "/battles/42"
  params: Record<string, string>;
  query: string; // location.search
  signal: AbortSignal; // fires when the page is left
  session: Session;
}

export type Page = (ctx: PageContext) => Node;

import { ApiError, SessionEndedError } from './api';
import { el } from './chart-panel';
import { t } from './i18n';

/** A view draws itself into `main` for a route's parameters. */
export type View = (main: HTMLElement, params: string[]) => Promise<void>;

/** A heading and a line saying which snapshot the figures come from. */
export function viewHeader(title: string, dataAsOf: string | null, extra?: Node): HTMLElement {
  const header = el('header', { class: 'view-header' });
  header.append(el('h1', { tabindex: '-1' }, title));
  if (dataAsOf) header.append(el('p', { class: 'as-of' }, `${t('dataAsOf')} ${dataAsOf}`));
  if (extra) header.append(extra);
  return header;
}

/** The note every view with hidden figures carries. */
export function suppressedNote(): HTMLElement {
  return el('p', { class: 'note' }, t('suppressedNote'));
}

/** A failure as the page says it; a session that ended is handled by the shell. */
export function failureMessage(error: unknown): string {
  if (error instanceof SessionEndedError) return t('sessionExpired');
  if (error instanceof ApiError && error.code === 'UNREACHABLE') return t('cannotReach');
  if (error instanceof ApiError && error.code === 'SERVICE_UNAVAILABLE') return t('unavailable');
  return error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
}

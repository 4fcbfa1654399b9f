import { run } from '../api';
import { chartPanel, el } from '../chart-panel';
import { GatewayUseDocument } from '../gql/graphql';
import { t } from '../i18n';
import { navigate } from '../router';
import type { Figure } from '../table-model';
import { viewHeader, type View } from '../view';

/** A day as the gateway counts it: in Jakarta (YYYY-MM-DD). */
function isoDay(date: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(date);
}

/**
 * Gateway use between two days (default: the last 30): requests per day, per agency, purpose
 * and outcome, refusals by code, privacy budget spent and daily quota use. From the audit log; no
 * data subject, officer or request is ever named. Route: `#/use[/<from>/<to>]`.
 */
export const useView: View = async (main, [from, to]) => {
  const end = to ?? isoDay(new Date());
  const start = from ?? isoDay(new Date(Date.now() - 29 * 86_400_000));
  const { gatewayUse } = await run(GatewayUseDocument, { from: start, to: end });
  const n = (value: number): Figure => ({ value, suppressed: false });

  const perDay = new Map<string, number>();
  for (const r of gatewayUse.requests) perDay.set(r.day, (perDay.get(r.day) ?? 0) + r.count);
  const days = [...perDay.keys()].sort();

  const form = el('form', { class: 'filters' });
  const fromInput = el('input', { id: 'use-from', type: 'date', value: start });
  const toInput = el('input', { id: 'use-to', type: 'date', value: end });
  form.append(
    el('label', { for: 'use-from' }, t('from')),
    fromInput,
    el('label', { for: 'use-to' }, t('to')),
    toInput,
    el('button', { type: 'submit' }, t('show')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(['use', fromInput.value || start, toInput.value || end]);
  });

  const requests = [...gatewayUse.requests].sort((a, b) => b.count - a.count);
  main.replaceChildren(
    viewHeader(t('use'), null, form),
    chartPanel({
      id: 'use-per-day',
      title: t('requestsPerDay'),
      categoryLabel: t('day'),
      categories: days.map((d) => ({ code: d, label: d })),
      series: [{ name: t('requests'), figures: days.map((d) => n(perDay.get(d) ?? 0)) }],
    }),
    chartPanel({
      id: 'use-by-agency',
      title: t('requestsByAgency'),
      categoryLabel: `${t('day')} · ${t('agency')} · ${t('purpose')} · ${t('outcome')}`,
      tableOnly: true,
      categories: requests.map((r, i) => ({
        code: String(i),
        label: `${r.day} · ${r.agencyName ?? r.agencyId ?? '—'} · ${r.purpose ?? '—'} · ${r.outcome}`,
      })),
      series: [{ name: t('requests'), figures: requests.map((r) => n(r.count)) }],
    }),
    chartPanel({
      id: 'use-refusals',
      title: t('refusalsByCode'),
      categoryLabel: `${t('code')} · ${t('agency')}`,
      categories: gatewayUse.refusals.map((r, i) => ({
        code: String(i),
        label: `${r.errorCode} · ${r.agencyName ?? '—'}`,
      })),
      series: [{ name: t('requests'), figures: gatewayUse.refusals.map((r) => n(r.count)) }],
    }),
    chartPanel({
      id: 'use-privacy-budget',
      title: t('privacyBudget'),
      categoryLabel: `${t('agency')} · ${t('asOf')}`,
      tableOnly: true,
      categories: gatewayUse.privacyBudget.map((b, i) => ({
        code: String(i),
        label: `${b.agencyName ?? b.clientId} (${b.clientId}) · ${b.snapshotAsOf}`,
      })),
      series: [
        { name: t('spent'), figures: gatewayUse.privacyBudget.map((b) => n(b.epsilonSpent)) },
        {
          name: t('budget'),
          figures: gatewayUse.privacyBudget.map((b) => ({
            value: b.epsilonBudget ?? null,
            suppressed: false,
          })),
        },
      ],
    }),
    chartPanel({
      id: 'use-quota',
      title: t('quotaUse'),
      categoryLabel: `${t('day')} · ${t('agency')}`,
      tableOnly: true,
      categories: gatewayUse.quotaUse.map((q, i) => ({
        code: String(i),
        label: `${q.day} · ${q.agencyName}`,
      })),
      series: [
        { name: t('persons'), figures: gatewayUse.quotaUse.map((q) => n(q.distinctSubjects)) },
        { name: t('budget'), figures: gatewayUse.quotaUse.map((q) => n(q.dailyQuota)) },
      ],
    }),
  );
};

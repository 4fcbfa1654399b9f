import { run } from '../api';
import { chartPanel, el } from '../chart-panel';
import { ProvincesDocument, VerificationProgressDocument } from '../gql/graphql';
import { t } from '../i18n';
import { navigate } from '../router';
import type { Figure } from '../table-model';
import { suppressedNote, viewHeader, type View } from '../view';

/** The first day of the month a year before today: the default "not verified since". */
function aYearAgo(): string {
  const d = new Date();
  return `${d.getFullYear() - 1}-${String(d.getMonth() + 1).padStart(2, '0')}-01`;
}

/**
 * Verification progress (verivali) per regency: households never verified or not since a month,
 * submissions by status and how long reviews take. Route: `#/verivali[/<province or all>[/<YYYY-MM-01>]]`.
 */
export const verivaliView: View = async (main, [where = 'all', since = aYearAgo()]) => {
  const province = where === 'all' ? '' : where;
  const [progress, provinces] = await Promise.all([
    run(VerificationProgressDocument, {
      regionCode: province === '' ? null : province,
      notVerifiedSince: since,
    }),
    run(ProvincesDocument, {}),
  ]);
  const rows = progress.verificationProgress.regencies;
  const figure = (c: { value?: number | null; suppressed: boolean } | null | undefined): Figure =>
    c ? { value: c.value ?? null, suppressed: c.suppressed } : { value: null, suppressed: true };
  const exact = (value: number | null | undefined, hidden: boolean): Figure =>
    hidden ? { value: null, suppressed: true } : { value: value ?? 0, suppressed: false };

  // Choosing where and since when: a form, so the keyboard can do it.
  const form = el('form', { class: 'filters' });
  const select = el('select', { id: 'verivali-province' });
  select.append(el('option', { value: '' }, t('allProvinces')));
  for (const p of provinces.regions) {
    const option = el('option', { value: p.code }, `${p.name} (${p.code})`);
    if (p.code === province) option.selected = true;
    select.append(option);
  }
  const month = el('input', { id: 'verivali-since', type: 'month', value: since.slice(0, 7) });
  form.append(
    el('label', { for: 'verivali-province' }, t('province')),
    select,
    el('label', { for: 'verivali-since' }, t('notVerifiedSince')),
    month,
    el('button', { type: 'submit' }, t('show')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(['verivali', select.value || 'all', `${month.value || since.slice(0, 7)}-01`]);
  });

  const byNever = [...rows].sort(
    (a, b) => (b.neverVerified.value ?? -1) - (a.neverVerified.value ?? -1),
  );
  const label = (r: (typeof rows)[number]) =>
    r.suppressed ? `${r.regencyName} — ${t('regencyHidden')}` : r.regencyName;
  main.replaceChildren(
    viewHeader(t('verivali'), progress.verificationProgress.dataAsOf ?? null, form),
    chartPanel({
      id: 'verivali-never-verified',
      title: t('verivaliChart'),
      categoryLabel: t('region'),
      chartLimit: 25,
      categories: byNever.map((r) => ({ code: r.regencyCode, label: label(r) })),
      series: [
        { name: t('households'), figures: byNever.map((r) => figure(r.households)) },
        { name: t('neverVerified'), figures: byNever.map((r) => figure(r.neverVerified)) },
        {
          name: `${t('notVerifiedSince')} ${progress.verificationProgress.notVerifiedSince ?? since}`,
          figures: byNever.map((r) => figure(r.notVerifiedSince)),
        },
      ],
    }),
    chartPanel({
      id: 'verivali-submissions',
      title: t('verivaliTable'),
      categoryLabel: t('region'),
      tableOnly: true,
      categories: rows.map((r) => ({ code: r.regencyCode, label: label(r) })),
      series: [
        {
          name: t('submitted'),
          figures: rows.map((r) => exact(r.submissions?.submitted, r.suppressed)),
        },
        {
          name: t('approved'),
          figures: rows.map((r) => exact(r.submissions?.approved, r.suppressed)),
        },
        {
          name: t('rejected'),
          figures: rows.map((r) => exact(r.submissions?.rejected, r.suppressed)),
        },
        {
          name: t('applied'),
          figures: rows.map((r) => exact(r.submissions?.applied, r.suppressed)),
        },
        {
          name: t('medianDays'),
          figures: rows.map((r) =>
            r.suppressed
              ? { value: null, suppressed: true }
              : { value: r.medianDaysToReview ?? null, suppressed: false },
          ),
        },
      ],
    }),
    suppressedNote(),
  );
};

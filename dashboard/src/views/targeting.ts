import { run } from '../api';
import { chartPanel, el } from '../chart-panel';
import {
  PoorestPersonsByRegionDocument,
  ProvincesDocument,
  RegionPopulationDocument,
  TargetingByDecileDocument,
  TargetingByRegionDocument,
  type Program,
  type StatisticsMeasure,
} from '../gql/graphql';
import { t, type MessageKey } from '../i18n';
import { navigate } from '../router';
import type { Figure, StatisticsCellLike } from '../table-model';
import { suppressedNote, viewHeader, type View } from '../view';

const PROGRAMS: Program[] = ['PKH', 'BPNT', 'PBI_JK', 'PIP'];

/** One colour per kind of figure in every targeting chart (and distinct without colour: legend). */
const COLORS = { recipients: '#2f6fb5', exclusion: '#d98c00', inclusion: '#b3261e' };

/** The figures of an answer in the order of `codes` (a code the answer lacks is not there). */
function figuresFor(codes: string[], cells: readonly StatisticsCellLike[]): Figure[] {
  const byCode = new Map(cells.map((c) => [c.key[0]?.code ?? '', c]));
  return codes.map((code) => {
    const cell = byCode.get(code);
    return cell
      ? { value: cell.value ?? null, suppressed: cell.suppressed }
      : { value: null, suppressed: false };
  });
}

/**
 * Program targeting ("tepat sasaran"): for one program, recipients and the two targeting errors
 * per decile and per region, and how much of the population the poorest four deciles cover.
 * Route: `#/targeting[/<program>[/<province or all>]]`.
 */
export const targetingView: View = async (main, [programParam = 'PKH', where = 'all']) => {
  const program = (PROGRAMS.includes(programParam as Program) ? programParam : 'PKH') as Program;
  const province = where === 'all' ? null : where;
  const level = province ? 'REGENCY' : 'PROVINCE';
  const byDecile = (measure: StatisticsMeasure) =>
    run(TargetingByDecileDocument, { measure, program, regionCode: province });
  const byRegion = (measure: StatisticsMeasure) =>
    run(TargetingByRegionDocument, { measure, program, level, regionCode: province });
  const [recipients, exclusion, inclusion, exclusionR, inclusionR, poorest, population, provinces] =
    await Promise.all([
      byDecile('RECIPIENTS'),
      byDecile('ELIGIBLE_NON_RECIPIENTS'),
      byDecile('RECIPIENTS_NOT_ELIGIBLE'),
      byRegion('ELIGIBLE_NON_RECIPIENTS'),
      byRegion('RECIPIENTS_NOT_ELIGIBLE'),
      run(PoorestPersonsByRegionDocument, { level, regionCode: province }),
      run(RegionPopulationDocument, { level: 'REGENCY', parentCode: province }),
      run(ProvincesDocument, {}),
    ]);

  const form = el('form', { class: 'filters' });
  const programSelect = el('select', { id: 'targeting-program' });
  for (const p of PROGRAMS) {
    const option = el('option', { value: p }, t(`program${p}` as MessageKey));
    if (p === program) option.selected = true;
    programSelect.append(option);
  }
  const provinceSelect = el('select', { id: 'targeting-province' });
  provinceSelect.append(el('option', { value: 'all' }, t('allProvinces')));
  for (const p of provinces.regions) {
    const option = el('option', { value: p.code }, `${p.name.trim()} (${p.code})`);
    if (p.code === province) option.selected = true;
    provinceSelect.append(option);
  }
  form.append(
    el('label', { for: 'targeting-program' }, t('program')),
    programSelect,
    el('label', { for: 'targeting-province' }, t('province')),
    provinceSelect,
    el('button', { type: 'submit' }, t('show')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(['targeting', programSelect.value, provinceSelect.value]);
  });

  const deciles = recipients.statistics.cells.map((c) => ({
    code: c.key[0]?.code ?? '',
    label: `${t('decile')} ${c.key[0]?.code ?? ''}`,
  }));
  const decileCodes = deciles.map((d) => d.code);
  const regions = exclusionR.statistics.cells.map((c) => ({
    code: c.key[0]?.code ?? '',
    label: (c.key[0]?.label ?? '').trim(),
  }));
  const regionCodes = regions.map((r) => r.code);

  // Coverage: persons registered in deciles 1–4 against the reference population, in percent; a
  // hidden count hides its percentage too.
  const populationOf = new Map<string, number>();
  for (const r of population.regions) {
    const code = province ? r.code : r.code.slice(0, 2);
    populationOf.set(code, (populationOf.get(code) ?? 0) + (r.population?.total ?? 0));
  }
  const poorestFigures = figuresFor(regionCodes, poorest.statistics.cells);
  const coverage: Figure[] = regionCodes.map((code, i) => {
    const persons = poorestFigures[i]!;
    const people = populationOf.get(code) ?? 0;
    if (persons.suppressed) return { value: null, suppressed: true };
    if (persons.value === null || people === 0) return { value: null, suppressed: false };
    return { value: Math.round((1000 * persons.value) / people) / 10, suppressed: false };
  });

  const rule = recipients.statistics.ruleVersions
    .map((r) => `${r.program} v${r.version}`)
    .join(', ');
  main.replaceChildren(
    viewHeader(
      `${t('targeting')} — ${t(`program${program}` as MessageKey)}`,
      recipients.statistics.dataAsOf,
      form,
    ),
    el(
      'p',
      { class: 'hint' },
      `${t('targetingIntro')} ${rule ? `${t('ruleVersion')}: ${rule}.` : ''}`,
    ),
    chartPanel({
      id: 'targeting-by-decile',
      title: t('recipientsByDecile'),
      categoryLabel: t('decile'),
      categories: deciles,
      series: [
        {
          name: t('recipientsSeries'),
          color: COLORS.recipients,
          figures: figuresFor(decileCodes, recipients.statistics.cells),
        },
        {
          name: t('eligibleNonRecipients'),
          color: COLORS.exclusion,
          figures: figuresFor(decileCodes, exclusion.statistics.cells),
        },
        {
          name: t('recipientsNotEligible'),
          color: COLORS.inclusion,
          figures: figuresFor(decileCodes, inclusion.statistics.cells),
        },
      ],
    }),
    chartPanel({
      id: 'targeting-by-region',
      title: t('errorsByRegion'),
      categoryLabel: t('region'),
      categories: regions,
      ...(province ? {} : { onSelect: (code: string) => navigate(['targeting', program, code]) }),
      series: [
        {
          name: t('eligibleNonRecipients'),
          color: COLORS.exclusion,
          figures: figuresFor(regionCodes, exclusionR.statistics.cells),
        },
        {
          name: t('recipientsNotEligible'),
          color: COLORS.inclusion,
          figures: figuresFor(regionCodes, inclusionR.statistics.cells),
        },
      ],
    }),
    chartPanel({
      id: 'targeting-coverage',
      title: t('coverageByRegion'),
      categoryLabel: t('region'),
      categories: regions,
      chartSeries: 1,
      series: [
        { name: t('coveragePercent'), figures: coverage },
        { name: t('poorestPersons'), figures: poorestFigures },
        {
          name: t('population'),
          figures: regionCodes.map((code) => ({
            value: populationOf.get(code) ?? null,
            suppressed: false,
          })),
        },
      ],
    }),
    suppressedNote(),
  );
};

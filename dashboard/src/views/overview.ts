import { run } from '../api';
import { chartPanel, el } from '../chart-panel';
import {
  DecilePersonsDocument,
  RegionHouseholdsDocument,
  SnapshotTotalsDocument,
} from '../gql/graphql';
import { formatNumber, t } from '../i18n';
import { navigate } from '../router';
import { modelFromCells } from '../table-model';
import { suppressedNote, viewHeader, type View } from '../view';

/** National overview: the registry's totals, households per province, persons per decile. */
export const overviewView: View = async (main) => {
  const [totals, provinces, deciles] = await Promise.all([
    run(SnapshotTotalsDocument, {}),
    run(RegionHouseholdsDocument, { level: 'PROVINCE', regionCode: null }),
    run(DecilePersonsDocument, { regionCode: null }),
  ]);
  const snapshot = totals.snapshot;
  const kpis = el('dl', { class: 'kpis' });
  if (snapshot) {
    kpis.append(
      el(
        'div',
        {},
        el('dt', {}, t('households')),
        el('dd', { 'data-kpi': 'households' }, formatNumber(snapshot.households)),
      ),
      el(
        'div',
        {},
        el('dt', {}, t('persons')),
        el('dd', { 'data-kpi': 'persons' }, formatNumber(snapshot.persons)),
      ),
    );
  }
  main.replaceChildren(
    viewHeader(t('overview'), provinces.statistics.dataAsOf, kpis),
    el('p', { class: 'hint' }, t('drillHint')),
    chartPanel(
      modelFromCells(
        {
          id: 'households-by-province',
          title: t('byProvince'),
          categoryLabel: t('region'),
          onSelect: (code) => navigate(['region', code]),
        },
        t('households'),
        provinces.statistics.cells,
      ),
    ),
    chartPanel(
      modelFromCells(
        { id: 'persons-by-decile', title: t('byDecile'), categoryLabel: t('decile') },
        t('persons'),
        deciles.statistics.cells,
        (code) => `${t('decile')} ${code}`,
      ),
    ),
    suppressedNote(),
  );
};

import { run } from '../api';
import { chartPanel } from '../chart-panel';
import { SnapshotHistoryDocument } from '../gql/graphql';
import { t } from '../i18n';
import type { Figure } from '../table-model';
import { viewHeader, type View } from '../view';

/** Snapshot history: what each quarterly refresh loaded, oldest first in the chart. */
export const snapshotsView: View = async (main) => {
  const { snapshotHistory } = await run(SnapshotHistoryDocument, { first: 40 });
  const oldestFirst = [...snapshotHistory].reverse();
  const n = (value: number): Figure => ({ value, suppressed: false });
  const served = snapshotHistory.find((s) => s.served);
  main.replaceChildren(
    viewHeader(t('snapshots'), served?.asOf ?? null),
    chartPanel({
      id: 'snapshot-history',
      title: t('snapshotsChart'),
      categoryLabel: t('asOf'),
      categories: oldestFirst.map((s) => ({ code: String(s.id), label: s.asOf })),
      series: [
        { name: t('persons'), figures: oldestFirst.map((s) => n(s.persons)) },
        { name: t('households'), figures: oldestFirst.map((s) => n(s.households)) },
        { name: t('recipients'), figures: oldestFirst.map((s) => n(s.programRecipients)) },
      ],
    }),
    chartPanel({
      id: 'snapshot-list',
      title: t('snapshotsTable'),
      categoryLabel: t('asOf'),
      tableOnly: true,
      categories: snapshotHistory.map((s) => ({
        code: String(s.id),
        label: `${s.asOf} (${t('loadedAt')} ${s.loadedAt.slice(0, 16).replace('T', ' ')}${s.served ? `, ${t('served').toLowerCase()}` : ''})`,
      })),
      series: [
        { name: t('households'), figures: snapshotHistory.map((s) => n(s.households)) },
        { name: t('persons'), figures: snapshotHistory.map((s) => n(s.persons)) },
        { name: t('warnings'), figures: snapshotHistory.map((s) => n(s.dataQualityWarningTotal)) },
        { name: t('importSeconds'), figures: snapshotHistory.map((s) => n(s.importSeconds)) },
      ],
    }),
  );
};

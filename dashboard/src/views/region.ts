import { run } from '../api';
import { chartPanel, el } from '../chart-panel';
import { DecilePersonsDocument, RegionHouseholdsDocument } from '../gql/graphql';
import { t } from '../i18n';
import { navigate } from '../router';
import { modelFromCells } from '../table-model';
import { suppressedNote, viewHeader, type View } from '../view';

/**
 * A province (2 digits) broken down by regency, or a regency (4 digits) by district, with its
 * persons per decile. A province's regencies lead further down; a regency's districts are the
 * finest level dashboards see.
 */
export const regionView: View = async (main, [code = '']) => {
  const province = code.length === 2;
  const [children, deciles] = await Promise.all([
    run(RegionHouseholdsDocument, {
      level: province ? 'REGENCY' : 'DISTRICT',
      regionCode: code,
    }),
    run(DecilePersonsDocument, { regionCode: code }),
  ]);
  const back = el('button', { type: 'button', class: 'link' }, `← ${t('back')}`);
  back.addEventListener('click', () =>
    navigate(province ? ['overview'] : ['region', code.slice(0, 2)]),
  );
  main.replaceChildren(
    viewHeader(`${t('region')} ${code}`, children.statistics.dataAsOf, back),
    chartPanel(
      modelFromCells(
        {
          id: province ? 'households-by-regency' : 'households-by-district',
          title: province ? t('byRegency') : t('byDistrict'),
          categoryLabel: t('region'),
          ...(province ? { onSelect: (child: string) => navigate(['region', child]) } : {}),
        },
        t('households'),
        children.statistics.cells,
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

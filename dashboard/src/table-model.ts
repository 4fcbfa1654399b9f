import { formatNumber } from './i18n';

/**
 * One figure of a table: a count, hidden by disclosure control (`suppressed`: shown as "< 10",
 * never as 0), or not there (a null value not suppressed, e.g. no review yet: shown as "–").
 */
export interface Figure {
  value: number | null;
  suppressed: boolean;
}

/**
 * What a chart and its table show: categories (regions, deciles, programs …) down the side, one
 * column per series. Every view builds one of these from a GraphQL answer; the chart, the table
 * view and the CSV file are drawn from it, so they always agree.
 */
export interface TableModel {
  id: string;
  title: string;
  categoryLabel: string;
  categories: Array<{ code: string; label: string }>;
  series: Array<{ name: string; figures: Figure[]; color?: string }>;
  /** Drill-down: called with a category's code when it is chosen. */
  onSelect?: (code: string) => void;
  /** Draw only the first so many categories (the table and CSV keep all of them). */
  chartLimit?: number;
  /** Draw only the first so many series (when the others are on another scale). */
  chartSeries?: number;
  /** No chart, only the table (for lists that a chart would not make clearer). */
  tableOnly?: boolean;
}

/** How a figure is written everywhere on the page: a number, or "< 10" when hidden. */
export function figureText(figure: Figure): string {
  if (figure.suppressed) return '< 10';
  if (figure.value === null) return '–';
  return formatNumber(figure.value);
}

/** The model as CSV (RFC 4180): hidden figures as "<10", never 0. */
export function toCsv(model: TableModel): string {
  const quote = (text: string) =>
    /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  const header = [model.categoryLabel, ...model.series.map((s) => s.name)];
  const lines = model.categories.map((category, i) => [
    `${category.label} (${category.code})`,
    ...model.series.map((s) => {
      const f = s.figures[i]!;
      return f.suppressed ? '<10' : f.value === null ? '' : String(f.value);
    }),
  ]);
  return [header, ...lines].map((line) => line.map(quote).join(',')).join('\r\n') + '\r\n';
}

/** A statistics answer's cells, keyed by the code of each of their key's dimensions. */
export interface StatisticsCellLike {
  key: Array<{ code: string; label: string }>;
  value?: number | null;
  suppressed: boolean;
}

/**
 * A one-dimension statistics answer as a one-series model (its cells in the answer's order).
 */
export function modelFromCells(
  base: Omit<TableModel, 'categories' | 'series'>,
  seriesName: string,
  cells: readonly StatisticsCellLike[],
  labelOf: (code: string, label: string) => string = (_code, label) => label.trim(),
): TableModel {
  return {
    ...base,
    categories: cells.map((c) => ({
      code: c.key[0]?.code ?? '',
      label: labelOf(c.key[0]?.code ?? '', c.key[0]?.label ?? ''),
    })),
    series: [
      {
        name: seriesName,
        figures: cells.map((c) => ({ value: c.value ?? null, suppressed: c.suppressed })),
      },
    ],
  };
}

import { BarChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
} from 'echarts/components';
import { init, use, type EChartsType } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { formatNumber, t } from './i18n';
import { figureText, toCsv, type TableModel } from './table-model';

// Only the parts of ECharts the page draws, so the bundle stays small.
use([BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, SVGRenderer]);

const charts = new Set<EChartsType>();
window.addEventListener('resize', () => {
  for (const chart of charts) chart.resize();
});

/**
 * A labelled chart with its table view and CSV download. The chart is an image for sighted
 * users (with an ARIA description); the table view is the same figures as text, for keyboard and
 * screen-reader users and for copying. Hidden figures are drawn as "< 10" in both, never as a bar
 * of 0.
 */
export function chartPanel(model: TableModel): HTMLElement {
  const section = el('section', { class: 'panel', 'aria-labelledby': `${model.id}-title` });
  const heading = el('h2', { id: `${model.id}-title` }, model.title);
  const tools = el('div', { class: 'panel-tools' });
  const toggle = el('button', { type: 'button', 'aria-pressed': 'false' }, t('showTable'));
  const download = el('button', { type: 'button' }, t('downloadCsv'));
  tools.append(toggle, download);
  const chartBox = el('div', {
    class: 'chart',
    role: 'img',
    'aria-label': `${model.title}. ${summary(model)}`,
    'data-chart': model.id,
  });
  const table = tableView(model);
  table.hidden = model.tableOnly !== true;
  chartBox.hidden = model.tableOnly === true;
  toggle.hidden = model.tableOnly === true;
  section.append(heading, tools, chartBox, table);

  toggle.addEventListener('click', () => {
    const showTable = table.hidden;
    table.hidden = !showTable;
    chartBox.hidden = showTable;
    toggle.textContent = showTable ? t('showChart') : t('showTable');
    toggle.setAttribute('aria-pressed', String(showTable));
  });
  download.addEventListener('click', () => {
    const blob = new Blob([toCsv(model)], { type: 'text/csv;charset=utf-8' });
    const a = el('a', { href: URL.createObjectURL(blob), download: `${model.id}.csv` });
    a.click();
    URL.revokeObjectURL(a.href);
  });

  // Draw once the panel is in the document (ECharts needs the box's size).
  if (model.tableOnly !== true) queueMicrotask(() => drawChart(chartBox, limited(model)));
  return section;
}

/** The model with only the categories the chart draws. */
function limited(model: TableModel): TableModel {
  const n = model.chartLimit ?? model.categories.length;
  const series = model.series.slice(0, model.chartSeries ?? model.series.length);
  return {
    ...model,
    categories: model.categories.slice(0, n),
    series: series.map((s) => ({ ...s, figures: s.figures.slice(0, n) })),
  };
}

function drawChart(box: HTMLElement, model: TableModel): void {
  const chart = init(box, undefined, { renderer: 'svg' });
  charts.add(chart);
  chart.setOption({
    aria: { enabled: true, label: { description: `${model.title}. ${summary(model)}` } },
    tooltip: {
      trigger: 'axis',
      valueFormatter: undefined,
      formatter: (items: unknown) => {
        const list = items as Array<{
          dataIndex: number;
          seriesIndex: number;
          axisValueLabel: string;
        }>;
        const first = list[0];
        if (!first) return '';
        const lines = list.map((item) => {
          const series = model.series[item.seriesIndex]!;
          return `${escapeHtml(series.name)}: ${figureText(series.figures[item.dataIndex]!)}`;
        });
        return [escapeHtml(first.axisValueLabel), ...lines].join('<br/>');
      },
    },
    legend: model.series.length > 1 ? { top: 0 } : undefined,
    grid: {
      left: 8,
      right: 16,
      top: model.series.length > 1 ? 32 : 12,
      bottom: 8,
      containLabel: true,
    },
    xAxis: {
      type: 'category',
      data: model.categories.map((c) => c.label),
      axisLabel: { rotate: model.categories.length > 8 ? 40 : 0, interval: 0 },
    },
    yAxis: { type: 'value', axisLabel: { formatter: (value: number) => formatNumber(value) } },
    series: model.series.map((s) => ({
      name: s.name,
      type: 'bar',
      ...(s.color ? { itemStyle: { color: s.color } } : {}),
      data: s.figures.map((f) =>
        f.suppressed
          ? // No bar: an invisible item whose label says "< 10" at the axis.
            {
              value: 0,
              itemStyle: { opacity: 0 },
              label: { show: true, formatter: '< 10', color: '#8a5300' },
            }
          : f.value,
      ),
    })),
  });
  if (model.onSelect) {
    const select = model.onSelect;
    chart.on('click', (params) => {
      const category = model.categories[(params as { dataIndex: number }).dataIndex];
      if (category) select(category.code);
    });
  }
}

function tableView(model: TableModel): HTMLElement {
  const wrapper = el('div', { class: 'table-view' });
  const table = el('table', { 'data-table': model.id });
  table.append(el('caption', {}, model.title));
  const head = el('tr');
  head.append(el('th', { scope: 'col' }, model.categoryLabel));
  for (const s of model.series) head.append(el('th', { scope: 'col' }, s.name));
  table.append(el('thead', {}, head));
  const body = el('tbody');
  model.categories.forEach((category, i) => {
    const row = el('tr', { 'data-code': category.code });
    const name = el('th', { scope: 'row' });
    if (model.onSelect) {
      const select = model.onSelect;
      const button = el('button', { type: 'button', class: 'link' }, category.label);
      button.addEventListener('click', () => select(category.code));
      name.append(button);
    } else {
      name.textContent = category.label;
    }
    row.append(name);
    for (const s of model.series) {
      const figure = s.figures[i]!;
      row.append(
        el('td', { class: figure.suppressed ? 'hidden-figure' : 'figure' }, figureText(figure)),
      );
    }
    body.append(row);
  });
  table.append(body);
  wrapper.append(table);
  return wrapper;
}

/** A sentence for screen readers: how many categories and the largest one. */
function summary(model: TableModel): string {
  const first = model.series[0];
  if (!first) return '';
  let best = -1;
  let bestValue = -1;
  first.figures.forEach((f, i) => {
    if (!f.suppressed && f.value !== null && f.value > bestValue) {
      best = i;
      bestValue = f.value;
    }
  });
  const top =
    best >= 0 ? `${model.categories[best]!.label}: ${figureText(first.figures[best]!)}` : '';
  return `${model.categories.length} × ${model.series.length}. ${top}`;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

import type { ChartData } from "./chart-data.ts";

/**
 * The one chart definition: an ECharts option for a symbol's subject and reference series of one field, with each
 * issue marked (a line at its date, a band over its range) and, for an unapplied split, the subject/reference ratio.
 * Used as is by the PNG renderer (server-side SVG) and inlined into the report page by its source text, so it must
 * stay self-contained: no imports, no helpers outside its body.
 */
export function chartOption(
  chart: ChartData,
  field: "open" | "high" | "low" | "close" | "volume",
): Record<string, unknown> {
  const subject = chart.subject[field];
  const reference = chart.reference[field];
  const ratio = chart.subject.close.map((s, i) => {
    const r = chart.reference.close[i];
    return s !== null && r !== null && r !== undefined && r !== 0 ? Math.round((s / r) * 1e4) / 1e4 : null;
  });
  const lines = chart.marks
    .filter((m) => m.from === m.to)
    .map((m) => ({ xAxis: m.from, name: m.label, label: { formatter: m.label } }));
  const bands = chart.marks
    .filter((m) => m.from !== m.to)
    .map((m) => [{ xAxis: m.from, name: m.label }, { xAxis: m.to }]);
  const series: object[] = [
    {
      name: "datalake",
      type: "line",
      data: subject,
      connectNulls: false,
      symbolSize: 5,
      itemStyle: { color: "#c0392b" },
      lineStyle: { width: 2 },
      markLine: {
        symbol: "none",
        silent: true,
        lineStyle: { color: "#8e44ad", type: "dashed" },
        label: { position: "insideEndTop", fontSize: 10, color: "#8e44ad" },
        data: lines,
      },
      markArea: { silent: true, itemStyle: { color: "rgba(142,68,173,0.12)" }, label: { fontSize: 10 }, data: bands },
    },
    {
      name: "reference",
      type: "line",
      data: reference,
      symbolSize: 4,
      itemStyle: { color: "#2471a3" },
      lineStyle: { width: 2, type: "dashed" },
    },
  ];
  if (chart.showRatio)
    series.push({
      name: "ratio",
      type: "line",
      yAxisIndex: 1,
      data: ratio,
      step: "middle",
      symbol: "none",
      itemStyle: { color: "#7f8c8d" },
      lineStyle: { width: 1 },
    });
  const yAxis: object[] = [{ type: "value", scale: true, splitLine: { lineStyle: { color: "#eee" } } }];
  if (chart.showRatio)
    yAxis.push({ type: "value", scale: true, splitLine: { show: false }, axisLabel: { color: "#7f8c8d" } });
  return {
    animation: false,
    backgroundColor: "#ffffff",
    textStyle: { fontFamily: "DejaVu Sans, Arial, sans-serif" },
    title: { text: `${chart.symbol} · ${field}`, left: 8, top: 4, textStyle: { fontSize: 14 } },
    legend: { top: 6, right: 8, data: series.map((s) => (s as { name: string }).name) },
    tooltip: { trigger: "axis" },
    grid: { left: 64, right: chart.showRatio ? 64 : 24, top: 56, bottom: 36 },
    xAxis: { type: "category", data: chart.dates, axisLabel: { fontSize: 10 } },
    yAxis,
    series,
  };
}

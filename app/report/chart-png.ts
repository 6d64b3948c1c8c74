import { Resvg } from "@resvg/resvg-js";
import * as echarts from "echarts";
import type { PriceField } from "../quality/types.ts";
import type { ChartData } from "./chart-data.ts";
import { chartOption } from "./chart-option.ts";

export interface ChartImageOptions {
  /** @default "close" */
  field?: PriceField;
  /** CSS pixels of the chart. @default 800 */
  width?: number;
  /** @default 360 */
  height?: number;
  /** Pixels per CSS pixel of the PNG (2 for a sharp image in Slack). @default 2 */
  scale?: number;
  /**
   * Font files for the labels. Where the machine has fonts (Debian: fonts-dejavu-core) they are found by themselves;
   * a Lambda has none, so its bundle ships one and names it here.
   * @default []
   */
  fontFiles?: string[];
}

/** The chart as SVG, rendered on the server by ECharts (no browser, no DOM): the same definition as the page's. */
export function chartSvg(chart: ChartData, options: ChartImageOptions = {}): string {
  const instance = echarts.init(null, null, {
    renderer: "svg",
    ssr: true,
    width: options.width ?? 800,
    height: options.height ?? 360,
  });
  try {
    instance.setOption(chartOption(chart, options.field ?? "close"));
    return instance.renderToSVGString();
  } finally {
    instance.dispose();
  }
}

/** The chart as PNG, for Slack: ECharts' SVG rasterized by resvg (Rust, no browser, runs in Lambda). */
export function chartPng(chart: ChartData, options: ChartImageOptions = {}): Buffer {
  return rasterize(chartSvg(chart, options), options).asPng();
}

/** The rendered image, pixels included (tests look at them). */
export function rasterize(svg: string, options: ChartImageOptions = {}) {
  return new Resvg(svg, {
    background: "#ffffff",
    fitTo: { mode: "width", value: (options.width ?? 800) * (options.scale ?? 2) },
    font: { loadSystemFonts: true, fontFiles: options.fontFiles ?? [], defaultFontFamily: "DejaVu Sans" },
  }).render();
}

import { initWasm, Resvg } from "@resvg/resvg-wasm";
import * as echarts from "echarts";
import type { PriceField } from "../quality/types.ts";
import { reportAsset } from "./assets.ts";
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

/** The chart as PNG, for Slack: ECharts' SVG rasterized by resvg. */
export async function chartPng(chart: ChartData, options: ChartImageOptions = {}): Promise<Buffer> {
  const image = await rasterize(chartSvg(chart, options), options);
  try {
    return Buffer.from(image.asPng());
  } finally {
    image.free();
  }
}

let ready: Promise<void> | undefined;

/** resvg's WebAssembly module, compiled once per process. */
function resvgReady(): Promise<void> {
  ready ??= initWasm(reportAsset("resvgWasm")).catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return ready;
}

/**
 * The rendered image, pixels included (tests look at them); the caller frees it. resvg runs as WebAssembly, so the
 * same code draws on this machine and in an arm64 Lambda, and the labels use the font shipped with dq, never the
 * machine's: no system font is read, so an image looks the same wherever it is drawn.
 */
export async function rasterize(svg: string, options: ChartImageOptions = {}) {
  await resvgReady();
  const resvg = new Resvg(svg, {
    background: "#ffffff",
    fitTo: { mode: "width", value: (options.width ?? 800) * (options.scale ?? 2) },
    font: { fontBuffers: [new Uint8Array(reportAsset("font"))], defaultFontFamily: "DejaVu Sans" },
  });
  try {
    return resvg.render();
  } finally {
    resvg.free();
  }
}

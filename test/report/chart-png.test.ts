import { describe, expect, it } from "vitest";
import type { Bar } from "../../app/domain/bar.ts";
import type { Issue } from "../../app/quality/types.ts";
import { chartData } from "../../app/report/chart-data.ts";
import { chartPng, chartSvg, rasterize } from "../../app/report/chart-png.ts";

const DATES = ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-09", "2026-03-10"];

function bars(factor: (i: number) => number): Bar[] {
  return DATES.map((date, i) => {
    const close = (100 + i) * factor(i);
    return { date, open: close, high: close * 1.01, low: close * 0.99, close, volume: 1_000_000 };
  });
}

const split: Issue = {
  code: "adjustment_mismatch",
  severity: "error",
  message: "close is 4× the reference from 2026-03-02 to 2026-03-05",
  from: "2026-03-02",
  to: "2026-03-05",
  factor: 4,
};
const print: Issue = { code: "price_mismatch", severity: "error", message: "one bad print", date: "2026-03-09" };
const chart = chartData(
  "AVGO",
  bars((i) => (i < 4 ? 4 : i === 5 ? 1.3 : 1)),
  bars(() => 1),
  [split, print],
);

function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe("a chart as an image, for Slack", () => {
  it("is an SVG with both series, the issue dates marked and the ratio of a split", () => {
    const svg = chartSvg(chart);
    expect(svg.startsWith("<svg")).toBe(true);
    for (const text of ["AVGO", "datalake", "reference", "ratio", "price_mismatch", "adjustment_mismatch"])
      expect(svg, text).toContain(text);
  });

  it("is a PNG of the asked size, twice the CSS pixels", async () => {
    const png = await chartPng(chart, { width: 800, height: 360 });
    expect(pngSize(png)).toEqual({ width: 1600, height: 720 });
    expect(png.length).toBeGreaterThan(20_000);
    expect(png.length).toBeLessThan(1_000_000);
  });

  it("is not blank: both series' colours are drawn and the labels have ink, in the font shipped with dq", async () => {
    const image = await rasterize(chartSvg(chart));
    const pixels = image.pixels;
    image.free();
    let red = 0;
    let blue = 0;
    let dark = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const [r, g, b] = [pixels[i] ?? 0, pixels[i + 1] ?? 0, pixels[i + 2] ?? 0];
      if (r > 150 && g < 90 && b < 90) red++;
      if (b > 130 && r < 90) blue++;
      if (r < 80 && g < 80 && b < 80) dark++;
    }
    expect(red, "datalake series").toBeGreaterThan(500);
    expect(blue, "reference series").toBeGreaterThan(500);
    expect(dark, "text").toBeGreaterThan(500);
  });
});

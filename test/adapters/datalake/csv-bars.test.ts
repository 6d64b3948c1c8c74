import { describe, expect, it } from "vitest";
import { columnSpec } from "../../../app/adapters/datalake/columns.ts";
import { parseCsvBars } from "../../../app/adapters/datalake/csv-bars.ts";
import { BarFormatError } from "../../../app/adapters/datalake/errors.ts";
import { barsToCsv, sampleBars } from "../../helpers/bar-files.ts";

const spec = columnSpec();

describe("parseCsvBars", () => {
  it("reads the default columns, with an empty volume as null", () => {
    const bars = parseCsvBars(barsToCsv(sampleBars()), spec);

    expect(bars).toEqual(sampleBars());
  });

  it("accepts a timestamp column, CRLF lines, a BOM, quoted fields and columns in any order", () => {
    const text = '\uFEFFvolume,close,low,high,open,timestamp,adj_close\r\n"100",2,1,3,1.5,2026-01-16T00:00:00Z,1.9\r\n';

    const bars = parseCsvBars(text, spec);

    expect(bars).toEqual([{ date: "2026-01-16", open: 1.5, high: 3, low: 1, close: 2, volume: 100 }]);
  });

  it("uses configured column names, ignoring case", () => {
    const text = "Day,O,H,L,C\n2026-01-16,1,2,0.5,1.5\n";

    const bars = parseCsvBars(text, columnSpec({ date: "day", open: "o", high: "h", low: "l", close: "c" }));

    expect(bars).toEqual([{ date: "2026-01-16", open: 1, high: 2, low: 0.5, close: 1.5, volume: null }]);
  });

  it("rejects a row with the wrong number of fields, naming its line", () => {
    const text = "date,open,high,low,close,volume\n2026-01-15,1,2,0.5,1.5,10\n\n2026-01-16,1,2,0.5\n";

    expect(() => parseCsvBars(text, spec)).toThrow(/^line 4: expected 6 fields, found 4$/);
  });

  it("reads NaN and blank prices as missing values", () => {
    const text = "date,open,high,low,close,volume\n2026-01-16,1,2,0.5,NaN,10\n2026-01-17,,2,0.5,1,10\n";

    const [first, second] = parseCsvBars(text, spec);

    expect([first?.close, second?.open]).toEqual([Number.NaN, Number.NaN]);
  });

  it("rejects a price that is not a number, naming line and column", () => {
    const text = "date,open,high,low,close,volume\n2026-01-16,1,2,0.5,1.2.3,10\n";

    expect(() => parseCsvBars(text, spec)).toThrow(/line 2, column close: "1.2.3" is not a number/);
  });

  it("passes zero and negative prices through", () => {
    const text = "date,open,high,low,close,volume\n2026-01-16,0,2,-1,1.5,-10\n";

    const [bar] = parseCsvBars(text, spec);

    expect(bar).toEqual({ date: "2026-01-16", open: 0, high: 2, low: -1, close: 1.5, volume: -10 });
  });

  it("rejects a header without a required column", () => {
    expect(() => parseCsvBars("date,open,high,low\n", spec)).toThrow(BarFormatError);
    expect(() => parseCsvBars("date,open,high,low\n", spec)).toThrow(/missing column close/);
  });

  it("reads an empty file as no bars", () => {
    expect(parseCsvBars("", spec)).toEqual([]);
  });
});

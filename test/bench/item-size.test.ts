import { describe, expect, it } from "vitest";
import { dynamoItemSize, itemKind } from "../../bench/item-size.ts";

describe("dynamoItemSize", () => {
  it("counts attribute names and UTF-8 string bytes", () => {
    expect(dynamoItemSize({ PK: { S: "abc" }, é: { S: "é" } })).toBe(2 + 3 + 2 + 2);
  });

  it("counts a number as one byte per two significant digits plus one", () => {
    expect(dynamoItemSize({ n: { N: "12345" } })).toBe(1 + 4);
  });

  it("counts a list as 3 bytes plus one per element plus the elements", () => {
    expect(dynamoItemSize({ l: { L: [{ S: "ab" }, { BOOL: true }] } })).toBe(1 + 3 + (1 + 2) + (1 + 1));
  });
});

describe("itemKind", () => {
  it("tells sessions, batches, results and ledger items apart by their keys", () => {
    const kinds = [
      { PK: { S: "SESSION#s-1" }, SK: { S: "META" } },
      { PK: { S: "SESSION#s-1" }, SK: { S: "BATCH#000001" } },
      { PK: { S: "SESSION#s-1" }, SK: { S: "RESULT#AAPL" } },
      { PK: { S: "LEDGER#abc" }, SK: { S: "GRID" } },
    ].map(itemKind);

    expect(kinds).toEqual(["session", "batch", "result", "ledger"]);
  });
});

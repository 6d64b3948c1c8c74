import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/**
 * An item's size as DynamoDB bills and limits it (400 KB per item): attribute names plus values, where a string
 * counts its UTF-8 bytes, a number about one byte per two significant digits plus one, a list or map 3 bytes plus
 * one per element. See "Item sizes and formats" in the DynamoDB developer guide.
 */
export function dynamoItemSize(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((n, s) => n + numberSize(s), 0);
  if (value.BS !== undefined) return value.BS.reduce((n, b) => n + b.byteLength, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((n, v) => n + 1 + valueSize(v), 0);
  if (value.M !== undefined) return 3 + Object.keys(value.M).length + dynamoItemSize(value.M);
  return 0;
}

function numberSize(text: string): number {
  const digits = text.replace(/^-/, "").replace(/e.*$/i, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** What an item is, from its keys: `session`, `batch`, `result`, `ledger` or `other`. */
export function itemKind(item: Record<string, AttributeValue>): string {
  const pk = item.PK?.S ?? "";
  const sk = item.SK?.S ?? "";
  if (pk.startsWith("LEDGER#")) return "ledger";
  if (sk === "META") return "session";
  if (sk.startsWith("BATCH#")) return "batch";
  if (sk.startsWith("RESULT#")) return "result";
  return "other";
}

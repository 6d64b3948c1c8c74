/** A DynamoDB call of the store or the ledger failed for a reason other than a lost condition. */
export class StoreError extends Error {
  override name = "StoreError";
  readonly operation: string;
  readonly tableName: string;
  /** The item's key (`PK / SK`) or the key prefix the operation worked on, for the operator's search. */
  readonly key: string | undefined;
  constructor(operation: string, tableName: string, key: string | undefined, reason: string, options?: ErrorOptions) {
    super(
      `dynamodb ${operation} on ${tableName}${key === undefined ? "" : ` (${key})`} failed: ${oneLine(reason)}`,
      options,
    );
    this.operation = operation;
    this.tableName = tableName;
    this.key = key;
  }
}

/** A pagination cursor that this store did not issue for this listing. */
export class InvalidCursorError extends StoreError {
  override name = "InvalidCursorError";
  constructor(operation: string, tableName: string, key: string) {
    super(operation, tableName, key, "invalid pagination cursor");
  }
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

export function reasonOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}

/**
 * Collects the placeholders of one DynamoDB expression set (update, condition, filter), so that every attribute
 * name goes through `#name` (no reserved-word surprises: `status`, `limit`, `ttl` are reserved) and every value
 * through a fresh `:vN`.
 */
export class ExpressionBuilder {
  readonly #names: Record<string, string> = {};
  readonly #values: Record<string, unknown> = {};
  #count = 0;

  /** `#attribute`; attribute names are the store's own identifiers, never user input. */
  name(attribute: string): string {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(attribute)) throw new TypeError(`unexpected attribute name ${attribute}`);
    const ref = `#${attribute}`;
    this.#names[ref] = attribute;
    return ref;
  }

  value(value: unknown): string {
    const ref = `:v${this.#count++}`;
    this.#values[ref] = value;
    return ref;
  }

  /** The placeholder maps, leaving out an empty one (DynamoDB rejects empty maps). */
  params(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    return {
      ...(Object.keys(this.#names).length > 0 ? { ExpressionAttributeNames: this.#names } : {}),
      ...(Object.keys(this.#values).length > 0 ? { ExpressionAttributeValues: this.#values } : {}),
    };
  }
}

/** `SET a = :x, b = :y REMOVE c ADD d :z`, leaving out empty clauses. */
export function updateExpression(clauses: { set?: string[]; remove?: string[]; add?: string[] }): string {
  const parts: string[] = [];
  if (clauses.set?.length) parts.push(`SET ${clauses.set.join(", ")}`);
  if (clauses.remove?.length) parts.push(`REMOVE ${clauses.remove.join(", ")}`);
  if (clauses.add?.length) parts.push(`ADD ${clauses.add.join(", ")}`);
  return parts.join(" ");
}

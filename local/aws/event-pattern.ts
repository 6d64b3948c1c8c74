import { UnsupportedEventPatternError } from "./errors.ts";

/** An EventBridge event pattern restricted to exact values: `{ field: [value, ...], nested: { field: [...] } }`. */
export interface ExactEventPattern {
  readonly [field: string]: readonly (string | number | boolean | null)[] | ExactEventPattern;
}

/**
 * Throws UnsupportedEventPatternError when the pattern uses content filters (prefix, anything-but, numeric, …),
 * which the local matcher does not implement: better to fail at start than to route differently from AWS.
 */
export function assertExactPattern(pattern: unknown, path = "$"): asserts pattern is ExactEventPattern {
  if (pattern === null || typeof pattern !== "object" || Array.isArray(pattern))
    throw new UnsupportedEventPatternError(path, "expected an object of fields");
  for (const [field, condition] of Object.entries(pattern)) {
    const at = `${path}.${field}`;
    if (Array.isArray(condition)) {
      if (condition.length === 0) throw new UnsupportedEventPatternError(at, "an empty array matches nothing");
      for (const value of condition)
        if (value !== null && typeof value === "object")
          throw new UnsupportedEventPatternError(at, `content filter ${JSON.stringify(value)} is not supported`);
    } else {
      assertExactPattern(condition, at);
    }
  }
}

/**
 * EventBridge's matching for exact values: every field of the pattern must be present in the event; a value
 * matches when it is one of the listed values, an array value when any element is; objects match field by field.
 */
export function matchesPattern(pattern: ExactEventPattern, event: unknown): boolean {
  if (event === null || typeof event !== "object" || Array.isArray(event)) return false;
  const fields = event as Record<string, unknown>;
  for (const [field, condition] of Object.entries(pattern)) {
    if (!(field in fields)) return false;
    const value = fields[field];
    if (isValueList(condition)) {
      const candidates = Array.isArray(value) ? value : [value];
      if (!candidates.some((candidate) => condition.some((allowed) => allowed === candidate))) return false;
    } else if (!matchesPattern(condition, value)) {
      return false;
    }
  }
  return true;
}

function isValueList(condition: ExactEventPattern[string]): condition is readonly (string | number | boolean | null)[] {
  return Array.isArray(condition);
}

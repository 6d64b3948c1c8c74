export type { ColumnNames } from "./columns.ts";
export { createDatalake, type DatalakeOptions } from "./create-datalake.ts";
export { DatalakeConfigError, DatalakeListError, DatalakeReadError } from "./errors.ts";

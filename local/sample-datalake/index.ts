export { CSV_HEADER, formatCsvBars, parquetBarsBuffer, writeCsvBars, writeParquetBars } from "./bar-files.ts";
export { DEFECTS, type Defect, type DefectWindow, type PlannedDefect, planDefects } from "./defect-plan.ts";
export {
  generateSampleDatalake,
  type SampleDatalake,
  type SampleDatalakeOptions,
  type SampleFormat,
} from "./generate-sample-datalake.ts";
export { SampleDatalakeError } from "./sample-datalake-error.ts";

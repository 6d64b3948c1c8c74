/** The sample datalake cannot be generated as asked (unknown symbol, a window too short for the defects). */
export class SampleDatalakeError extends Error {
  override name = "SampleDatalakeError";
}

/**
 * Fixed region, account and fake credentials of the local stack. Emulators accept any credentials; fixed ones keep
 * a developer's real AWS keys out of every local request.
 */
export const LOCAL_REGION = "us-east-1";
/** The account fauxqs puts in its ARNs; the shims use the same one so ARNs line up. */
export const LOCAL_ACCOUNT_ID = "000000000000";
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

/** Base URLs (e.g. `http://127.0.0.1:41234`) of the emulators and shims that are running. */
export interface LocalEndpoints {
  dynamodb?: string;
  sqs?: string;
  s3?: string;
  eventbridge?: string;
  scheduler?: string;
  lambda?: string;
}

const ENDPOINT_VARIABLES = {
  dynamodb: "AWS_ENDPOINT_URL_DYNAMODB",
  sqs: "AWS_ENDPOINT_URL_SQS",
  s3: "AWS_ENDPOINT_URL_S3",
  eventbridge: "AWS_ENDPOINT_URL_EVENTBRIDGE",
  scheduler: "AWS_ENDPOINT_URL_SCHEDULER",
  lambda: "AWS_ENDPOINT_URL_LAMBDA",
} as const satisfies Record<keyof LocalEndpoints, string>;

/**
 * The environment that points the standard AWS SDK clients at the local stack: the service-specific endpoint
 * variables the SDK reads by itself, so code outside local/ never learns it runs locally.
 */
export function localAwsEnv(endpoints: LocalEndpoints): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
  for (const [service, variable] of Object.entries(ENDPOINT_VARIABLES)) {
    const endpoint = endpoints[service as keyof LocalEndpoints];
    if (endpoint !== undefined) env[variable] = endpoint;
  }
  return env;
}

/** Client configuration for one emulator, for local code that builds its own client. */
export function localClientConfig(endpoint: string) {
  return { endpoint, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } };
}

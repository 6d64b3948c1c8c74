import { S3Client } from "@aws-sdk/client-s3";
import { startFauxqs as startServer } from "fauxqs";

export interface RunningFauxqs {
  /** http://127.0.0.1:<port>: the SQS, SNS and S3 endpoint. */
  endpoint: string;
  stop(): Promise<void>;
}

/** fauxqs in this process, on a loopback port the OS picks, with in-memory state. Stop it in afterAll. */
export async function startFauxqs(): Promise<RunningFauxqs> {
  const server = await startServer({ port: 0, logger: false, host: "127.0.0.1" });
  return { endpoint: server.address, stop: () => server.stop() };
}

/** An S3 client for the emulator: path-style, because bucket subdomains of 127.0.0.1 do not resolve. */
export function s3ClientFor(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
}

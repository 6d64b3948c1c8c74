import * as pulumi from "@pulumi/pulumi";

/** One IAM statement: explicit actions on named resources. There is no way to say "all actions". */
export interface Statement {
  sid: string;
  actions: readonly string[];
  resources: readonly pulumi.Input<string>[];
  condition?: Record<string, Record<string, pulumi.Input<string> | readonly pulumi.Input<string>[]>>;
}

/** The JSON policy document for a set of statements, resolved once every ARN is known. */
export function policyDocument(statements: readonly Statement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: statements.map((s) => ({
      Sid: s.sid,
      Effect: "Allow",
      Action: [...s.actions],
      Resource: [...s.resources],
      ...(s.condition ? { Condition: s.condition } : {}),
    })),
  });
}

/**
 * A trust policy that lets one AWS service assume the role, optionally only on behalf of one source (its ARN and
 * its account: the confused-deputy guard AWS recommends).
 */
export function assumeRolePolicy(
  service: string,
  source?: { arn: pulumi.Input<string>; account: pulumi.Input<string> },
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(source === undefined
          ? {}
          : { Condition: { StringEquals: { "aws:SourceAccount": source.account, "aws:SourceArn": source.arn } } }),
      },
    ],
  });
}

import type { DqCommand } from "./command.ts";

/**
 * Who may use `/dq`, by Slack ID. The lists combine as follows:
 * - `allowedChannels` empty: any channel (the user list then decides); otherwise only these channels.
 * - `allowedUsers` empty: any user of an allowed channel; otherwise only these users (and the admins).
 * - both empty: nobody — a deployment with no allow-list must not be open to a whole workspace; every attempt
 *   gets a refusal that names the missing setting, and the app logs a warning when it starts.
 * - `admins` alone may cancel sessions and change the daily schedule; admins are allowed users, but the channel
 *   rule applies to them too. `schedule show` only reads, so allowed users may use it.
 * `help` (and text that is not a command) answers anyone: it reveals nothing and changes nothing.
 */
export interface SlackPolicy {
  allowedUsers: readonly string[];
  allowedChannels: readonly string[];
  admins: readonly string[];
}

export interface SlackCaller {
  userId: string;
  channelId: string;
}

export type AuthorizationDecision = { allowed: true } | { allowed: false; reason: string };

/** True when nothing is allowed: the operator forgot to configure the allow-lists. */
export function isClosedPolicy(policy: SlackPolicy): boolean {
  return policy.allowedUsers.length === 0 && policy.allowedChannels.length === 0 && policy.admins.length === 0;
}

export function requiresAdmin(command: DqCommand): boolean {
  if (command.kind === "cancel") return true;
  return command.kind === "schedule" && command.schedule.action !== "show";
}

export function authorize(command: DqCommand, caller: SlackCaller, policy: SlackPolicy): AuthorizationDecision {
  if (command.kind === "help" || command.kind === "unknown" || command.kind === "invalid") return { allowed: true };
  if (isClosedPolicy(policy))
    return {
      allowed: false,
      reason: "dq has no allowed users or channels configured (DQ_SLACK_ALLOWED_USERS / DQ_SLACK_ALLOWED_CHANNELS)",
    };
  const isAdmin = policy.admins.includes(caller.userId);
  if (policy.allowedChannels.length > 0 && !policy.allowedChannels.includes(caller.channelId))
    return { allowed: false, reason: "dq is not enabled in this channel" };
  if (policy.allowedUsers.length > 0 && !policy.allowedUsers.includes(caller.userId) && !isAdmin)
    return { allowed: false, reason: "you are not on dq's list of allowed users" };
  if (policy.allowedUsers.length === 0 && policy.allowedChannels.length === 0 && !isAdmin)
    return { allowed: false, reason: "only dq admins may use dq here" };
  if (requiresAdmin(command) && !isAdmin)
    return { allowed: false, reason: `\`${describeKind(command)}\` is reserved for dq admins` };
  return { allowed: true };
}

function describeKind(command: DqCommand): string {
  return command.kind === "schedule" ? `schedule ${command.schedule.action}` : command.kind;
}

/** The `action_id`s of dq's buttons. */
export const ActionId = {
  /** On a summary with failed or errored symbols: a linked session over them, like `/dq retry`. */
  retryFailed: "dq_retry_failed",
  /** On a running session's live message: like `/dq cancel` (admins). */
  cancel: "dq_cancel",
  /** Links: Slack opens the page and still sends an action, which only needs its acknowledgement. */
  openReport: "dq_open_report",
  openLogs: "dq_open_logs",
} as const;
export type ActionId = (typeof ActionId)[keyof typeof ActionId];

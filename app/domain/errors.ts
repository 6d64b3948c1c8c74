/**
 * An error whose message is safe and useful to show the person who asked (a Slack user, an operator at a terminal)
 * as it is: it says what was wrong with their input, the configuration or the request, and never shows internals
 * (stack traces, SDK messages, unexpected values). Extend it only for such errors; callers check with `instanceof`
 * and show anything else as a generic message, with the full error in the log only.
 */
export class UserFacingError extends Error {
  override name = "UserFacingError";
}

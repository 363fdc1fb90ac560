/**
 * A request the domain refuses in the current state (join first, the show has ended, no such
 * cue…) or as given (a file too large, not media). Its message is meant for the person who asked;
 * the edges return it as is, with its HTTP status (409 unless said otherwise).
 */
export class Refusal extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 | 413 | 415 | 422 | 507 = 409,
  ) {
    super(message);
  }
}

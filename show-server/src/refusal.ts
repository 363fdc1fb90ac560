/**
 * A request the domain refuses in the current state (join first, the show has ended, no such
 * cue…). Its message is meant for the person who asked; the edges return it as is.
 */
export class Refusal extends Error {}

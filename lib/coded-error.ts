/**
 * The base of every error class the library throws for a known reason: a stable string `code`
 * for programs, a message for people. Subclasses fix the code set and the name.
 */
export class CodedError<C extends string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The `code` of the response envelope. Values keep their meaning once published. */
export enum ResultCode {
  Ok = 0,
  /** Bad input, unknown user, unknown app or type: the caller can fix it. */
  Business = 1,
  /** A model provider (GPT or Stable Diffusion) failed. */
  Provider = 2,
  /** The service itself failed: database unreachable or an unexpected error. */
  Internal = 3,
}

// The one error a client command throws for a failure the user can act on: the command line prints
// its message alone (no stack) and exits 1. Anything else is a bug and is printed with its stack.
export class ClientError extends Error {
  override readonly name = 'ClientError';
}

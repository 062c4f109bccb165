/**
 * The decoder declines (rather than rejects) what it does not handle or what is not perfectly clean: the caller then
 * hands the file to a general decoder, which decides whether the image is usable. Internally a decline is thrown as
 * this error and turned into `{ ok: false, reason }` at the decoder's entry points.
 */
export class Decline extends Error {}

export function decline(reason: string): never {
  throw new Decline(reason);
}

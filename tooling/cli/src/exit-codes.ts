/**
 * The exit codes of every CLI: 0 done, 1 an error (one line for the errors a user can fix, the stack for bugs),
 * 2 a mistake on the command line or bad input, 130 / 143 stopped by SIGINT / SIGTERM (128 + the signal's number).
 */
export const exitCodes = Object.freeze({ ok: 0, error: 1, usage: 2, SIGINT: 130, SIGTERM: 143 });

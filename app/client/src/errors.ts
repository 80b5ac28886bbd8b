// The program's errors by code, name and message: its own (from idl/margin.json, as the program declares them)
// and the Anchor framework's that its account checks raise (the same table as crates/margin-sdk/src/errors.rs).
import idl from '../../../idl/margin.json';

/** A program error: code, name and message. */
export type ProgramError = { code: number; name: string; message: string };

/** Anchor's framework errors the program's account constraints raise. */
const ANCHOR_ERRORS: [number, string, string][] = [
  [2000, 'ConstraintMut', 'a mut constraint was violated'],
  [2001, 'ConstraintHasOne', 'a has_one constraint was violated'],
  [2003, 'ConstraintRaw', 'a raw constraint was violated'],
  [2006, 'ConstraintSeeds', 'a seeds constraint was violated: wrong PDA'],
  [2012, 'ConstraintAddress', 'an address constraint was violated'],
  [2014, 'ConstraintTokenMint', 'a token mint constraint was violated'],
  [2015, 'ConstraintTokenOwner', 'a token owner constraint was violated'],
  [2040, 'ConstraintDuplicateMutableAccount', 'the same mutable account was passed twice'],
  [3001, 'AccountDiscriminatorNotFound', 'the account has no discriminator'],
  [3002, 'AccountDiscriminatorMismatch', 'the account is of another type'],
  [3006, 'AccountNotMutable', 'the account must be writable'],
  [3007, 'AccountOwnedByWrongProgram', 'the account is owned by another program'],
  [3010, 'AccountNotSigner', 'the account must sign'],
  [3012, 'AccountNotInitialized', 'the account does not exist'],
];

const BY_CODE = new Map<number, ProgramError>([
  ...ANCHOR_ERRORS.map(([code, name, message]): [number, ProgramError] => [code, { code, name, message }]),
  ...idl.errors.map((error): [number, ProgramError] => [error.code, { code: error.code, name: error.name, message: error.msg }]),
]);

/** The error with `code`, or undefined when the program does not raise it. */
export function programError(code: number): ProgramError | undefined {
  return BY_CODE.get(code);
}

/** The program error in a transaction error as RPC reports it (`{ InstructionError: [index, { Custom: code }] }`),
 * or undefined for any other failure. */
export function programErrorOf(transactionError: unknown): ProgramError | undefined {
  const instructionError = (transactionError as { InstructionError?: [number, unknown] })?.InstructionError;
  const custom = (instructionError?.[1] as { Custom?: number | bigint } | undefined)?.Custom;
  return custom === undefined ? undefined : programError(Number(custom));
}

/**
 * `@dcgan/cli/basic`: the parts of the kit that import no @dcgan library (for the plain-JS tools such as
 * release-check): the exit codes, UsageError, option parsing and `--version`.
 */
export { exitCodes } from './exit-codes';
export { describeUsageError, isUsageError, runCommandLine } from './run-command-line';
export { choiceOption, integerOption, numberOption, parseOptions, type NumberRange } from './options';
export { UsageError } from './usage-error';
export { printVersionIfAsked, versionText } from './version';
export { standardOptionsHelp } from './help';

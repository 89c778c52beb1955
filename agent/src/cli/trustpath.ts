#!/usr/bin/env node
// `trustpath`: the command line. Parses the subcommand, runs it, maps outcomes to
// exit statuses (see EXPLAIN_HELP) and never lets an exception escape as a stack.

import { readFileSync } from 'node:fs';
import { SystemUserDatabase } from '../identity/users.js';
import { EXIT, explain, ExplainError } from './explain.js';
import { EXPLAIN_HELP, EXPLAIN_USAGE, parseExplainArgs, UsageError } from './explain-options.js';
import { renderJson, renderText, unread } from './explain-render.js';
import { dropToRulesUser } from './rules-user.js';
import { runPin } from './pin.js';

const HELP = `Usage: trustpath COMMAND [OPTIONS]
       trustpath --help | --version

Commands:
  explain   evaluate an action for a user against the installed actions and rules,
            without a bus, and show which file and rule decided
            (trustpath explain --help)
  pin       set or remove your PIN for your own requests, through the trusted
            prompt (trustpath pin --help)`;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

async function runExplain(argv: readonly string[]): Promise<number> {
  let opts;
  try {
    opts = parseExplainArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`trustpath explain: ${e.message}\n${EXPLAIN_USAGE}\n`);
    return EXIT.usage;
  }
  if (opts === 'help') {
    process.stdout.write(`${EXPLAIN_HELP}\n`);
    return 0;
  }
  try {
    const users = new SystemUserDatabase();
    const e = await explain(opts, { users, beforeRules: () => dropToRulesUser(users), pid: process.pid });
    process.stdout.write(`${opts.json ? renderJson(e) : renderText(e)}\n`);
    if (unread(e) !== '') process.stderr.write(`trustpath explain: warning: ${unread(e)}\n`);
    return e.exitCode;
  } catch (e) {
    if (!(e instanceof ExplainError)) throw e;
    process.stderr.write(`trustpath explain: ${e.message}\n`);
    return e.exitCode;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (command === '--version') {
    process.stdout.write(`trustpath ${version()}\n`);
    return 0;
  }
  if (command === 'explain') return runExplain(rest);
  if (command === 'pin') return runPin(rest);
  process.stderr.write(`trustpath: ${command === undefined ? 'a command is needed' : `unknown command '${command}'`}\n` +
    'Usage: trustpath COMMAND [OPTIONS]   (trustpath --help)\n');
  return EXIT.usage;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  process.stderr.write(`trustpath: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = EXIT.error;
});

import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { CommandError, runCommand, withDatabase } from '../cli/command-runner.js';
import { parseDate } from '../cli/options.js';
import { rulesRelativeToServed } from '../db/queries/eligibility-rule-queries.js';
import {
  publishRuleVersion,
  RulePublicationRefused,
  unitMismatch,
} from '../db/queries/rule-publication-queries.js';
import { ruleImpact, type RuleImpact } from '../db/scoped/rule-impact.js';
import { parseRuleFile } from '../eligibility/rule-file.js';

interface PublishOptions {
  file: string;
  effective: string;
  dryRun?: boolean;
  yes?: boolean;
}

/** `dtks-gateway rules list` and `rules publish` (CONTRACT §14; docs/operations.md, "Rule versions"). */
export function registerRules(program: Command): void {
  const rules = program
    .command('rules')
    .description(
      "programs' eligibility rules: the versions in force and scheduled, and publishing one",
    );

  rules
    .command('list')
    .description(
      'list each program’s rule version in force for the served snapshot and the versions scheduled after it',
    )
    .action(() =>
      runCommand('rules list', (env) =>
        withDatabase(env, 'rules list', async (database) => {
          console.log(['PROGRAM', 'VERSION', 'STATUS', 'EFFECTIVE', 'RULE'].join('\t'));
          for (const r of await rulesRelativeToServed(database.db)) {
            console.log(
              [
                r.program,
                r.version,
                r.scheduled ? 'scheduled' : 'in force',
                r.effectiveOn ?? 'from the start',
                r.description,
              ].join('\t'),
            );
          }
        }),
      ),
    );

  rules
    .command('publish')
    .description(
      'publish the next version of a program’s rule, in force for snapshots as of DATE or later; ' +
        'shows first how many decisions on the served snapshot it would change, by reason and province',
    )
    .argument('<program>', 'the program, e.g. PKH')
    .requiredOption(
      '--file <RULE.json>',
      'the rule: {"description": "...", "rule": {"unit", "maxDecile", "qualifyingMember" | "targetGroup"}}',
    )
    .requiredOption(
      '--effective <DATE>',
      'in force for snapshots as of this date (YYYY-MM-DD) or later; after the served snapshot’s',
      parseDate,
    )
    .option('--dry-run', 'show the impact only; publish nothing')
    .option('--yes', 'publish without asking (the impact is still shown)')
    .action((code: string, options: PublishOptions) =>
      runCommand('rules publish', (env) =>
        withDatabase(env, 'rules publish', async (database) => {
          let text: string;
          try {
            text = await readFile(options.file, 'utf8');
          } catch (error) {
            throw new CommandError(`cannot read ${options.file}: ${(error as Error).message}`);
          }
          let parsed;
          try {
            parsed = parseRuleFile(text);
          } catch (error) {
            throw new CommandError((error as Error).message);
          }
          const programs = await rulesRelativeToServed(database.db);
          const current = programs.find((r) => r.program === code && !r.scheduled);
          if (!current) {
            const known = [...new Set(programs.map((r) => r.program))].join(', ');
            throw new CommandError(`unknown program ${code}; known: ${known}`);
          }
          if (current.unit !== parsed.rule.unit) {
            throw new CommandError(unitMismatch(code, current.unit, parsed.rule.unit));
          }
          process.stderr.write('deciding every registered NIK under both rules…\n');
          const impact = await ruleImpact(database.db, code, parsed.rule);
          console.log(
            impact
              ? describeImpact(code, impact, options.effective)
              : 'No snapshot is served yet: there are no decisions to compare.',
          );
          if (options.dryRun) {
            console.log('dry run: nothing published');
            return;
          }
          if (!options.yes && !(await confirmed(`Publish this version of ${code}?`))) {
            throw new CommandError(
              process.stdin.isTTY
                ? 'nothing published'
                : 'nothing published: add --yes to publish without asking (the impact is above)',
            );
          }
          try {
            const { version } = await publishRuleVersion(database.db, {
              program: code,
              rule: parsed.rule,
              description: parsed.description,
              effectiveOn: options.effective,
            });
            console.log(
              `published ${code} version ${version}, in force for snapshots as of ${options.effective} or later`,
            );
          } catch (error) {
            if (error instanceof RulePublicationRefused) throw new CommandError(error.message);
            throw error;
          }
        }),
      ),
    );
}

async function confirmed(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** The impact as an operator reads it: the total, the changes by reason, then by province. */
export function describeImpact(program: string, impact: RuleImpact, effective: string): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const total = impact.rows.reduce((sum, r) => sum + r.decisions, 0);
  const changed = impact.rows.filter((r) => r.before !== r.after);
  const changedTotal = changed.reduce((sum, r) => sum + r.decisions, 0);
  const lines = [
    `Impact on the served snapshot (as of ${impact.asOf}) if ${program} version ${impact.currentVersion} were replaced:`,
    `  ${n(changedTotal)} of ${n(total)} decisions would change.`,
  ];
  const byReason = new Map<string, number>();
  const byProvince = new Map<string, { name: string; decisions: number }>();
  for (const r of changed) {
    const key = `${r.before} → ${r.after}`;
    byReason.set(key, (byReason.get(key) ?? 0) + r.decisions);
    const p = byProvince.get(r.province) ?? { name: r.provinceName, decisions: 0 };
    p.decisions += r.decisions;
    byProvince.set(r.province, p);
  }
  if (changed.length > 0) {
    lines.push('  By reason (now → under the new version):');
    for (const [key, count] of [...byReason].sort((a, b) => b[1] - a[1])) {
      lines.push(`    ${key}\t${n(count)}`);
    }
    lines.push('  By province:');
    for (const [code, p] of [...byProvince].sort((a, b) => a[0].localeCompare(b[0]))) {
      lines.push(`    ${code} ${p.name}\t${n(p.decisions)}`);
    }
  }
  lines.push(
    `It applies from the first snapshot as of ${effective} or later; decisions on the snapshot served now keep version ${impact.currentVersion}.`,
  );
  return lines.join('\n');
}

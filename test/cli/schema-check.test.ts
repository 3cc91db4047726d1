// The CI gate as CI runs it: `node bin/pipewatch.js schema check ...` in a child process, with
// fixture files, checking exit codes (0 compatible, 1 incompatible, 2 no verdict) and the three
// output formats. Registry mode talks to the embedded registry on 127.0.0.1 over a real SQLite file.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startRegistryServer, type RunningRegistryServer } from '../../api/index.js';
import { engineCompatibilityChecker } from '../../schemas/index.js';
import { openDatabase } from '../../store/index.js';

const fixtures = 'test/fixtures/schemas';
const v1 = `${fixtures}/payment-v1.avsc`;
const v2 = `${fixtures}/payment-v2.avsc`;
const good = `${fixtures}/payment-v3-good.avsc`;
const bad = `${fixtures}/payment-v3-bad.avsc`;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

// Asynchronous on purpose: the registry server in this process must keep answering.
function pipewatch(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/pipewatch.js', 'schema', 'check', ...args],
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('pipewatch schema check against files', () => {
  it('exits 0 for a compatible candidate and says so', async () => {
    const run = await pipewatch('--candidate', good, '--previous', v1, '--previous', v2);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /payment-v3-good\.avsc is compatible under BACKWARD, checked against .*payment-v2\.avsc/,
    );
  });

  it('exits 1 and lists every problem in text', async () => {
    const run = await pipewatch('--candidate', bad, '--previous', v1, '--previous', v2);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /INCOMPATIBLE \(2 problems\) under BACKWARD/);
    assert.match(
      run.stdout,
      /TYPE_MISMATCH at \/fields\/amount\/type \(backward, against .*payment-v2\.avsc\)/,
    );
    assert.match(
      run.stdout,
      /Field 'amount' is int in .* but long in .*; data written as long cannot be read as int\./,
    );
    assert.match(run.stdout, /READER_FIELD_MISSING_DEFAULT_VALUE at \/fields\/merchant/);
  });

  it('--level overrides the default and checks every version when transitive', async () => {
    const run = await pipewatch(
      '--candidate',
      bad,
      '--previous',
      v1,
      '--previous',
      v2,
      '--level',
      'full_transitive',
    );
    assert.equal(run.code, 1);
    assert.match(run.stdout, /INCOMPATIBLE \(4 problems\) under FULL_TRANSITIVE/);
  });

  it('--format json prints a machine-readable verdict', async () => {
    const run = await pipewatch(
      '--candidate',
      bad,
      '--previous',
      v1,
      '--previous',
      v2,
      '--format',
      'json',
    );
    assert.equal(run.code, 1);
    const result = JSON.parse(run.stdout) as {
      compatible: boolean;
      level: string;
      checked: string[];
      incompatibilities: Array<{
        kind: string;
        path: string;
        direction: string;
        previousVersionIndex: number;
        previous: string;
      }>;
    };
    assert.equal(result.compatible, false);
    assert.equal(result.level, 'BACKWARD');
    assert.deepEqual(result.checked, [v2]);
    assert.deepEqual(
      result.incompatibilities.map((i) => [
        i.kind,
        i.path,
        i.direction,
        i.previousVersionIndex,
        i.previous,
      ]),
      [
        ['TYPE_MISMATCH', '/fields/amount/type', 'backward', 1, v2],
        ['READER_FIELD_MISSING_DEFAULT_VALUE', '/fields/merchant', 'backward', 1, v2],
      ],
    );
  });

  it('--format github prints Actions annotations pointing at the field line', async () => {
    const run = await pipewatch('--candidate', bad, '--previous', v2, '--format', 'github');
    assert.equal(run.code, 1);
    const lines = run.stdout.trim().split('\n');
    const amountLine =
      readFileSync(bad, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('"amount"')) + 1;
    assert.match(
      lines[0]!,
      new RegExp(
        `^::error file=${bad.replace(/\./g, '\\.')},line=${amountLine},title=TYPE_MISMATCH::/fields/amount/type: Field 'amount' is int`,
      ),
    );
    assert.match(
      lines[1]!,
      /^::error file=.*,title=READER_FIELD_MISSING_DEFAULT_VALUE::\/fields\/merchant: /,
    );
  });

  it('--format github turns a parse error into an annotation too', async () => {
    const run = await pipewatch('--candidate', `${fixtures}/not-avro.avsc`, '--format', 'github');
    assert.equal(run.code, 2);
    assert.match(
      run.stdout,
      /^::error title=SCHEMA_INVALID::.*not-avro\.avsc: unknown type 'money'/,
    );
  });

  it('exits 0 with no previous schema (a first version only has to be valid Avro)', async () => {
    const run = await pipewatch('--candidate', v1);
    assert.equal(run.code, 0, run.stderr);
  });

  const usageCases: ReadonlyArray<readonly [string, string[], RegExp]> = [
    [
      'a missing file',
      ['--candidate', `${fixtures}/absent.avsc`],
      /cannot read the --candidate file '.*absent\.avsc': ENOENT/,
    ],
    [
      'invalid JSON',
      ['--candidate', `${fixtures}/not-json.avsc`],
      /SCHEMA_INVALID: .*not-json\.avsc: the schema is not valid JSON/,
    ],
    [
      'invalid Avro in a previous file',
      ['--candidate', v1, '--previous', `${fixtures}/not-avro.avsc`],
      /not-avro\.avsc: unknown type 'money'.*\/fields\/0\/type/,
    ],
    [
      'a bad level',
      ['--candidate', v1, '--level', 'SIDEWAYS'],
      /--level 'SIDEWAYS' is not one of BACKWARD/,
    ],
    [
      'a bad format',
      ['--candidate', v1, '--format', 'xml'],
      /--format 'xml' is not one of text, json, github/,
    ],
    ['an unknown flag', ['--candidate', v1, '--bogus'], /Unknown option '--bogus'/],
    ['no candidate', ['--previous', v1], /--candidate NEW\.avsc is required/],
    [
      '--registry without --subject',
      ['--candidate', v1, '--registry', 'http://127.0.0.1:9'],
      /--registry and --subject go together/,
    ],
  ];
  for (const [title, args, pattern] of usageCases) {
    it(`exits 2 on ${title}, naming the culprit`, async () => {
      const run = await pipewatch(...args);
      assert.equal(run.code, 2);
      assert.match(run.stderr, pattern);
    });
  }
});

describe('pipewatch schema check against a registry subject', () => {
  const text = (file: string) => readFileSync(file, 'utf8');
  let url = '';
  let registry: RunningRegistryServer;

  before(async () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'pipewatch-gate-')), 'r.sqlite'));
    registry = await startRegistryServer({
      db,
      checker: engineCompatibilityChecker,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
    });
    url = registry.url;
    // History is written under NONE, then the levels the tests read are set.
    registry.registry.setGlobalLevel('NONE');
    for (const subject of ['payments-value', 'strict-value']) {
      for (const file of [v1, v2]) registry.registry.register(subject, { schema: text(file) });
    }
    registry.registry.setGlobalLevel('BACKWARD');
    registry.registry.setSubjectLevel('strict-value', 'FULL_TRANSITIVE');
  });
  after(() => registry.close());

  it('falls back to the global level when the subject has no own config (404)', async () => {
    const run = await pipewatch(
      '--candidate',
      bad,
      '--registry',
      url,
      '--subject',
      'payments-value',
      '--format',
      'json',
    );
    assert.equal(run.code, 1, run.stderr);
    const result = JSON.parse(run.stdout) as { level: string; checked: string[] };
    assert.equal(result.level, 'BACKWARD');
    assert.deepEqual(result.checked, ['payments-value version 2']);
  });

  it("uses the subject's own level", async () => {
    const run = await pipewatch('--candidate', bad, '--registry', url, '--subject', 'strict-value');
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stdout,
      /INCOMPATIBLE \(4 problems\) under FULL_TRANSITIVE, checked against strict-value version 1, strict-value version 2/,
    );
  });

  it('--progress prints each version read on stderr; without it (not a TTY) stderr stays empty', async () => {
    const args = ['--candidate', good, '--registry', url, '--subject', 'strict-value'];
    const quiet = await pipewatch(...args, '--format', 'json');
    const loud = await pipewatch(...args, '--format', 'json', '--progress');
    assert.equal(quiet.stderr, '');
    assert.equal(loud.code, quiet.code, loud.stderr);
    assert.equal(loud.stdout, quiet.stdout, 'stdout is the same report');
    const lines = loud.stderr.trim().split('\n');
    assert.equal(lines[0], `reading subject strict-value from ${url}…`);
    assert.deepEqual(lines.slice(1, 3), ['read version 1 of 2', 'read version 2 of 2']);
    assert.equal(lines[3], 'checking the candidate against 2 versions at FULL_TRANSITIVE…');
    assert.equal(lines.length, 4);
  });

  it('--level overrides the registry and a compatible candidate exits 0', async () => {
    const run = await pipewatch(
      '--candidate',
      good,
      '--registry',
      url,
      '--subject',
      'strict-value',
      '--level',
      'FORWARD',
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /compatible under FORWARD/);
  });

  it('a misspelled subject fails (exit 2), naming the subject and the near miss', async () => {
    // Before issue 9 item 13 this exited 0: "checked against no previous schema".
    const run = await pipewatch(
      '--candidate',
      bad,
      '--registry',
      url,
      '--subject',
      'paymnets-value',
    );
    assert.equal(run.code, 2, run.stdout);
    assert.match(
      run.stderr,
      /REGISTRY_SUBJECT_NOT_FOUND: subject 'paymnets-value' does not exist in the schema registry at http:\/\/127\.0\.0\.1:\d+; did you mean 'payments-value'\?/,
    );
    assert.match(run.stderr, /--new-subject/);
    assert.equal(run.stdout, '', 'no verdict is printed');
    const github = await pipewatch(
      '--candidate',
      bad,
      '--registry',
      url,
      '--subject',
      'paymnets-value',
      '--format',
      'github',
    );
    assert.equal(github.code, 2);
    assert.match(
      github.stdout,
      /^::error title=REGISTRY_SUBJECT_NOT_FOUND::subject 'paymnets-value'/,
    );
  });

  it('a subject declared new with --new-subject has nothing to break (exit 0)', async () => {
    const run = await pipewatch(
      '--candidate',
      bad,
      '--registry',
      url,
      '--subject',
      'new-value',
      '--new-subject',
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /compatible under BACKWARD/);
    // The flag only allows absence: an existing subject is still checked.
    const existing = await pipewatch(
      '--candidate',
      bad,
      '--registry',
      url,
      '--subject',
      'payments-value',
      '--new-subject',
    );
    assert.equal(existing.code, 1, existing.stderr);
  });

  it('--new-subject without --registry is a usage error', async () => {
    const run = await pipewatch('--candidate', bad, '--previous', v1, '--new-subject');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--new-subject goes with --registry and --subject/);
  });

  it('exits 2 when the registry cannot be reached', async () => {
    const run = await pipewatch(
      '--candidate',
      bad,
      '--registry',
      'http://127.0.0.1:9',
      '--subject',
      'x-value',
    );
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /SCHEMA_REGISTRY_UNAVAILABLE: schema registry http:\/\/127\.0\.0\.1:9 unreachable for GET \/subjects\/x-value\/versions/,
    );
  });
});

/** One progress line ("checked version 3 of 7"); a no-op when progress is off. */
export type Progress = (line: string) => void;

/**
 * Progress of long CLI work, on stderr: only when stderr is a terminal or `--progress` asks for
 * it, so a shell pipeline or a CI log reading stdout and stderr stays clean.
 */
export function progressReporter(
  flag: boolean | undefined,
  stream: { isTTY?: boolean; write(text: string): unknown } = process.stderr,
): Progress {
  if (flag !== true && stream.isTTY !== true) return () => {};
  return (line) => void stream.write(`${line}\n`);
}

/** Config edits that point the pilot's sinks at a WebHDFS emulator. */

/** Points the pilot's `hdfs` sink at WebHDFS (the rest of the pilot config is kept). */
export function withWebHdfsUrl(yaml: string, url: string): string {
  const out = yaml.replace(/\n {2}hdfs:\n {4}type: hdfs\n/, (m) => `${m}    url: ${url}\n    user: flume\n`);
  if (out === yaml) throw new Error('the pilot config has no `hdfs` sink of type hdfs');
  return out;
}

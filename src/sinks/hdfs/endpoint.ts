/**
 * Which backend an `hdfs` sink URL names.
 *
 *   (none), `file:`          → the embedded local layout under `root`
 *   `file:///abs/folder`     → the embedded local layout under that folder
 *   `webhdfs://host[:port]`  → WebHDFS at http://host:port (port default 9870, Hadoop 3)
 *   `swebhdfs://host[:port]` → WebHDFS at https://host:port (port default 9871)
 *   `http(s)://host:port`    → WebHDFS at that address
 * A URL with a path, query or credentials is refused: the folder comes from the sink's `path`
 * option and the user from `user`, so one thing is never said in two places.
 */

export type HdfsEndpoint = { readonly kind: 'local'; readonly root?: string } | { readonly kind: 'webhdfs'; readonly base: string };

const DEFAULT_PORTS: Record<string, { scheme: string; port: string }> = {
  'webhdfs:': { scheme: 'http:', port: '9870' },
  'swebhdfs:': { scheme: 'https:', port: '9871' },
  'http:': { scheme: 'http:', port: '' },
  'https:': { scheme: 'https:', port: '' },
};

/** The endpoint of a URL, or a message saying what is wrong with it. */
export function parseHdfsUrl(value: string): HdfsEndpoint | { readonly problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `"${value}" is not a URL (e.g. webhdfs://namenode:9870 or file:)` };
  }
  if (url.protocol === 'file:') {
    const root = decodeURIComponent(url.pathname);
    return root === '' || root === '/' ? { kind: 'local' } : { kind: 'local', root };
  }
  const scheme = DEFAULT_PORTS[url.protocol];
  if (!scheme) return { problem: `unsupported scheme "${url.protocol}" (use webhdfs:, swebhdfs:, http:, https: or file:)` };
  if (url.username || url.password) return { problem: 'must not hold credentials (use the user or delegationToken option)' };
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    return { problem: 'must be only scheme://host:port (the folder comes from the path option)' };
  }
  const port = url.port || scheme.port;
  return { kind: 'webhdfs', base: `${scheme.scheme}//${url.hostname}${port ? `:${port}` : ''}` };
}

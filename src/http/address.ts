/**
 * `HOST:PORT` listen addresses (`127.0.0.1:9464`, `0.0.0.0:9464`, `[::]:9464`, port 0 = any
 * free port). Parsing never throws on a well-formed address; a malformed one throws a RangeError
 * naming the expected form (the config schema rejects those before they get here).
 */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.-]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) throw new RangeError(`"${text}" is not HOST:PORT (e.g. 127.0.0.1:9464, 0.0.0.0:9464, [::]:9464)`);
  return { host: (m[1] ?? m[2]) as string, port };
}

/** The printable form, with brackets around an IPv6 host. */
export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

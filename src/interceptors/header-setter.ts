/**
 * Sets one header on events, sharing the result between events that had the same headers.
 *
 * Invariants:
 * - Same outcome as `if (!(preserveExisting && key in headers)) headers[key] = value` per event.
 * - Events that can share headers (line events, see SharedHeadersHolder) get a new shared object
 *   instead of a modified one; shared objects are never modified. Consecutive events that held the
 *   same shared object and receive the same value get the very same result object, so a batch
 *   stamped alike carries one headers object instead of one per event (less garbage to collect).
 * - Other events are modified in place, as before (their headers are their own).
 */
import { canShareHeaders, type FlumeEvent, type Headers, peekHeaders } from '../core/event.js';

export class HeaderSetter {
  // The last shared input, the value set on it and the shared result (identity memo).
  private lastInput: Readonly<Headers> | undefined;
  private lastValue = '';
  private lastOutput: Readonly<Headers> | undefined;

  constructor(
    private readonly key: string,
    private readonly preserveExisting: boolean,
  ) {}

  /** Whether the event keeps its header (preserveExisting and already set). */
  keeps(event: FlumeEvent): boolean {
    return this.preserveExisting && this.key in peekHeaders(event);
  }

  set(event: FlumeEvent, value: string): void {
    if (!canShareHeaders(event)) {
      if (!(this.preserveExisting && this.key in event.headers)) event.headers[this.key] = value;
      return;
    }
    const input = event.peekHeaders();
    if (input === this.lastInput && value === this.lastValue) {
      event.shareHeaders(this.lastOutput as Readonly<Headers>);
      return;
    }
    const output = this.preserveExisting && this.key in input ? input : { ...input, [this.key]: value };
    this.lastInput = input;
    this.lastValue = value;
    this.lastOutput = output;
    event.shareHeaders(output);
  }
}

/**
 * `diskBuffered`: the pipeline stage that puts a disk log (disk-log.ts) between a source's
 * validated batches and its sink lanes. It replaces `fanOut(lanes)` in a disk-buffered pipeline.
 *
 * Invariants:
 * - Write side: each incoming batch becomes one frame; its events are settled `delivered` (the
 *   source checkpoint may advance, flow-gate credit comes back) only once the frame is durable in
 *   the log; `rejected` and counted `buffer_full` when a log built with `drop_newest` found itself
 *   full (the agent builds its logs with `block` and drops at the intake, see source-buffer.ts);
 *   `failed` when the stage closed first (read again after a restart). Appends keep the input order.
 * - Read side: frames are read back in log order from the lowest sink position, decoded into
 *   events with their original ids, headers, bodies and records, and fanned out to the lanes.
 *   At most `window` events/bytes are in flight to the lanes (the slowest sink governs the
 *   reader; the log absorbs the difference, the source keeps going until the log is full).
 * - Per sink: a lane's `delivered`/`rejected` (dead-lettered) settle advances that sink's
 *   position to the frame's end; after a `failed` one the sink's position stays where it was for
 *   the rest of the run (the frames are re-delivered after a restart). A frame a sink already had
 *   before a restart (its stored position is past it) is not sent to it again.
 * - Completion: when the input completes, the stage completes once every appended frame was
 *   read and settled by every lane, then closes the log (fsync, positions saved). Teardown aborts
 *   the log: unsettled appends stay unacknowledged, the log keeps everything not acknowledged.
 * - Hand-over from memory: a frame appended in this run is given to the lanes as its original
 *   events when the reader reaches it while they are still held (DiskLog `held`), so a reader
 *   that keeps up never reads back or decodes; the intake waits for the reader while it keeps
 *   up (DiskLog.waitForHeldRoom) and stops waiting once the reader stalls (a sink down or slow),
 *   from when on the log absorbs and the reader later reads those frames from disk.
 * - Records stored under another schema than the current one (config changed between runs) are
 *   re-parsed from their bodies; lines that no longer parse are dead-lettered (stage `parse`).
 */
import { Observable, type OperatorFunction, of, Subject, type Subscription } from 'rxjs';
import { OnceAck } from '../../core/ack.js';
import type { DeadLetterEntry, DeadLetterSink, RecordParser } from '../../core/component.js';
import { type Ack, batchBytes, type EventBatch, type FlumeEvent, type SchemaRef, settleAll } from '../../core/event.js';
import type { Logger } from '../../core/logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import { fanOut } from '../../operators/fan-out.js';
import type { LaneProgress, LaneWork, SinkLane } from '../../operators/sink-lane.js';
import { FlowGate } from '../memory.js';
import { type DecodedBatch, decodeBatch, frameBatch, PayloadWriter, payloadEventCount, type StoredEvent } from './batch-codec.js';
import type { DiskLog, ReadFrame } from './disk-log.js';
import { comparePositions, type LogPosition } from './segment-format.js';

export interface DiskBufferedOptions {
  readonly sourceId: string;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** The parser of the pipeline: its schema decodes stored records; it re-parses on a schema change. */
  readonly parser?: RecordParser;
  /** Where re-parsed lines that fail go (only after a schema change). */
  readonly deadLetter?: DeadLetterSink;
  /** Bound on events/bytes read from the log and not yet settled by every lane. */
  readonly window?: { readonly maxEvents: number; readonly maxBytes: number };
}

interface FrameMeta {
  readonly end: LogPosition;
  /** Events handed to the lanes (window credit). */
  readonly events: number;
  /** Events the frame holds in the log (for the buffer gauge). */
  readonly logEvents: number;
  readonly bytes: number;
  lanesLeft: number;
}

/**
 * Stored events share one ack that does nothing: positions follow the lanes, not the events (and
 * fanOut is told not to settle events at all, so the source's acks of events handed on from
 * memory are settled once, at the append).
 */
const NO_ACK: Ack = { settled: false, settle() {} };

export const DEFAULT_READ_WINDOW = { maxEvents: 50_000, maxBytes: 32 * 1024 * 1024 };

export function diskBuffered(
  log: DiskLog,
  lanes: readonly SinkLane[],
  opts: DiskBufferedOptions,
): OperatorFunction<EventBatch, LaneProgress> {
  const { sourceId, metrics, logger } = opts;
  const schema: SchemaRef | undefined = opts.parser?.schema;

  return (source) =>
    new Observable<LaneProgress>((subscriber) => {
      const window = new FlowGate(opts.window ?? DEFAULT_READ_WINDOW);
      const meta = new WeakMap<EventBatch, FrameMeta>();
      const stuck = new Set<string>();
      const frames = new Subject<EventBatch>();
      const encoder = new PayloadWriter();
      let inputError: { err: unknown } | undefined;
      let torn = false;

      const laneDone = (m: FrameMeta, laneId: string, outcome: 'delivered' | 'rejected' | 'failed') => {
        if (outcome === 'failed') {
          if (!stuck.has(laneId))
            logger.warn({ sink: laneId }, 'disk buffer: a batch failed for this sink; its buffer position holds until a restart');
          stuck.add(laneId);
        } else if (!stuck.has(laneId)) log.sinkAcknowledged(laneId, m.end);
        if (--m.lanesLeft === 0) {
          window.release(m.events, m.bytes);
          log.unackedEvents -= m.logEvents;
        }
      };

      const positioned = lanes.map(
        (lane): SinkLane => ({
          id: lane.id,
          sink: lane.sink,
          deliver(work: LaneWork) {
            const m = meta.get(work.batch);
            if (!m) return lane.deliver(work);
            const n = work.batch.events.length;
            if (comparePositions(log.positions.get(lane.id), m.end) >= 0) {
              // This sink had the frame before a restart: do not send it twice.
              work.ack.settle('delivered');
              laneDone(m, lane.id, 'delivered');
              return of<LaneProgress>({ laneId: lane.id, sourceId, events: n, outcome: 'delivered', attempts: 0 });
            }
            const ack = new OnceAck((outcome) => {
              laneDone(m, lane.id, outcome);
              work.ack.settle(outcome);
            });
            return lane.deliver({ batch: work.batch, ack });
          },
        }),
      );

      const output: Subscription = frames.pipe(fanOut(positioned, { logger, settleEvents: false })).subscribe({
        next: (p) => subscriber.next(p),
        error: (err) => subscriber.error(err),
        complete: () => {
          log.close().then(
            () => (inputError ? subscriber.error(inputError.err) : subscriber.complete()),
            (err) => subscriber.error(err),
          );
        },
      });

      const ready = log.open();
      /** The last intake turn (see `next`): each batch waits for the one before it. */
      let intake: Promise<void> = ready;
      ready.catch((err) => {
        logger.error({ err, source: sourceId }, 'disk buffer: could not open its folder');
        subscriber.error(err);
      });

      const readLoop = async () => {
        await ready;
        for await (const frame of log.read()) {
          const { events, bytes, logEvents } = await eventsOf(frame);
          const m: FrameMeta = { end: frame.end, events: events.length, logEvents, bytes, lanesLeft: lanes.length };
          if (events.length === 0) {
            for (const lane of lanes) laneDone(m, lane.id, 'delivered');
            continue;
          }
          if ((await window.admit(events.length, bytes)) !== 'admitted') break;
          const batch: EventBatch = schema ? { sourceId, events, schema } : { sourceId, events };
          meta.set(batch, m);
          frames.next(batch);
        }
        frames.complete();
      };

      /** The frame's events: held in memory, or decoded (re-parsed after a schema change). */
      const eventsOf = async (frame: ReadFrame): Promise<{ events: FlumeEvent[]; bytes: number; logEvents: number }> => {
        if (frame.held) {
          // Appended in this run and still in memory: the original events, nothing to decode.
          const events = frame.held as FlumeEvent[];
          return { events, bytes: batchBytes(events), logEvents: events.length };
        }
        let decoded: DecodedBatch;
        try {
          decoded = decodeBatch(frame.payload, sourceId, schema, NO_ACK);
        } catch (err) {
          // Passed its checksum yet does not decode: nothing can deliver it; skip it loudly.
          metrics.bufferTornRecords(sourceId, 1);
          logger.error({ err, source: sourceId, at: frame.end }, 'disk buffer: a stored batch does not decode; skipped');
          return { events: [], bytes: 0, logEvents: payloadEventCount(frame.payload) };
        }
        const logEvents = decoded.events.length;
        if (decoded.schemaMatches) return { events: decoded.events, bytes: decoded.bytes, logEvents };
        // A failed dead-letter write rejects here and fails the pipeline: those lines stay in the log.
        const events = await reparse(decoded.events);
        return { events, bytes: batchBytes(events), logEvents };
      };

      const reparse = async (stored: StoredEvent[]): Promise<FlumeEvent[]> => {
        const parser = opts.parser;
        if (!parser) return stored;
        const kept: FlumeEvent[] = [];
        const bad: DeadLetterEntry[] = [];
        for (const event of stored) {
          const r = parser.parse(event.body);
          if (r.ok) {
            event.record = r.record;
            kept.push(event);
          } else bad.push({ event, sourceId, stage: 'parse', code: r.code, reason: r.reason });
        }
        if (bad.length > 0 && opts.deadLetter) {
          await opts.deadLetter.write(bad);
          metrics.eventsDeadLettered(sourceId, 'invalid', bad.length);
        }
        return kept;
      };

      readLoop().catch((err) => {
        if (!torn) subscriber.error(err);
      });

      const input = source.subscribe({
        next(batch) {
          const events = batch.events;
          if (events.length === 0) return;
          const frame = frameBatch(batch, encoder);
          // In intake order: wait for the reader when it keeps up (see DiskLog.waitForHeldRoom),
          // then append; appends are not awaited here, so they still commit in groups.
          const turn = intake.then(() => log.waitForHeldRoom(events.length));
          intake = turn;
          turn
            .then(() => log.append(frame, events.length, events))
            .then(
              (result) => {
                if (result === 'appended') settleAll(events, 'delivered');
                else if (result === 'dropped') {
                  settleAll(events, 'rejected');
                  metrics.eventsRejected(sourceId, 'buffer', 'buffer_full', events.length);
                } else settleAll(events, 'failed');
              },
              (err) => {
                settleAll(events, 'failed');
                if (!torn) subscriber.error(err);
              },
            );
        },
        error(err) {
          inputError = { err };
          intake.then(
            () => log.end(),
            () => undefined,
          );
        },
        complete() {
          // After the last intake turn, and registered after its append: `end` comes last.
          intake.then(
            () => log.end(),
            () => undefined,
          );
        },
      });

      return () => {
        torn = true;
        input.unsubscribe();
        window.close();
        output.unsubscribe();
        log.abort();
      };
    });
}

/**
 * Fault 2: the Kafka broker goes down for SIZES.outageMs under a steady 5 k lines/s on the
 * driving log, then comes back with a few produce errors injected. With the memory buffer the
 * source blocks once `maxEvents` are in flight (the log file holds the rest); with the disk
 * buffer the buffer absorbs the outage. Either way the agent's resident memory stays under
 * RSS_BOUND (sampled from /proc/<pid>/status), the sink reconnects, and the oracle holds.
 *
 * RSS bound (384 MiB, both buffers): the agent (node + kafkajs + both pipelines) runs at ~190–210
 * MiB here; the full 30 s outage peaked at 226 MiB with the memory buffer and 296 MiB with the
 * disk buffer (its read window and segment I/O). The bound leaves room for GC slack on a loaded
 * machine; the memory buffer's own bound is checked exactly through rxflume_buffer_events.
 * Blocking vs absorbing: at the end of the outage the memory-buffered source has read at least
 * one second of load less than was written (it blocked); the disk-buffered one is within two
 * seconds of the writer (it kept reading into the log).
 */
import { describe, expect, it } from 'vitest';
import { bufferKinds } from '../support/fault/buffers.js';
import { crashWindow, DEFAULT_MAX_EVENTS } from '../support/fault/config.js';
import { steadyLoad } from '../support/fault/load.js';
import { balanceOf, sampleRss, scrape, sumSeries, waitAllDelivered, waitBalanced } from '../support/fault/observe.js';
import { CLEAN_VERDICT, collectReport, summarize, verdict } from '../support/fault/oracle.js';
import { SIZE_NAME, SIZES } from '../support/fault/sizes.js';
import { useFaultRig } from '../support/fault/use-rig.js';
import { KafkaErrorCode } from '../support/kafka/mock-broker.js';

const RSS_BOUND = 384 * 1024 * 1024;

describe.each(bufferKinds({ diskInShort: true }))('Kafka broker down under load (%s buffer)', (buffer) => {
  const rigs = useFaultRig();

  it(`down ${SIZES.outageMs / 1000} s at ${SIZES.loadLinesPerSec} lines/s: bounded memory, nothing lost`, {
    timeout: 900_000,
  }, async () => {
    const r = await rigs.create({ buffer });
    const agent = await r.start();
    const pid = agent.child.pid as number;
    const rss = sampleRss(pid);
    let downAt = -1;
    let upAt = -1;
    let maxInBuffer = 0;
    // At the end of the outage: lines written so far, and lines the driving source had read.
    let writtenAtUp = 0;
    let readAtUp = 0;
    const warmupMs = 3000;
    await steadyLoad(r, SIZES.loadLinesPerSec, warmupMs + SIZES.outageMs + 3000, async (elapsed) => {
      if (downAt < 0 && elapsed >= warmupMs) {
        downAt = elapsed;
        await rigs.broker().down();
      } else if (downAt >= 0 && upAt < 0 && elapsed >= downAt + SIZES.outageMs) {
        upAt = elapsed;
        writtenAtUp = r.drivingIn.length;
        readAtUp = sumSeries(await scrape(agent), 'rxflume_events_received_total', 'component_id="driving"');
        await rigs.broker().up();
        await rigs.broker().pushProduceErrors([KafkaErrorCode.NOT_LEADER_FOR_PARTITION, KafkaErrorCode.REQUEST_TIMED_OUT]);
      } else if (downAt >= 0 && upAt < 0) {
        maxInBuffer = Math.max(maxInBuffer, balanceOf(await scrape(agent)).inBuffer);
      }
    });
    await waitAllDelivered(r, 600_000);
    await waitBalanced(agent, buffer);
    const peak = rss.stop();
    expect(await r.stop()).toBe(0);
    const report = await collectReport(
      `broker down ${SIZES.outageMs / 1000}s @${SIZES.loadLinesPerSec}/s (${buffer}, ${SIZE_NAME}, peak RSS ${Math.round(peak / 2 ** 20)} MiB)`,
      r,
      2 * crashWindow(buffer),
    );
    summarize(report);
    expect(verdict(report)).toEqual(CLEAN_VERDICT);
    expect(peak).toBeLessThan(RSS_BOUND);
    if (buffer === 'memory') {
      // The memory buffer held at most its bound while the sink was down: the source blocked and
      // the log file kept the rest.
      expect(maxInBuffer).toBeLessThanOrEqual(2 * DEFAULT_MAX_EVENTS);
      expect(readAtUp).toBeLessThan(writtenAtUp - SIZES.loadLinesPerSec);
    } else {
      // The disk buffer absorbed the outage: the source kept reading (within 2 s of load).
      expect(readAtUp).toBeGreaterThan(writtenAtUp - 2 * SIZES.loadLinesPerSec);
    }
  });
});

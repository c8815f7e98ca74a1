/**
 * The Flume JSON view keeps Flume's meanings. Flume's sources (SpoolDirectorySource,
 * TaildirSource) add a batch to EventAcceptedCount once the channel processor took it, counted
 * before the interceptors ran: events an interceptor drops are still "accepted", and
 * EventReceivedCount − EventAcceptedCount is what the channel refused (ChannelWriteFail). A
 * migrating user's "channel refusing events" alert on that difference must not fire on header
 * lines filtered or records dead-lettered.
 */
import { describe, expect, it } from 'vitest';
import { flumeView } from '../../src/metrics/flume-view.js';
import { Metrics } from '../../src/metrics/metrics.js';

describe('Flume JSON view', () => {
  it('counts as accepted by the source what the buffer (Flume: the channel) took, filtered or not', async () => {
    const m = new Metrics();
    m.registerSource('status');
    m.registerSink('hdfs');
    m.fileSinkCreated('hdfs');
    m.eventsReceived('status', 'source', 100, 5000);
    m.eventsRejected('status', 'buffer', 'buffer_full', 10); // drop_newest: the channel refused 10
    m.eventsAccepted('status', 'interceptor', 85);
    m.eventsRejected('status', 'interceptor', 'filtered', 5); // header lines
    m.eventsAccepted('status', 'validator', 82);
    m.eventsRejected('status', 'validator', 'invalid', 3);
    m.sinkBatchSent('hdfs', 82);
    m.sinkBatchAcknowledged('hdfs', 82, 0.01);

    const view = await flumeView(m);
    const source = view['SOURCE.status'] ?? {};
    expect(source.EventReceivedCount).toBe('100');
    expect(source.EventAcceptedCount).toBe('90');
    expect(source.ChannelWriteFail).toBe('10');
    expect(Number(source.EventReceivedCount)).toBe(Number(source.EventAcceptedCount) + Number(source.ChannelWriteFail));
    expect(view['CHANNEL.status']?.EventPutAttemptCount).toBe('100');
    expect(view['CHANNEL.status']?.EventPutSuccessCount).toBe('90');
    expect(view['SINK.hdfs']?.EventDrainAttemptCount).toBe('82');
    expect(view['SINK.hdfs']?.EventDrainSuccessCount).toBe('82');
  });
});

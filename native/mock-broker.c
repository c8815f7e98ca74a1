/*
 * rxflume test broker: librdkafka's mock cluster (a real Kafka-protocol broker) behind a tiny
 * line protocol, for tests and the demo (built and started by src/demo/kafka-broker.ts).
 *
 * Usage: mock-broker [BROKERS]   (default 1 broker)
 * stdout, first line:  "bootstrap HOST:PORT[,HOST:PORT...]"
 * stdin, one command a line; each is answered on stdout by "ok" or "err <reason>", in order:
 *   down ID                 broker ID stops serving (connections closed)
 *   up ID                   broker ID serves again
 *   rtt ID MS               broker ID delays every response by MS
 *   errors APIKEY ERR...    the next requests of APIKEY (0 = Produce) fail with ERR, in order
 *   clear APIKEY            forget pushed errors for APIKEY
 *   topic NAME PARTS        create a topic with PARTS partitions (replication = brokers)
 *   leader NAME PART ID     move the leader of a partition to broker ID
 *   quit                    exit
 * End of stdin also exits, so the broker never outlives the test process that started it.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ERRORS 256

static void reply(const char *fmt, const char *arg) {
  printf(fmt, arg);
  fflush(stdout);
}

static void answer(rd_kafka_resp_err_t err) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) reply("ok\n", "");
  else reply("err %s\n", rd_kafka_err2str(err));
}

int main(int argc, char **argv) {
  int brokers = argc > 1 ? atoi(argv[1]) : 1;
  if (brokers < 1) brokers = 1;
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "mock-broker: rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) {
    fprintf(stderr, "mock-broker: could not create the mock cluster\n");
    return 1;
  }
  reply("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(mc));

  char line[4096];
  while (fgets(line, sizeof line, stdin)) {
    char cmd[32] = "", name[1024] = "";
    int a = 0, b = 0;
    if (sscanf(line, "%31s", cmd) != 1) continue;
    if (!strcmp(cmd, "quit")) break;
    if (!strcmp(cmd, "down") && sscanf(line, "%*s %d", &a) == 1) {
      answer(rd_kafka_mock_broker_set_down(mc, a));
    } else if (!strcmp(cmd, "up") && sscanf(line, "%*s %d", &a) == 1) {
      answer(rd_kafka_mock_broker_set_up(mc, a));
    } else if (!strcmp(cmd, "rtt") && sscanf(line, "%*s %d %d", &a, &b) == 2) {
      answer(rd_kafka_mock_broker_set_rtt(mc, a, b));
    } else if (!strcmp(cmd, "errors")) {
      rd_kafka_resp_err_t errs[MAX_ERRORS];
      size_t n = 0;
      int consumed = 0, apiKey = 0, code = 0;
      char *p = line + strlen(cmd);
      if (sscanf(p, "%d%n", &apiKey, &consumed) != 1) {
        reply("err usage: errors APIKEY ERR...\n", "");
        continue;
      }
      p += consumed;
      while (n < MAX_ERRORS && sscanf(p, "%d%n", &code, &consumed) == 1) {
        errs[n++] = (rd_kafka_resp_err_t)code;
        p += consumed;
      }
      rd_kafka_mock_push_request_errors_array(mc, (int16_t)apiKey, n, errs);
      reply("ok\n", "");
    } else if (!strcmp(cmd, "clear") && sscanf(line, "%*s %d", &a) == 1) {
      rd_kafka_mock_clear_request_errors(mc, (int16_t)a);
      reply("ok\n", "");
    } else if (!strcmp(cmd, "topic") && sscanf(line, "%*s %1023s %d", name, &a) == 2) {
      answer(rd_kafka_mock_topic_create(mc, name, a, brokers));
    } else if (!strcmp(cmd, "leader") && sscanf(line, "%*s %1023s %d %d", name, &a, &b) == 3) {
      answer(rd_kafka_mock_partition_set_leader(mc, name, a, b));
    } else {
      reply("err unknown command: %s", line);
    }
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}

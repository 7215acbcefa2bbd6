/* A local Kafka cluster for trying the Kafka output without a real one: librdkafka's mock cluster (real Kafka
 * protocol, in memory) with N brokers. Prints the bootstrap list on stdout, then runs until stdin closes or SIGTERM.
 *
 *   cc -O2 -o /tmp/kafka_mock_cluster tools/kafka_mock_cluster.c -lrdkafka   (Debian: librdkafka-dev)
 *   sleep infinity | /tmp/kafka_mock_cluster 3 ssdd 4    # brokers, topic to create, partitions; prints host:port,…
 *
 * Development aid only (the tests start their mock cluster in-process, through KafkaTestSupport).
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static volatile sig_atomic_t stop = 0;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv) {
    int brokers = argc > 1 ? atoi(argv[1]) : 3;
    const char *topic = argc > 2 ? argv[2] : "ssdd";
    int partitions = argc > 3 ? atoi(argv[3]) : 4;
    if (brokers < 1 || brokers > 32 || partitions < 1 || partitions > 1000) {
        fprintf(stderr, "usage: %s [BROKERS 1-32] [TOPIC] [PARTITIONS 1-1000]\n", argv[0]);
        return 2;
    }
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err); /* its client has no bootstrap list: do not warn */
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) { fprintf(stderr, "rd_kafka_new: %s\n", err); return 1; }
    rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, brokers);
    if (!cluster) { fprintf(stderr, "rd_kafka_mock_cluster_new failed\n"); return 1; }
    rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(cluster, topic, partitions, brokers < 3 ? brokers : 3);
    if (e) { fprintf(stderr, "topic %s: %s\n", topic, rd_kafka_err2str(e)); return 1; }
    printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
    fflush(stdout);
    struct sigaction action = {0};
    action.sa_handler = on_signal; /* no SA_RESTART: a signal ends the blocking read below */
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    char buf[256];
    while (!stop && read(STDIN_FILENO, buf, sizeof buf) > 0) {}
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(rk);
    return 0;
}

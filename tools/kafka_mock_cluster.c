/* A Kafka cluster for benchmarks and manual tries, without a JVM: librdkafka's mock cluster (it speaks the real
 * Kafka protocol) hosted in this process until SIGINT/SIGTERM. Prints the bootstrap list on stdout, then runs.
 *
 *   cc -O2 -o /tmp/kafka-mock tools/kafka_mock_cluster.c -lrdkafka
 *   /tmp/kafka-mock [BROKERS=3] [TOPIC=ssdd] [PARTITIONS=4] &      # prints e.g. 127.0.0.1:40313,127.0.0.1:...
 *   kcat -b "$(head -1 out)" -C -t ssdd -e                          # read what the daemon wrote
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
    if (brokers < 1 || brokers > 16 || partitions < 1 || partitions > 1000) {
        fprintf(stderr, "usage: %s [BROKERS 1..16] [TOPIC] [PARTITIONS 1..1000]\n", argv[0]);
        return 2;
    }
    char error[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (!rk) { fprintf(stderr, "rd_kafka_new: %s\n", error); return 1; }
    rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, brokers);
    if (!cluster) { fprintf(stderr, "cannot start the mock cluster\n"); return 1; }
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, topic, partitions, brokers < 3 ? brokers : 3);
    if (err) { fprintf(stderr, "cannot create topic %s: %s\n", topic, rd_kafka_err2str(err)); return 1; }
    printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
    fflush(stdout);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    while (!stop) pause();
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(rk);
    return 0;
}

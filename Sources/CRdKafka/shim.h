// librdkafka (Debian librdkafka-dev 2.0.2), wrapped only by the Kafka module. The mock cluster header is here too, for
// KafkaTestSupport's in-process test clusters; the daemon never calls it.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

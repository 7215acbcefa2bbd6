import CRdKafka
import Foundation

/// librdkafka's mock Kafka cluster, in this process: real brokers speaking the Kafka protocol on loopback ports, with
/// topics, partitions, leaders and failures under the test's control (`rd_kafka_mock_cluster_new`).
///
/// `@unchecked Sendable`: the handles are set in `init` and released only by ``destroy()``; every use takes `lock`,
/// and the mock API is itself thread-safe (it posts operations to the cluster's thread).
public final class MockKafkaCluster: @unchecked Sendable {
    /// The `host:port,…` list a client bootstraps from.
    public let bootstraps: String
    /// The bootstrap list as an array of `host:port` (what `[output.kafka] brokers` takes).
    public var brokers: [String] { bootstraps.split(separator: ",").map(String.init) }
    /// Broker ids, 1 through the count given to `init`.
    public let brokerIDs: [Int32]
    private let lock = NSLock()
    private var client: OpaquePointer?
    private var cluster: OpaquePointer?

    /// Starts a cluster of `brokers` brokers.
    public init(brokers: Int32 = 3) throws {
        let conf = rd_kafka_conf_new()
        var message = [CChar](repeating: 0, count: 512)
        // The mock cluster needs a client handle for its book-keeping; this one never produces.
        rd_kafka_conf_set(conf, "log_level", "3", &message, message.count)
        guard let client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &message, message.count) else {
            rd_kafka_conf_destroy(conf)
            throw MockKafkaError("cannot create the mock cluster's client: \(message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })")
        }
        guard let cluster = rd_kafka_mock_cluster_new(client, Int32(brokers)) else {
            rd_kafka_destroy(client)
            throw MockKafkaError("rd_kafka_mock_cluster_new failed")
        }
        self.client = client
        self.cluster = cluster
        bootstraps = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        brokerIDs = Array(1...brokers)
    }

    deinit { destroy() }

    /// Creates `topic` with `partitions` partitions replicated `replicationFactor` times.
    public func createTopic(_ topic: String, partitions: Int32, replicationFactor: Int32) throws {
        try check("create topic \(topic)") { rd_kafka_mock_topic_create($0, topic, partitions, replicationFactor) }
    }

    /// Makes `broker` the leader of `topic`'s `partition`.
    public func setLeader(topic: String, partition: Int32, broker: Int32) throws {
        try check("set leader of \(topic)[\(partition)]") { rd_kafka_mock_partition_set_leader($0, topic, partition, broker) }
    }

    /// Takes `broker` down: its connections are closed and new ones refused, until ``setUp(broker:)``.
    public func setDown(broker: Int32) throws {
        try check("take broker \(broker) down") { rd_kafka_mock_broker_set_down($0, broker) }
    }

    /// Brings `broker` back up.
    public func setUp(broker: Int32) throws {
        try check("bring broker \(broker) up") { rd_kafka_mock_broker_set_up($0, broker) }
    }

    /// Stops every broker and frees the cluster: clients see the whole cluster disappear. Idempotent.
    public func destroy() {
        lock.lock()
        defer { lock.unlock() }
        if let cluster { rd_kafka_mock_cluster_destroy(cluster) }
        if let client { rd_kafka_destroy(client) }
        cluster = nil
        client = nil
    }

    private func check(_ what: String, _ call: (OpaquePointer) -> rd_kafka_resp_err_t) throws {
        lock.lock()
        defer { lock.unlock() }
        guard let cluster else { throw MockKafkaError("\(what): the cluster is destroyed") }
        let error = call(cluster)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw MockKafkaError("\(what): \(String(cString: rd_kafka_err2str(error)))")
        }
    }
}

/// A mock cluster operation that failed.
public struct MockKafkaError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

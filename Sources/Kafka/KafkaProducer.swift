import CRdKafka
import Foundation
import Logging
import Sinks
import Synchronization

/// librdkafka's producer (`rd_kafka_t`) for one topic: produces records without blocking, serves delivery reports on
/// a poll thread of its own, and shuts down within a deadline.
///
/// `@unchecked Sendable`: the handles are set once in `init` and destroyed only by ``shutdown(flushTimeout:)``, which
/// ``KafkaSink`` calls once, under the lock that also guards every ``produce(_:)`` (so no produce can follow it);
/// librdkafka's produce, poll and flush calls are thread-safe. The header strings are immutable C copies freed in
/// `deinit`.
final class KafkaProducer: @unchecked Sendable {
    /// What became of one record handed to ``produce(_:)``.
    enum ProduceResult: Equatable {
        /// In librdkafka's queue; its delivery report follows.
        case queued
        /// librdkafka's bounded queue is full (the cluster is away or too slow).
        case queueFull
        /// Refused for another reason (librdkafka's error name and text).
        case refused(String)
    }

    private let handle: OpaquePointer
    private let topicHandle: OpaquePointer
    private let context: ProducerContext
    private let kindValues: [RecordKind: UnsafeMutablePointer<CChar>]
    private let kindHeader: UnsafeMutablePointer<CChar>
    private let versionHeader: UnsafeMutablePointer<CChar>
    private let versionValue: UnsafeMutablePointer<CChar>
    private let stopPolling = Atomic<Bool>(false)
    private let pollerStopped = DispatchSemaphore(value: 0)
    /// How often the poll thread asks for metadata while no broker is known to answer.
    private let probeInterval: Duration = .seconds(2)

    /// Creates the producer; throws librdkafka's message when it refuses the configuration (an incompatible
    /// combination of properties is only found here).
    init(configuration: KafkaOutputConfiguration, ledger: DeliveryLedger, logger: Logger) throws(KafkaError) {
        let client = try ClientConfiguration(configuration)
        let context = ProducerContext(ledger: ledger, logger: logger)
        rd_kafka_conf_set_opaque(client.pointer, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(client.pointer) { _, message, opaque in
            guard let message, let opaque else { return }
            Unmanaged<ProducerContext>.fromOpaque(opaque).takeUnretainedValue().deliveryReport(message.pointee.err)
        }
        rd_kafka_conf_set_error_cb(client.pointer) { _, code, reason, opaque in
            guard let opaque else { return }
            let text = reason.map { String(cString: $0) } ?? ""
            Unmanaged<ProducerContext>.fromOpaque(opaque).takeUnretainedValue().clientError(code, reason: text)
        }
        rd_kafka_conf_set_log_cb(client.pointer) { rk, level, facility, message in
            guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
            Unmanaged<ProducerContext>.fromOpaque(opaque).takeUnretainedValue().log(
                level: level, facility: facility.map { String(cString: $0) } ?? "", message: message.map { String(cString: $0) } ?? "")
        }
        var message = [CChar](repeating: 0, count: 512)
        let created = message.withUnsafeMutableBufferPointer { rd_kafka_new(RD_KAFKA_PRODUCER, client.pointer, $0.baseAddress, $0.count) }
        guard let created else {
            let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw KafkaError(key: "properties", message: "librdkafka cannot create the producer: \(text)")
        }
        _ = client.take()  // rd_kafka_new owns it now
        guard let topic = rd_kafka_topic_new(created, configuration.topic, nil) else {
            rd_kafka_destroy(created)
            throw KafkaError(key: "topic", message: "librdkafka refuses the topic '\(configuration.topic)'")
        }
        handle = created
        topicHandle = topic
        self.context = context
        kindValues = Dictionary(uniqueKeysWithValues: RecordKind.allCases.map { ($0, strdup($0.rawValue)!) })
        kindHeader = strdup("kind")!
        versionHeader = strdup("v")!
        versionValue = strdup("\(Record.schemaVersion)")!
        startPolling()
    }

    deinit {
        for value in kindValues.values { free(value) }
        free(kindHeader)
        free(versionHeader)
        free(versionValue)
    }

    /// Serves delivery reports and client errors until ``shutdown(flushTimeout:)``; while no broker is known to answer,
    /// asks for the topic's metadata every `probeInterval` to learn when one does.
    private func startPolling() {
        let thread = Thread { [self] in
            var nextProbe = ContinuousClock.now
            while !stopPolling.load(ordering: .acquiring) {
                rd_kafka_poll(handle, 100)
                if !context.ledger.statistics.connected, ContinuousClock.now >= nextProbe {
                    probeConnection()
                    nextProbe = ContinuousClock.now + probeInterval
                }
            }
            pollerStopped.signal()
        }
        thread.name = "ssdd-kafka-poll"
        thread.start()
    }

    /// One metadata request (at most 1 s): a broker answered ⇒ connected.
    private func probeConnection() {
        var metadata: UnsafePointer<rd_kafka_metadata_t>?
        let error = rd_kafka_metadata(handle, 0, topicHandle, &metadata, 1000)
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        if error == RD_KAFKA_RESP_ERR_NO_ERROR { context.ledger.setConnected(true) }
    }

    /// Hands one record to librdkafka without blocking: key = stream name (none for records without a stream),
    /// value = the JSON line without its `\n`, headers `kind` and `v`. librdkafka copies key and value.
    func produce(_ line: JSONLine) -> ProduceResult {
        let kindValue = kindValues[line.metadata.kind]!
        let kindLength = strlen(kindValue)
        return line.bytes.withUnsafeBufferPointer { bytes in
            withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 6) { vus in
                var count = 0
                func append(_ vtype: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                    var vu = rd_kafka_vu_t()
                    vu.vtype = vtype
                    fill(&vu)
                    vus.initializeElement(at: count, to: vu)
                    count += 1
                }
                append(RD_KAFKA_VTYPE_RKT) { $0.u.rkt = topicHandle }
                append(RD_KAFKA_VTYPE_VALUE) {
                    $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: bytes.baseAddress)
                    $0.u.mem.size = max(0, bytes.count - 1)
                }
                append(RD_KAFKA_VTYPE_HEADER) {
                    $0.u.header.name = UnsafePointer(kindHeader)
                    $0.u.header.val = UnsafeRawPointer(kindValue)
                    $0.u.header.size = kindLength
                }
                append(RD_KAFKA_VTYPE_HEADER) {
                    $0.u.header.name = UnsafePointer(versionHeader)
                    $0.u.header.val = UnsafeRawPointer(versionValue)
                    $0.u.header.size = strlen(versionValue)
                }
                append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                defer { vus.baseAddress!.deinitialize(count: count) }
                guard var stream = line.metadata.stream else { return Self.result(rd_kafka_produceva(handle, vus.baseAddress, count)) }
                return stream.withUTF8 { key in
                    append(RD_KAFKA_VTYPE_KEY) {
                        $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                        $0.u.mem.size = key.count
                    }
                    return Self.result(rd_kafka_produceva(handle, vus.baseAddress, count))
                }
            }
        }
    }

    /// Converts (and frees) produceva's error object.
    private static func result(_ error: OpaquePointer?) -> ProduceResult {
        guard let error else { return .queued }
        defer { rd_kafka_error_destroy(error) }
        let code = rd_kafka_error_code(error)
        if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { return .queueFull }
        let name = rd_kafka_error_name(error).map { String(cString: $0) } ?? "\(code.rawValue)"
        let text = rd_kafka_error_string(error).map { String(cString: $0) } ?? ""
        return .refused("\(name): \(text)")
    }

    /// Stops the poll thread, waits up to `flushTimeout` seconds for outstanding delivery reports, purges what is
    /// left (its reports count as dropped), and destroys the client. Blocks the calling thread: call it on a thread of
    /// its own. Returns the number of records that were still unacknowledged at the deadline.
    func shutdown(flushTimeout: Double) -> Int {
        stopPolling.store(true, ordering: .releasing)
        pollerStopped.wait()
        let ledger = context.ledger
        let before = ledger.statistics
        rd_kafka_flush(handle, Int32(flushTimeout * 1000))
        if rd_kafka_outq_len(handle) > 0 {
            rd_kafka_purge(handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            // Purged records' reports are served here; in-flight ones may need their request to finish or time out.
            rd_kafka_flush(handle, 500)
        }
        _ = ledger.abandonInFlight()
        rd_kafka_topic_destroy(topicHandle)
        rd_kafka_destroy(handle)
        return ledger.statistics.dropped - before.dropped
    }
}

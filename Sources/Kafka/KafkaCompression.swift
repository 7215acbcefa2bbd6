/// How the producer compresses message batches (librdkafka's `compression.codec`). Debian's librdkafka 2.0.2 is built
/// with every codec (`builtin.features` lists gzip, snappy, lz4 and zstd).
public enum KafkaCompression: String, Sendable, Equatable, CaseIterable {
    case none
    case gzip
    case snappy
    case lz4
    case zstd
}

import Synchronization

/// Each stream's newest annotated picture as JPEG bytes, kept in memory for `GET /api/v1/streams/{name}/latest.jpg`.
/// The ``SnapshotWriter`` stores a picture after encoding it (the same bytes as `latest.jpg` when that file is
/// written); the API's threads read. One picture per stream: memory is bounded by the streams' picture sizes.
final class LatestPictures: Sendable {
    private let pictures = Mutex<[String: [UInt8]]>([:])

    init() {}

    /// Keeps `jpeg` as stream `stream`'s newest picture.
    func store(_ jpeg: [UInt8], stream: String) {
        pictures.withLock { $0[stream] = jpeg }
    }

    /// Stream `stream`'s newest picture; nil before its first.
    func picture(stream: String) -> [UInt8]? {
        pictures.withLock { $0[stream] }
    }

    /// Forgets the pictures of streams not in `names` (a reload removed them).
    func keepOnly(_ names: Set<String>) {
        pictures.withLock { $0 = $0.filter { names.contains($0.key) } }
    }
}

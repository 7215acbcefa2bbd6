import Imaging
import Synchronization

/// The pixels of a ``VideoFrame``: RGB already, or a decoded YUV picture converted to RGB when it is read.
///
/// A decoded frame is converted where it is used, not where it is decoded: the detector's resize converts only the
/// rows it reads (``Imaging/RGBRowSource``; about 600 of a 1080-row frame for a 300-row input), the motion thumbnail
/// only the rows it samples, a frame a live queue drops is never converted, and snapshots and annotation, which need
/// the whole picture, convert it once through ``image`` (kept for every later reader). Either way the bytes are those
/// of converting the whole frame.
public final class FramePixels: RGBRowSource {
    public let width: Int
    public let height: Int
    private let state: Mutex<State>

    private enum State {
        case converted(RGBImage)
        case pending(DecodedPicture)
    }

    /// Pixels that are RGB already.
    public init(_ image: RGBImage) {
        width = image.width
        height = image.height
        state = Mutex(.converted(image))
    }

    /// Pixels converted on demand from `picture`.
    init(_ picture: DecodedPicture) {
        width = picture.width
        height = picture.height
        state = Mutex(.pending(picture))
    }

    /// The whole picture in RGB: converted on the first call (callers at the same time wait for it) and kept.
    public var image: RGBImage {
        state.withLock { state in
            switch state {
            case .converted(let image):
                return image
            case .pending(let picture):
                let image = picture.image()
                state = .converted(image)
                return image
            }
        }
    }

    /// Whether the whole picture has been converted (or was RGB from the start).
    public var isConverted: Bool {
        state.withLock { if case .converted = $0 { true } else { false } }
    }

    /// Rows of ``image``: from it once converted, otherwise each row converted when asked for (the whole picture is
    /// not kept then).
    public func withRows<Result>(_ body: (_ row: (Int) -> UnsafePointer<UInt8>) throws -> Result) rethrows -> Result {
        // A copy of the state (the image's buffer or the picture, retained), read outside the lock.
        switch state.withLock({ $0 }) {
        case .converted(let image): return try image.withRows(body)
        case .pending(let picture): return try picture.withRows(body)
        }
    }
}

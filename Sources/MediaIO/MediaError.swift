/// An error opening, demuxing, decoding or encoding media. The message names the input and, where FFmpeg
/// produced it, FFmpeg's own explanation, so a user can act on it without a debugger.
public struct MediaError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What kind of failure this is, for callers that react differently (e.g. reconnect on `.stream`).
    public enum Kind: String, Sendable, Equatable {
        /// The input does not exist, is a directory, is empty or cannot be read.
        case input
        /// FFmpeg could not recognise or open the container.
        case format
        /// The input has no video stream, or no decoder for it.
        case unsupported
        /// A network or device read timed out or was interrupted.
        case timeout
        /// Reading or decoding failed part-way through.
        case stream
        /// Writing (encoding, muxing) failed.
        case output
        /// Arguments out of range (sizes, rates).
        case argument
    }

    public let kind: Kind
    /// The input (path or URL) the error is about.
    public let input: String
    /// Human-readable explanation, including FFmpeg's message where there is one.
    public let message: String
    /// FFmpeg's return code, if a call failed.
    public let code: Int32?

    public init(_ kind: Kind, input: String, message: String, code: Int32? = nil) {
        self.kind = kind
        self.input = input
        self.message = message
        self.code = code
    }

    public var description: String { "\(input): \(message)" }
}

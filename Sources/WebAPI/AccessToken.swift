#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bearer token requests must carry, read from `http.token_file`.
///
/// The token is the file's first line without surrounding blanks: 16 to 4096 characters of RFC 6750's `b64token`
/// alphabet (letters, digits, `-._~+/`, then any `=`), e.g. the output of `openssl rand -hex 32`. Anything else is
/// refused with an error naming `http.token_file`, so a wrong file (a key, a binary) is never taken as a token.
/// - Important: the token never appears in `description`, logs or errors.
struct AccessToken: Sendable, CustomStringConvertible {
    /// Shortest token accepted.
    static let minimumLength = 16
    /// Longest token accepted.
    static let maximumLength = 4096
    /// Most bytes read from the file (its first line must end within them).
    static let maximumFileBytes = 64 * 1024

    private let bytes: [UInt8]

    /// Wraps a token after checking its syntax; nil when it is not a usable token.
    init?(_ text: some Collection<UInt8>) {
        let bytes = Array(text)
        guard Self.problem(with: bytes) == nil else { return nil }
        self.bytes = bytes
    }

    private init(validated bytes: [UInt8]) { self.bytes = bytes }

    var description: String { "AccessToken(\(bytes.count) characters)" }

    /// Reads the token from the first line of `path`.
    /// - Throws: `WebAPIError.tokenFile` saying what is wrong (missing, unreadable, a directory, empty, too long,
    ///   characters outside the token alphabet).
    static func load(path: String) throws(WebAPIError) -> AccessToken {
        let content = try read(path: path)
        let firstLine = content.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        let token = Array(firstLine.drop(while: isBlank).reversed().drop(while: isBlank).reversed())
        if let problem = problem(with: token) {
            throw .tokenFile(path: path, problem: problem + "; write one token on the first line, e.g. `openssl rand -hex 32 > \(path)`")
        }
        return AccessToken(validated: token)
    }

    /// Whether `candidate` is this token, in time that depends only on the token's length (not on where the first
    /// difference is), so a client cannot find the token byte by byte by timing answers.
    func matches(_ candidate: some Collection<UInt8>) -> Bool {
        let candidate = Array(candidate)
        var difference: UInt8 = candidate.count == bytes.count ? 0 : 1
        let count = max(candidate.count, 1)
        for index in bytes.indices {
            let other = candidate.isEmpty ? 0 : candidate[index % count]
            difference |= bytes[index] ^ other
        }
        return difference == 0
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    private static func problem(with token: [UInt8]) -> String? {
        if token.isEmpty { return "the first line holds no token" }
        if token.count < minimumLength { return "the token has \(token.count) characters, fewer than \(minimumLength)" }
        if token.count > maximumLength { return "the token is longer than \(maximumLength) characters" }
        let equalsStart = token.firstIndex(of: UInt8(ascii: "=")) ?? token.count
        guard equalsStart > 0, token[equalsStart...].allSatisfy({ $0 == UInt8(ascii: "=") }) else {
            return "the token may end with `=` but not start with or contain it"
        }
        if let bad = token[..<equalsStart].firstIndex(where: { !isTokenCharacter($0) }) {
            return "character \(bad + 1) of the token is not a letter, digit or one of -._~+/"
        }
        return nil
    }

    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"): true
        default: false
        }
    }

    /// The file's first `maximumFileBytes` bytes, read with plain POSIX calls (a FIFO or device is refused).
    private static func read(path: String) throws(WebAPIError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let error = errno
            let reason = error == ENOENT ? "does not exist" : "cannot be opened: \(String(cString: strerror(error))) (errno \(error))"
            throw .tokenFile(path: path, problem: reason)
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw .tokenFile(path: path, problem: "is not a regular file")
        }
        var content = [UInt8](repeating: 0, count: maximumFileBytes)
        var filled = 0
        while filled < content.count {
            let count = content[filled...].withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                let error = errno
                throw .tokenFile(path: path, problem: "cannot be read: \(String(cString: strerror(error))) (errno \(error))")
            }
            if count == 0 { break }
            filled += count
        }
        content.removeSubrange(filled...)
        if filled == maximumFileBytes, !content.contains(UInt8(ascii: "\n")) {
            throw .tokenFile(path: path, problem: "its first line is longer than \(maximumFileBytes) bytes")
        }
        if content.allSatisfy({ isBlank($0) || $0 == UInt8(ascii: "\n") }) {
            throw .tokenFile(path: path, problem: "is empty")
        }
        return content
    }
}

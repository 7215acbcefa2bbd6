import Synchronization

/// The token in force, shared by every connection and replaced on reload.
final class TokenStore: Sendable {
    /// `http.token_file`, or nil when no token is required.
    let path: String?
    private let token: Mutex<AccessToken?>

    /// Reads the token file, when there is one.
    /// - Throws: `WebAPIError.tokenFile` when the file is missing, unreadable, empty or holds no usable token.
    init(path: String?) throws(WebAPIError) {
        self.path = path
        let initial: AccessToken? = if let path { try AccessToken.load(path: path) } else { nil }
        token = Mutex(initial)
    }

    /// The token requests must carry, or nil when none is required.
    var current: AccessToken? { token.withLock { $0 } }

    /// Reads the file again; on error the previous token stays in force.
    func reload() throws(WebAPIError) {
        guard let path else { return }
        let fresh = try AccessToken.load(path: path)
        token.withLock { $0 = fresh }
    }
}

/// `[http]`: the HTTP API, the live page, the WebSocket feed and `/metrics` on one listener.
public struct HTTPConfiguration: Sendable, Equatable {
    /// Address to listen on (`address`, default `127.0.0.1:8080`: loopback only).
    public var host: String
    public var port: Int
    /// File whose first line is the bearer token every request but `/healthz` must carry (`token_file`); nil: no token.
    public var tokenFile: String?

    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8080

    public init(host: String = HTTPConfiguration.defaultHost, port: Int = HTTPConfiguration.defaultPort, tokenFile: String? = nil) {
        self.host = host
        self.port = port
        self.tokenFile = tokenFile
    }
}

import Foundation
import TestSupport
import Testing
import WebAPI

@testable import Pipeline

@Suite("[http]: address, token file, events, latest_fps; errors name the key")
struct HTTPConfigurationTests {
    static let stream = """
        [[streams]]
        name = "cam1"
        url = "rtsp://127.0.0.1/cam"

        """

    @Test("every key")
    func everyKey() throws {
        let c = try DaemonConfiguration.parse(
            Self.stream + """
                [http]
                address = "[::1]:8081"
                token_file = "/etc/ssdd/token"
                events = 5000
                latest_fps = 2.5
                """)
        let http = try #require(c.http)
        #expect(http.host == "::1" && http.port == 8081)
        #expect(http.tokenFile == "/etc/ssdd/token" && http.events == 5000 && http.latestFramesPerSecond == 2.5)
    }

    @Test("defaults: an empty [http] listens on 127.0.0.1:8080; no [http] or enabled = false serves nothing")
    func defaults() throws {
        #expect(try DaemonConfiguration.parse(Self.stream + "[http]\n").http == HTTPConfiguration())
        #expect(HTTPConfiguration() == HTTPConfiguration(host: "127.0.0.1", port: 8080, tokenFile: nil, events: 1000, latestFramesPerSecond: 1))
        #expect(try DaemonConfiguration.parse(Self.stream).http == nil)
        #expect(try DaemonConfiguration.parse(Self.stream + "[http]\nenabled = false\naddress = \"127.0.0.1:1\"").http == nil)
    }

    @Test(
        "listen addresses",
        arguments: [
            ("127.0.0.1:8080", "127.0.0.1", 8080), ("localhost:0", "localhost", 0), ("0.0.0.0:65535", "0.0.0.0", 65535),
            ("[::1]:8080", "::1", 8080), ("[::]:80", "::", 80), ("[fe80::1%eth0]:9", "fe80::1%eth0", 9),
        ])
    func addresses(text: String, host: String, port: Int) throws {
        let address = try ListenAddress.parse(text).get()
        #expect(address == ListenAddress(host: host, port: port))
        #expect(address.description == text)
    }

    @Test(
        "malformed [http]",
        arguments: [
            ("address = \"8080\"", "http.address: expected HOST:PORT, got '8080'"),
            ("address = \"127.0.0.1:\"", "http.address: expected a port 0 … 65535 after the last ':', got '127.0.0.1:'"),
            ("address = \"127.0.0.1:65536\"", "http.address: expected a port 0 … 65535 after the last ':', got '127.0.0.1:65536'"),
            ("address = \"127.0.0.1:-1\"", "http.address: expected a port 0 … 65535"),
            ("address = \":8080\"", "http.address: the host is missing (e.g. 127.0.0.1:8080); got ':8080'"),
            ("address = \"::1:8080\"", "http.address: an IPv6 address goes in brackets, e.g. [::1]:8080; got '::1:8080'"),
            ("address = \"[::1:8080\"", "http.address: an IPv6 address goes in brackets"),
            ("address = \"[cam]:8080\"", "http.address: 'cam' in brackets is not an IPv6 address"),
            ("address = \"[fe80::1%]:8080\"", "http.address: 'fe80::1%' in brackets is not an IPv6 address"),
            ("address = \"ho st:1\"", "http.address: 'ho st' is not a host name or address"),
            ("address = 8080", "http.address: expected a string"),
            ("token_file = \"\"", "http.token_file: must not be empty"),
            ("events = 0", "http.events: must be between 1 and 100000, got 0"),
            ("events = 100001", "http.events: must be between 1 and 100000, got 100001"),
            ("latest_fps = 0", "http.latest_fps: must be between 0.01 and 30.0, got 0.0"),
            ("latest_fps = 31", "http.latest_fps: must be between 0.01 and 30.0, got 31.0"),
            ("port = 1", "http.port: unknown key"),
        ])
    func malformed(body: String, message: String) {
        #expect {
            _ = try DaemonConfiguration.parse(Self.stream + "[http]\n" + body, file: "f.toml")
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test("the API and the metrics endpoint cannot share an address")
    func sharedAddress() {
        #expect {
            _ = try DaemonConfiguration.parse(Self.stream + "[metrics]\naddress = \"127.0.0.1:9000\"\n[http]\naddress = \"127.0.0.1:9000\"")
        } throws: { error in
            "\(error)".contains("http.address: '127.0.0.1:9000' is also [metrics] address")
        }
        #expect(throws: Never.self) {
            try DaemonConfiguration.parse(Self.stream + "[metrics]\naddress = \"127.0.0.1:9000\"\n[http]\naddress = \"127.0.0.1:9001\"")
        }
    }

    @Test("the token file is checked by config check as the server reads it; the token is never printed")
    func tokenFile() throws {
        let directory = ScratchDirectory.make("token")
        func check(_ path: String) -> String? {
            var c = try? DaemonConfiguration.parse(Self.stream + "[http]\n")
            c?.http?.tokenFile = path
            do {
                try c?.checkHTTPEnvironment(file: "f.toml")
                return nil
            } catch {
                return "\(error)"
            }
        }
        let good = directory.appendingPathComponent("good").path
        try Data("s3cr3t-token-0123456789\nignored\n".utf8).write(to: URL(fileURLWithPath: good))
        #expect(check(good) == nil)
        let missing = directory.appendingPathComponent("missing").path
        #expect(check(missing)?.hasPrefix("f.toml: http.token_file: \(missing): does not exist") == true, "\(check(missing) ?? "")")
        #expect(check(directory.path)?.contains("http.token_file: \(directory.path): is not a regular file") == true)
        let empty = directory.appendingPathComponent("empty").path
        try Data(" \r\nsecret-on-line-two-0123456789\n".utf8).write(to: URL(fileURLWithPath: empty))
        let emptyMessage = check(empty)
        #expect(emptyMessage?.contains("http.token_file: \(empty): the first line holds no token") == true, "\(emptyMessage ?? "")")
        #expect(emptyMessage?.contains("secret-on-line-two") == false)
        let short = directory.appendingPathComponent("short").path
        try Data("abc\n".utf8).write(to: URL(fileURLWithPath: short))
        #expect(check(short)?.contains("fewer than 16") == true && check(short)?.contains("abc") == false)
    }
}

import Foundation

/// A W3C WebDriver session (https://www.w3.org/TR/webdriver2/) spoken over plain HTTP/1.1 to a driver such as
/// `chromedriver`: new session, navigate, execute script, user prompts, screenshot, delete. Enough to drive a real
/// browser from a Swift test without Python or Selenium.
///
/// Every call blocks (one TCP connection per command, `Connection: close`); run it off Swift's cooperative pool
/// (``RawSocketClient/offPool(_:)``). `@unchecked Sendable`: the fields are constants.
public final class WebDriverSession: @unchecked Sendable {
    /// The driver's port on 127.0.0.1.
    public let port: Int
    /// The session id the driver gave.
    public let id: String

    /// Opens a session with `capabilities` (the `alwaysMatch` object of the W3C new-session request). Starting a
    /// browser can take long on a loaded machine: the request may wait `timeout` seconds.
    public init(port: Int, capabilities: [String: Any], timeout: Int = 180) throws {
        self.port = port
        let body: [String: Any] = ["capabilities": ["alwaysMatch": capabilities]]
        let value = try Self.command(port: port, method: "POST", path: "/session", body: body, timeout: timeout)
        guard let object = value as? [String: Any], let id = object["sessionId"] as? String, !id.isEmpty else {
            throw WebDriverError(error: "invalid response", message: "new session answered without a sessionId: \(String(describing: value))")
        }
        self.id = id
    }

    /// Capabilities for headless Chromium at `binary` with the given extra command-line switches.
    /// `unhandledPromptBehavior` is `ignore`, so an open `prompt()` waits for ``sendAlertText(_:)`` and
    /// ``acceptAlert()`` instead of being dismissed by the next command.
    public static func headlessChromium(
        binary: String = "/usr/bin/chromium", userDataDirectory: String, extraArguments: [String] = []
    ) -> [String: Any] {
        let arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--window-size=1280,900", "--user-data-dir=\(userDataDirectory)",
        ]
        return [
            "browserName": "chrome",
            "unhandledPromptBehavior": "ignore",
            "goog:chromeOptions": ["binary": binary, "args": arguments + extraArguments] as [String: Any],
        ]
    }

    /// Loads `url` and waits for the document to load.
    public func navigate(to url: String) throws {
        _ = try send("POST", "url", body: ["url": url])
    }

    /// Runs `script` (a function body; `arguments` are its `arguments`) in the page and returns its result as
    /// JSON values (`String`, `NSNumber`, `[Any]`, `[String: Any]`, `NSNull`).
    public func execute(_ script: String, arguments: [Any] = []) throws -> Any {
        try send("POST", "execute/sync", body: ["script": script, "args": arguments])
    }

    /// The text of the open user prompt (`alert`, `confirm`, `prompt`), or nil when none is open.
    public func alertText() throws -> String? {
        do {
            return try send("GET", "alert/text", body: nil) as? String
        } catch let error as WebDriverError where error.error == "no such alert" {
            return nil
        }
    }

    /// Types `text` into the open `prompt()`.
    public func sendAlertText(_ text: String) throws {
        _ = try send("POST", "alert/text", body: ["text": text])
    }

    /// Accepts (OK) the open user prompt.
    public func acceptAlert() throws {
        _ = try send("POST", "alert/accept", body: [:])
    }

    /// A PNG screenshot of the current page.
    public func screenshot() throws -> Data {
        guard let encoded = try send("GET", "screenshot", body: nil) as? String, let png = Data(base64Encoded: encoded) else {
            throw WebDriverError(error: "invalid response", message: "the screenshot is not base64 data")
        }
        return png
    }

    /// Ends the session (the driver quits the browser).
    public func delete() throws {
        _ = try Self.command(port: port, method: "DELETE", path: "/session/\(id)", body: nil, timeout: 60)
    }

    private func send(_ method: String, _ command: String, body: [String: Any]?) throws -> Any {
        try Self.command(port: port, method: method, path: "/session/\(id)/\(command)", body: body, timeout: 120)
    }

    /// One WebDriver command: its `value`, or the W3C error it answered as a ``WebDriverError``.
    static func command(port: Int, method: String, path: String, body: [String: Any]?, timeout: Int) throws -> Any {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let response = try WebDriverHTTP.exchange(port: port, method: method, path: path, body: payload, timeout: timeout)
        let json = try? JSONSerialization.jsonObject(with: response.body, options: [.fragmentsAllowed])
        let value = (json as? [String: Any])?["value"]
        if response.status >= 400 || value == nil {
            let details = value as? [String: Any]
            throw WebDriverError(
                error: details?["error"] as? String ?? "HTTP \(response.status)",
                message: details?["message"] as? String ?? String(decoding: response.body.prefix(500), as: UTF8.self))
        }
        return value ?? NSNull()
    }
}

/// A WebDriver error response (`{"value":{"error":"no such alert","message":…}}`) or a broken exchange.
public struct WebDriverError: Error, CustomStringConvertible, Sendable {
    /// The W3C error code, e.g. `no such alert`, `timeout`, `session not created`.
    public let error: String
    public let message: String

    public init(error: String, message: String) {
        self.error = error
        self.message = message
    }

    public var description: String { "WebDriver \(error): \(message)" }
}

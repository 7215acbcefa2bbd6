import Foundation

/// Where `ssdd` looks for the bundled default model (the SSDLite person detector) when no `--model` is given.
enum DefaultModel {
    static let fileName = "person.safetensors"

    /// Candidate paths, in search order: `$SSDD_MODEL`, `./models/`, next to the binary's package, the install prefix.
    static var candidates: [String] {
        var paths: [String] = []
        if let path = ProcessInfo.processInfo.environment["SSDD_MODEL"] { paths.append(path) }
        paths.append("models/\(fileName)")
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // .build/<config>/ssdd → package root/models
        paths.append(binary.deletingLastPathComponent().appendingPathComponent("../../models/\(fileName)").standardized.path)
        paths.append("/usr/local/share/ssdd/models/\(fileName)")
        return paths
    }

    /// The model to use: `given` if set, else the first default that exists.
    static func resolve(_ given: String?) throws -> URL {
        if let given { return URL(fileURLWithPath: given) }
        for path in candidates where FileManager.default.fileExists(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        throw CLIError(
            "no --model given and the default model was not found (looked in \(candidates.joined(separator: ", "))); run `make model` or pass --model FILE"
        )
    }
}

/// A command-line error: printed as `ssdd: error: message`, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Several daemons (one per machine or per `ssdd@` instance) that write to one shared bus: Kafka keys every record by
/// its stream name, so a name must mean one camera across the whole fleet.
extension DaemonConfiguration {
    /// Checks the configurations of one fleet: no stream name is used by two of them, and with `prefix` (for example
    /// `"$(hostname -s)-"`) every stream name starts with it. Errors name the file and the stream's key.
    public static func checkFleet(_ members: [(file: String, configuration: DaemonConfiguration)], prefix: String?) throws(ConfigurationError) {
        if let prefix {
            guard !prefix.isEmpty, prefix.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw ConfigurationError(
                    file: "--fleet-prefix", key: "", message: "use letters, digits, '-', '_' or '.' only (it starts stream names), got '\(prefix)'")
            }
        }
        var owners: [String: String] = [:]
        for member in members {
            for (i, stream) in member.configuration.streams.enumerated() {
                if let prefix, !stream.name.hasPrefix(prefix) {
                    throw ConfigurationError(
                        file: member.file, key: "streams[\(i)].name",
                        message:
                            "'\(stream.name)' does not start with the fleet prefix '\(prefix)'; rename it to '\(prefix)\(stream.name)' (stream names must be unique across the fleet: they key the Kafka records)"
                    )
                }
                if let owner = owners[stream.name] {
                    throw ConfigurationError(
                        file: member.file, key: "streams[\(i)].name",
                        message:
                            "'\(stream.name)' is also a stream of \(owner); stream names must be unique across the fleet (they key the Kafka records)"
                    )
                }
                owners[stream.name] = member.file
            }
        }
    }
}

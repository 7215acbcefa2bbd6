import Pipeline
import TensorEngine
import Testing

/// `precision` in `[model]` (the default) and per stream: parsed, defaulted, and a bad value named by its key.
@Suite("Daemon configuration: precision")
struct PrecisionConfigurationTests {
    static let streams = """
        [[streams]]
        name = "a"
        url = "a.mp4"
        [[streams]]
        name = "b"
        url = "b.mp4"
        precision = "int8"
        """

    @Test func defaultsToFP32() throws {
        let c = try DaemonConfiguration.parse(Self.streams)
        #expect(c.modelPrecision == .fp32)
        #expect(c.streams.map(\.precision) == [nil, .int8])
    }

    @Test func modelTableSetsTheDefault() throws {
        let c = try DaemonConfiguration.parse("[model]\npath = \"m.safetensors\"\nprecision = \"bf16\"\n" + Self.streams)
        #expect(c.modelPrecision == .bf16)
        #expect(c.streams.map(\.precision) == [nil, .int8])
    }

    @Test(arguments: [
        (
            "[model]\npath = \"m.safetensors\"\nprecision = \"fp16\"\n" + streams,
            "<config>: model.precision: expected \"fp32\", \"bf16\" or \"int8\", got 'fp16'"
        ),
        (
            "[[streams]]\nname = \"a\"\nurl = \"x.mp4\"\nprecision = \"INT8\"",
            "<config>: streams[0].precision: expected \"fp32\", \"bf16\" or \"int8\", got 'INT8'"
        ),
        ("[[streams]]\nname = \"a\"\nurl = \"x.mp4\"\nprecision = 8", "<config>: streams[0].precision: expected a string, got integer 8"),
    ])
    func rejectsBadValues(_ toml: String, message: String) {
        do {
            _ = try DaemonConfiguration.parse(toml)
            Issue.record("accepted: \(toml)")
        } catch {
            #expect(error.description == message)
        }
    }
}

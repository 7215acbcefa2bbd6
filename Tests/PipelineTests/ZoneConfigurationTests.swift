import Events
import Foundation
import Pipeline
import Testing

@Suite("Zones and lines in the configuration: typed, validated, errors name the key")
struct ZoneConfigurationTests {
    static let stream = """
        [[streams]]
        name = "cam1"
        url = "rtsp://127.0.0.1/cam"
        """

    @Test("zones and lines with every key, and their defaults")
    func full() throws {
        let c = try DaemonConfiguration.parse(
            Self.stream + """

                [[streams.zones]]
                name = "driveway"
                points = [[100, 400], [620, 400], [620.5, 720], [100, 720]]
                labels = ["person"]
                anchor = "center"
                loiter = 10
                debounce = 3
                margin = 0
                [[streams.zones]]
                name = "lawn"
                relative = true
                points = [[0, 0.5], [0.5, 0.5], [0.5, 1]]
                [[streams.lines]]
                name = "door"
                points = [[320, 480], [320, 0]]
                labels = ["person", "dog"]
                """)
        let stream = try #require(c.streams.first)
        #expect(stream.zones.map(\.name) == ["driveway", "lawn"])
        let driveway = stream.zones[0]
        #expect(driveway.points == [.init(x: 100, y: 400), .init(x: 620, y: 400), .init(x: 620.5, y: 720), .init(x: 100, y: 720)])
        #expect(!driveway.relative && driveway.labels == ["person"] && driveway.anchor == .center && driveway.loiter == 10)
        #expect(driveway.steadiness == Steadiness(frames: 3, margin: 0))
        let lawn = stream.zones[1]
        #expect(lawn.relative && lawn.labels == nil && lawn.anchor == .bottom && lawn.loiter == 0)
        #expect(lawn.steadiness == Steadiness())
        let door = try #require(stream.lines.first)
        #expect(door == LineDefinition(name: "door", from: .init(x: 320, y: 480), to: .init(x: 320, y: 0), labels: ["person", "dog"]))
    }

    @Test("the shipped example's door stream has a zone and a line")
    func example() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/ssdd.toml").path
        let c = try DaemonConfiguration.load(path: path)
        #expect(c.streams[0].zones.map(\.name) == ["driveway"])
        #expect(c.streams[0].lines.map(\.name) == ["entrance"])
        #expect(c.streams[1].zones.isEmpty && c.streams[1].lines.isEmpty)
    }

    static func zone(_ body: String) -> String { stream + "\n[[streams.zones]]\nname = \"z\"\n" + body }
    static func line(_ body: String) -> String { stream + "\n[[streams.lines]]\nname = \"l\"\n" + body }
    static let square = "points = [[0, 0], [10, 0], [10, 10], [0, 10]]\n"

    @Test(
        "malformed zones and lines",
        arguments: [
            (zone(""), "streams[0].zones[0].points: is required: 3 to 256 points [x, y] (source pixels)"),
            (zone("points = [[0, 0], [10, 0]]"), "streams[0].zones[0].points: expected 3 to 256 points [x, y], got 2"),
            (zone("points = [[0, 0], [10, 0], [10, \"a\"]]"), "streams[0].zones[0].points[2]: expected a point [x, y] of two numbers"),
            (zone("points = [[0, 0], [10, 0], [10]]"), "streams[0].zones[0].points[2]: expected a point [x, y] of two numbers"),
            (zone("points = \"all\""), "streams[0].zones[0].points: expected an array of [x, y] points, got string"),
            (
                zone("points = [[0, 0], [5, 5], [10, 10]]"),
                "streams[0].zones[0].points: the polygon encloses no area (its corners lie on one line); list the corners in order around the zone"
            ),
            (
                zone("relative = true\npoints = [[0, 0], [1.5, 0], [1, 1]]"),
                "streams[0].zones[0].points[1]: coordinates must be fractions of the width and height, 0 to 1 (0.0 to 1.0), got [1.5, 0.0]"
            ),
            (
                zone("points = [[0, 0], [1e9, 0], [1, 1]]"),
                "streams[0].zones[0].points[1]: coordinates must be source pixels (-100000.0 to 100000.0), got [1000000000.0, 0.0]"
            ),
            (zone(square + "anchor = \"top\""), "streams[0].zones[0].anchor: expected \"bottom\" or \"center\", got 'top'"),
            (zone(square + "loiter = -1"), "streams[0].zones[0].loiter: must be between 0.0 and 31536000.0, got -1.0"),
            (zone(square + "labels = []"), "streams[0].zones[0].labels: must list at least one label (leave it out to count every label)"),
            (zone(square + "debounce = 0"), "streams[0].zones[0].debounce: must be between 1 and 1000, got 0"),
            (zone(square + "direction = \"in\""), "streams[0].zones[0].direction: unknown key"),
            (
                stream + "\n[[streams.zones]]\nname = \"a b\"\n" + square,
                "streams[0].zones[0].name: use letters, digits, '-', '_' or '.' only, got 'a b'"
            ),
            (line("points = [[0, 0], [0, 0]]"), "streams[0].lines[0].points[1]: must differ from points[0]: a line needs two distinct points"),
            (line("points = [[0, 0], [0, 1], [1, 1]]"), "streams[0].lines[0].points: expected exactly 2 points [x, y], got 3"),
            (line("points = [[0, 0], [0, 1]]\nloiter = 3"), "streams[0].lines[0].loiter: unknown key"),
            (
                zone(square) + "\n[[streams.lines]]\nname = \"z\"\npoints = [[0, 0], [0, 1]]",
                "streams[0].lines[0].name: 'z' is used by another zone or line of this stream"
            ),
        ])
    func malformed(_ text: String, _ expected: String) {
        do {
            _ = try DaemonConfiguration.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.hasPrefix("<config>: " + expected), "\(error.description)")
        }
    }
}

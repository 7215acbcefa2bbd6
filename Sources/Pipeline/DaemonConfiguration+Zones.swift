import Events
import TOMLKit

/// `[[streams.zones]]` and `[[streams.lines]]`: the places of one stream whose events the ``ZoneEventStage`` reports.
extension DaemonConfiguration {
    /// At most this many zones and lines together per stream (each costs work on every detection of every frame).
    static let maxPlacesPerStream = 64
    /// At most this many corners per zone.
    static let maxZonePoints = 256
    /// Absolute coordinates lie within ±this many pixels (a zone may reach beyond the picture's edge).
    static let maxCoordinate = 100_000.0

    /// Reads the stream's zones and lines into `stream`; names are unique among both.
    static func readPlaces(_ s: inout TableReader, into stream: inout StreamConfiguration) throws {
        var names: Set<String> = []
        for var z in try s.tableArray("zones") {
            let zone = try readZone(&z)
            guard names.insert(zone.name).inserted else { throw z.error("name", "'\(zone.name)' is used by another zone or line of this stream") }
            stream.zones.append(zone)
            try z.rejectUnknownKeys()
        }
        for var l in try s.tableArray("lines") {
            let line = try readLine(&l)
            guard names.insert(line.name).inserted else { throw l.error("name", "'\(line.name)' is used by another zone or line of this stream") }
            stream.lines.append(line)
            try l.rejectUnknownKeys()
        }
        guard names.count <= maxPlacesPerStream else {
            throw s.error("zones", "at most \(maxPlacesPerStream) zones and lines per stream, got \(names.count)")
        }
    }

    private static func readZone(_ z: inout TableReader) throws -> ZoneDefinition {
        let name = try placeName(&z)
        let relative = try z.bool("relative") ?? false
        let points = try readPoints(&z, relative: relative, count: 3...maxZonePoints)
        guard Polygon(points).area > 0 else {
            throw z.error("points", "the polygon encloses no area (its corners lie on one line); list the corners in order around the zone")
        }
        var zone = ZoneDefinition(name: name, points: points, relative: relative)
        zone.labels = try readLabels(&z)
        zone.anchor = try readAnchor(&z)
        zone.loiter = try z.double("loiter", default: zone.loiter, range: 0...31_536_000)
        zone.steadiness = try readSteadiness(&z)
        return zone
    }

    private static func readLine(_ l: inout TableReader) throws -> LineDefinition {
        let name = try placeName(&l)
        let relative = try l.bool("relative") ?? false
        let points = try readPoints(&l, relative: relative, count: 2...2)
        guard points[0] != points[1] else { throw l.error("points[1]", "must differ from points[0]: a line needs two distinct points") }
        var line = LineDefinition(name: name, from: points[0], to: points[1], relative: relative)
        line.labels = try readLabels(&l)
        line.anchor = try readAnchor(&l)
        line.steadiness = try readSteadiness(&l)
        return line
    }

    private static func placeName(_ t: inout TableReader) throws -> String {
        let name = try t.requiredString("name")
        guard isSafeName(name) else {
            throw t.error("name", "use letters, digits, '-', '_' or '.' only, got '\(name)'")
        }
        return name
    }

    /// `points = [[x, y], …]`: `count` pairs of numbers, fractions in 0…1 when `relative`.
    private static func readPoints(_ t: inout TableReader, relative: Bool, count: ClosedRange<Int>) throws -> [ImagePoint] {
        let what = count.lowerBound == count.upperBound ? "exactly \(count.lowerBound)" : "\(count.lowerBound) to \(count.upperBound)"
        let unit = relative ? "fractions of the width and height, 0 to 1" : "source pixels"
        guard let value = t.value("points") else { throw t.error("points", "is required: \(what) points [x, y] (\(unit))") }
        guard let array = value.array else { throw t.error("points", "expected an array of [x, y] points, got \(value.type)") }
        guard count.contains(array.count) else { throw t.error("points", "expected \(what) points [x, y], got \(array.count)") }
        let range = relative ? 0...1 : -maxCoordinate...maxCoordinate
        return try (0..<array.count).map { i in
            guard let pair = array[i].array, pair.count == 2, let x = number(pair[0]), let y = number(pair[1]) else {
                throw t.error("points[\(i)]", "expected a point [x, y] of two numbers")
            }
            guard x.isFinite, y.isFinite, range.contains(x), range.contains(y) else {
                throw t.error("points[\(i)]", "coordinates must be \(unit) (\(range.lowerBound) to \(range.upperBound)), got [\(x), \(y)]")
            }
            return ImagePoint(x: x, y: y)
        }
    }

    private static func number(_ value: any TOMLValueConvertible) -> Double? {
        if let double = value.double { return double }
        return value.int.map(Double.init)
    }

    private static func readLabels(_ t: inout TableReader) throws -> [String]? {
        guard let labels = try t.stringArray("labels") else { return nil }
        guard !labels.isEmpty else { throw t.error("labels", "must list at least one label (leave it out to count every label)") }
        return labels
    }

    private static func readAnchor(_ t: inout TableReader) throws -> Anchor {
        guard let name = try t.string("anchor") else { return .bottom }
        guard let anchor = Anchor(rawValue: name) else { throw t.error("anchor", "expected \"bottom\" or \"center\", got '\(name)'") }
        return anchor
    }

    private static func readSteadiness(_ t: inout TableReader) throws -> Steadiness {
        var steadiness = Steadiness()
        steadiness.frames = try t.int("debounce", default: steadiness.frames, range: 1...1000)
        steadiness.margin = try t.double("margin", default: steadiness.margin, range: 0...10_000)
        return steadiness
    }
}

import Foundation
import Geometry

/// Reads detections to evaluate: `ssdd detect` JSON Lines or a COCO results JSON array.
public enum PredictionReader {
    /// Reads `url`, choosing the format from its first non-blank character (`[` is COCO results, `{` JSON Lines).
    ///
    /// JSON Lines: each `"kind": "frame"` line gives its detections to the image whose id is the file stem of
    /// `stream` (other kinds are skipped). COCO results: `image_id`, `category_id` (mapped by `groundTruth`),
    /// `bbox` `[x, y, w, h]`, `score`; unknown categories are dropped, as pycocotools ignores them.
    public static func read(_ url: URL, groundTruth: GroundTruthSet) throws(EvaluationError) -> [ScoredDetection] {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw EvaluationError.missing(url.path) }
        let first = data.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if first == UInt8(ascii: "[") { return try cocoResults(data, file: url.path, groundTruth: groundTruth) }
        return try jsonLines(data, file: url.path)
    }

    /// Parses `ssdd detect` output lines.
    public static func jsonLines(_ data: Data, file: String) throws(EvaluationError) -> [ScoredDetection] {
        var detections: [ScoredDetection] = []
        for (number, line) in data.split(separator: 0x0A).enumerated() {
            guard line.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) else { continue }
            let record = try JSONCursor.parse(Data(line), file: "\(file):\(number + 1)")
            guard try record.optional("kind")?.string() ?? "frame" == "frame" else { continue }
            let image = imageID(ofStream: try record.member("stream").string())
            for entry in try record.member("detections").elements() {
                let corners = try entry.member("box").elements().map { (e: JSONCursor) throws(EvaluationError) -> Double in try e.number() }
                guard corners.count == 4 else { throw try entry.member("box").fail("expected [x1, y1, x2, y2]") }
                detections.append(ScoredDetection(
                    imageID: image, label: try entry.member("label").string(), score: try entry.member("score").number(),
                    box: Box(x1: corners[0], y1: corners[1], x2: corners[2], y2: corners[3])))
            }
        }
        return detections
    }

    /// Parses a COCO results array.
    public static func cocoResults(_ data: Data, file: String, groundTruth: GroundTruthSet) throws(EvaluationError) -> [ScoredDetection] {
        var detections: [ScoredDetection] = []
        for entry in try JSONCursor.parse(data, file: file).elements() {
            let imageCursor = try entry.member("image_id")
            let image = imageCursor.isString ? try imageCursor.string() : String(try imageCursor.integer())
            guard let label = groundTruth.label(ofCategory: try entry.member("category_id").integer()) else { continue }
            detections.append(ScoredDetection(
                imageID: image, label: label, score: try entry.member("score").number(), box: try entry.member("bbox").cocoBox()))
        }
        return detections
    }

    /// The image id an input path stands for: its last component without extension.
    public static func imageID(ofStream stream: String) -> String {
        let name = stream.split(separator: "/").last.map(String.init) ?? stream
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}

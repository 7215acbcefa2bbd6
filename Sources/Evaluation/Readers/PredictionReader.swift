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
        let data = try InputFile.contents(of: url.path, limit: JSONDocument.maxFileBytes)
        let first = data.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if first == UInt8(ascii: "[") { return try cocoResults(data, file: url.path, groundTruth: groundTruth) }
        return try jsonLines(data, file: url.path)
    }

    /// Parses `ssdd detect` output lines; errors name the file and the line (`file:3`).
    public static func jsonLines(_ data: Data, file: String) throws(EvaluationError) -> [ScoredDetection] {
        var detections: [ScoredDetection] = []
        for (number, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) else { continue }
            let name = "\(file):\(number + 1)"
            let bytes = Data(line)
            guard try JSONDocument.decode(DetectLine.Kind.self, from: bytes, file: name).kind ?? "frame" == "frame" else { continue }
            let record = try JSONDocument.decode(DetectLine.self, from: bytes, file: name)
            let image = imageID(ofStream: record.stream)
            for entry in record.detections {
                detections.append(ScoredDetection(imageID: image, label: entry.label, score: entry.score.value, box: entry.box.box))
            }
        }
        return detections
    }

    /// Parses a COCO results array; entries of categories the ground truth does not have are dropped.
    public static func cocoResults(_ data: Data, file: String, groundTruth: GroundTruthSet) throws(EvaluationError) -> [ScoredDetection] {
        try JSONDocument.decode([COCOResultEntry].self, from: data, file: file).compactMap { entry in
            guard let label = groundTruth.label(ofCategory: entry.categoryID.value) else { return nil }
            return ScoredDetection(imageID: entry.imageID.value, label: label, score: entry.score.value, box: entry.bbox.box)
        }
    }

    /// The image id an input path stands for: its last component without extension.
    public static func imageID(ofStream stream: String) -> String {
        let name = stream.split(separator: "/").last.map(String.init) ?? stream
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}

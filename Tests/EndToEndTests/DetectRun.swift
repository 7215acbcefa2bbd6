import Foundation
import Testing

/// The records of one `ssdd detect --all-records` run: its frames (inferred or gated) and its confirmed tracks.
struct DetectRun {
    /// One confirmed track: its span (the track record's `firstFrame`/`lastFrame`) and its box on each frame that
    /// names it (from its confirmation on).
    struct Track {
        let id: Int
        let first: Int
        let last: Int
        let boxes: [Int: [Double]]

        /// The box on the frame nearest to `frame` that names this track.
        func box(near frame: Int) -> [Double]? {
            boxes.min { abs($0.key - frame) < abs($1.key - frame) || (abs($0.key - frame) == abs($1.key - frame) && $0.key < $1.key) }?.value
        }

        var firstBoxFrame: Int? { boxes.keys.min() }
        var lastBoxFrame: Int? { boxes.keys.max() }
    }

    /// Frame records by frame index.
    let frameCount: Int
    /// Frames with `"inferred": false`.
    let gatedFrames: Int
    let tracks: [Track]

    var inferredFrames: Int { frameCount - gatedFrames }
    var inferredFraction: Double { frameCount == 0 ? 0 : Double(inferredFrames) / Double(frameCount) }

    /// Parses `ssdd detect --all-records` output.
    init(lines: String) throws {
        var frames = 0
        var gated = 0
        var spans: [Int: (first: Int, last: Int)] = [:]
        var boxes: [Int: [Int: [Double]]] = [:]
        for line in lines.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            switch object["kind"] as? String {
            case "frame":
                frames += 1
                let index = try #require(object["frame"] as? Int)
                if let inferred = object["inferred"] as? Bool {
                    #expect(inferred == false, "an inferred frame carries no inferred key")
                    gated += 1
                }
                for detection in object["detections"] as? [[String: Any]] ?? [] {
                    guard let track = detection["track"] as? Int, let box = detection["box"] as? [Double] else { continue }
                    boxes[track, default: [:]][index] = box
                }
            case "track" where object["event"] as? String == "end":
                let id = try #require(object["track"] as? Int)
                spans[id] = (try #require(object["firstFrame"] as? Int), try #require(object["lastFrame"] as? Int))
            default:
                continue
            }
        }
        frameCount = frames
        gatedFrames = gated
        tracks = spans.keys.sorted().map { Track(id: $0, first: spans[$0]!.first, last: spans[$0]!.last, boxes: boxes[$0] ?? [:]) }
    }

    /// The tracks of `self` that no track of `other` matches: a match starts and ends within `slack` frames of it, and
    /// its boxes near the track's first and last boxed frames overlap those with IoU ≥ `minimumIoU`.
    func unmatchedTracks(in other: DetectRun, slack: Int = 2, minimumIoU: Double = 0.5) -> [Track] {
        tracks.filter { track in
            !other.tracks.contains { candidate in
                guard abs(candidate.first - track.first) <= slack, abs(candidate.last - track.last) <= slack,
                    let start = track.firstBoxFrame, let end = track.lastBoxFrame
                else { return false }
                return [start, end].allSatisfy { frame in
                    guard let a = track.boxes[frame], let b = candidate.box(near: frame) else { return false }
                    return Self.iou(a, b) >= minimumIoU
                }
            }
        }
    }

    /// Intersection over union of two `[x1, y1, x2, y2]` boxes.
    static func iou(_ a: [Double], _ b: [Double]) -> Double {
        let w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
        let h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
        let intersection = w * h
        let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection
        return union > 0 ? intersection / union : 0
    }
}

import Geometry

extension Tracker {
    /// Matches detections to tracks of the same label, maximising the total IoU between each detection and
    /// the track's predicted box with the Hungarian algorithm; pairs below `iouThreshold` are not matched.
    ///
    /// Labels are processed in sorted order and the assignment itself is deterministic, so equal inputs give
    /// equal matches.
    /// - Returns: pairs `(detectionIndex, trackIndex)`, sorted by detection index.
    static func associate(detections: [TrackDetection], tracks: [Track], iouThreshold: Double) -> [(Int, Int)] {
        var matches: [(Int, Int)] = []
        let labels = Set(detections.map(\.label)).sorted()
        for label in labels {
            let detectionIndices = detections.indices.filter { detections[$0].label == label && detections[$0].box.isTrackable }
            let trackIndices = tracks.indices.filter { tracks[$0].label == label }
            guard !detectionIndices.isEmpty, !trackIndices.isEmpty else { continue }
            let iou = detectionIndices.map { d in
                trackIndices.map { t in detections[d].box.intersectionOverUnion(with: tracks[t].predictedBox) }
            }
            // Gated pairs cost the same as leaving both unmatched (1), so they never win over a real match.
            let cost = iou.map { row in row.map { $0 >= iouThreshold ? 1 - $0 : 1 } }
            for (row, column) in HungarianAlgorithm.minimumCostAssignment(cost).enumerated() {
                guard let column, iou[row][column] >= iouThreshold else { continue }
                matches.append((detectionIndices[row], trackIndices[column]))
            }
        }
        return matches.sorted { $0.0 < $1.0 }
    }
}

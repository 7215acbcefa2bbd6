import Foundation
import ModelStore

/// Turns class logits (`count × classes`, slot 0 = background) into per-class scores of the same layout.
enum ScoreConverter {
    static func scores(_ logits: [Float], classes: Int, scoring: Scoring) -> [Float] {
        var scores = [Float](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { x in
            scores.withUnsafeMutableBufferPointer { y in
                switch scoring {
                case .sigmoid:
                    for i in 0..<x.count { y[i] = 1 / (1 + Foundation.exp(-x[i])) }
                case .softmax:
                    for row in stride(from: 0, to: x.count, by: classes) {
                        var maximum = -Float.infinity
                        for k in 0..<classes { maximum = max(maximum, x[row + k]) }
                        var sum: Float = 0
                        for k in 0..<classes {
                            let e = Foundation.exp(x[row + k] - maximum)
                            y[row + k] = e
                            sum += e
                        }
                        for k in 0..<classes { y[row + k] /= sum }
                    }
                }
            }
        }
        return scores
    }
}

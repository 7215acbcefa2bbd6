import Detection
import Foundation
import Logging
import MediaIO

extension InferenceWorker {
    /// ``run()`` with batching: takes up to ``maxBatch`` waiting frames of streams that share a detector (oldest first
    /// across them, ``FrameScheduler/take(upTo:batchable:)``), runs them in one forward pass and hands each to
    /// delivery in the order taken. Each frame is counted with the pass's time divided by the frames in it. A batch
    /// whose pass fails fails each of its frames (logged and reported, delivered without detections), as ``run()``
    /// does a single frame.
    func runBatches() {
        while true {
            let items = scheduler.take(upTo: maxBatch) { sharesDetector($0, $1) }
            guard let first = items.first else { return }
            let start = DispatchTime.now().uptimeNanoseconds
            var results: [[Detection]] = Array(repeating: [], count: items.count)
            do {
                guard let detector = slot(of: first).detector else {
                    throw DetectionError.invalidModel("the stream's model did not load")
                }
                results = try detector.detect(batch: items.map(\.frame))
            } catch {
                for item in items {
                    let name = slot(of: item).configuration.name
                    logger.error("inference failed: \(error)", metadata: ["stream": "\(name)", "frame": "\(item.frameIndex)"])
                    report?.failed("\(name): frame \(item.frameIndex): inference failed: \(error)")
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(items.count)
            for (item, detections) in zip(items, results) {
                complete(item, stream: slot(of: item).configuration, detections: detections, seconds: seconds)
            }
        }
    }
}

import Foundation
import Geometry
import Imaging
import Sinks

/// What snapshots, `latest.jpg` and `ssdd annotate` draw for detections: the box in its track's colour with the
/// caption `LABEL SCORE #TRACK` (`person 0.93 #3`; no `#…` while the track is tentative).
public enum FrameAnnotations {
    /// The caption of `detection`.
    public static func caption(for detection: DetectionRecord) -> String {
        let score = (detection.score * 100).rounded() / 100
        let text = "\(detection.label) \(String(format: "%.2f", score))"
        return detection.trackID.map { "\(text) #\($0)" } ?? text
    }

    /// The annotation of `detection` on an image whose pixels are the source pixels times (`scaleX`, `scaleY`).
    public static func annotation(for detection: DetectionRecord, scaleX: Double = 1, scaleY: Double = 1) -> BoxAnnotation {
        let b = detection.box
        return BoxAnnotation(
            box: Box(x1: b.x1 * scaleX, y1: b.y1 * scaleY, x2: b.x2 * scaleX, y2: b.y2 * scaleY), caption: caption(for: detection),
            color: .annotationColor(for: detection.trackID))
    }

    /// Draws `overlay`, then every detection (boxes in source pixels of a `sourceWidth × sourceHeight` frame, scaled to
    /// `image`'s size when it differs), tentative ones first so confirmed tracks' captions stay on top.
    public static func draw(
        _ detections: [DetectionRecord], overlay: SceneOverlay = .empty, on image: inout RGBImage, sourceWidth: Int, sourceHeight: Int
    ) {
        let scaleX = sourceWidth > 0 ? Double(image.width) / Double(sourceWidth) : 1
        let scaleY = sourceHeight > 0 ? Double(image.height) / Double(sourceHeight) : 1
        let scale = image.annotationScale
        if !overlay.isEmpty { image.draw(overlay, scaleX: scaleX, scaleY: scaleY, textScale: scale) }
        let ordered = detections.filter { $0.trackID == nil } + detections.filter { $0.trackID != nil }
        for detection in ordered {
            image.draw(annotation(for: detection, scaleX: scaleX, scaleY: scaleY), scale: scale)
        }
    }
}

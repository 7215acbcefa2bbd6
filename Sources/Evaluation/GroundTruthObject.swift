import Geometry

/// One annotated object.
public struct GroundTruthObject: Sendable, Equatable, Codable {
    /// Identifier of the image it belongs to (VOC file stem, or the COCO image id as text).
    public var imageID: String
    /// Class name (VOC `name`, COCO category `name`).
    public var label: String
    /// Box in pixels; VOC keeps the annotation's 1-based integer corners, COCO `[x, y, w, h]` converted to corners.
    public var box: Box
    /// VOC `difficult`: detections matched to it count neither as true nor as false positives.
    public var difficult: Bool
    /// COCO `iscrowd`: may be matched by any number of detections, with IoU = intersection / detection area.
    public var isCrowd: Bool
    /// COCO annotation `area` (segment area); nil means the box area.
    public var area: Double?
    /// COCO annotation id (0 when absent); pycocotools treats id 0 as "unmatched", so readers number from 1.
    public var id: Int

    public init(
        imageID: String, label: String, box: Box, difficult: Bool = false, isCrowd: Bool = false, area: Double? = nil, id: Int = 0
    ) {
        self.imageID = imageID
        self.label = label
        self.box = box
        self.difficult = difficult
        self.isCrowd = isCrowd
        self.area = area
        self.id = id
    }

    /// The area COCO's area ranges use: the annotation's own area, else the box area (pycocotools' `w × h`).
    public var evaluationArea: Double { area ?? box.signedArea }
}

/// One scored detection to evaluate.
public struct ScoredDetection: Sendable, Equatable, Codable {
    public var imageID: String
    public var label: String
    public var score: Double
    public var box: Box

    public init(imageID: String, label: String, score: Double, box: Box) {
        self.imageID = imageID
        self.label = label
        self.score = score
        self.box = box
    }
}

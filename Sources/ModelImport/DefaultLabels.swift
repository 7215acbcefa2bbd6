/// Built-in label sets and the rule that applies user-given labels.
enum DefaultLabels {
    /// Labels for a 1-class (person) detector.
    static let person = ["background", "person"]

    /// PASCAL VOC labels in the order of the Caffe SSD label map (`labelmap_voc.prototxt`), slot 0 background; also
    /// MobileNet-SSD's 21 classes.
    static let voc = [
        "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable",
        "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ]

    /// COCO labels by TF Object Detection API class id (`mscoco_label_map`), slot 0 background; unused ids are "N/A".
    static let coco: [String] = [
        "background", "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
        "traffic light", "fire hydrant", "N/A", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse",
        "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "N/A", "backpack", "umbrella", "N/A", "N/A", "handbag",
        "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove",
        "skateboard", "surfboard", "tennis racket", "bottle", "N/A", "wine glass", "cup", "fork", "knife", "spoon",
        "bowl", "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake",
        "chair", "couch", "potted plant", "bed", "N/A", "dining table", "N/A", "N/A", "toilet", "N/A", "tv", "laptop",
        "mouse", "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "N/A",
        "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush",
    ]

    /// The labels for a model with `slots` class slots: `given` (with "background" prepended when one short), or the
    /// built-in set for 2 or 91 slots.
    static func resolve(_ given: [String]?, slots: Int, file: String) throws -> [String] {
        if let given {
            if given.count == slots { return given }
            if given.count == slots - 1 { return ["background"] + given }
            throw ModelImportError.labelCount(file: file, slots: slots, given: given.count)
        }
        switch slots {
        case person.count: return person
        case coco.count: return coco
        default: throw ModelImportError.noDefaultLabels(file: file, slots: slots)
        }
    }
}

import Evaluation
import Foundation
import Geometry
import TestSupport
import Testing

/// VOC, COCO and prediction readers: values, ordering and exact error messages.
@Suite struct ReaderTests {
    /// A fresh scratch directory (removed when the test process exits).
    static func temporaryDirectory() throws -> URL {
        let url = ScratchDirectory.make("eval")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("Annotations"), withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, _ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    static let annotation = """
        <?xml version="1.0"?>
        <!-- VOC style -->
        <annotation>
          <filename>a.jpg</filename>
          <object><name>dog</name><pose>Left</pose><difficult>1</difficult>
            <bndbox><xmin>48</xmin><ymin>240</ymin><xmax>195</xmax><ymax>371</ymax></bndbox></object>
          <object><name>person</name><bndbox><xmin>8</xmin><ymin>12</ymin><xmax>352</xmax><ymax>498</ymax></bndbox></object>
        </annotation>
        """

    @Test func vocAnnotationsAndSplit() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.write(Self.annotation, root.appendingPathComponent("Annotations/a.xml"))
        try Self.write(Self.annotation.replacingOccurrences(of: "a.jpg", with: "b.jpg"), root.appendingPathComponent("Annotations/b.xml"))
        try Self.write("b\n", root.appendingPathComponent("ImageSets/Main/test.txt"))
        let all = try VOCDatasetReader(root: root).read()
        #expect(all.images == ["a", "b"] && all.labels == VOCDatasetReader.pascalClasses)
        #expect(all.objects[0] == GroundTruthObject(imageID: "a", label: "dog", box: Box(x1: 48, y1: 240, x2: 195, y2: 371), difficult: true, id: 1))
        #expect(all.objects[1].difficult == false && all.imagePaths["a"] == root.appendingPathComponent("JPEGImages/a.jpg").path)
        let test = try VOCDatasetReader(root: root).read(split: "test")
        #expect(test.images == ["b"] && test.objects.count == 2)
    }

    @Test(arguments: [
        ("<annotation><object><name>dog</name></object></annotation>", "annotation/object[1]/bndbox: missing"),
        (
            "<annotation><object><name>dog</name><bndbox><xmin>1</xmin><ymin>x</ymin><xmax>3</xmax><ymax>4</ymax></bndbox></object></annotation>",
            "annotation/object[1]/bndbox/ymin: 'x' is not a number"
        ),
        (
            "<annotation><object><name>cat</name><difficult>2</difficult><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>3</xmax><ymax>4</ymax></bndbox></object></annotation>",
            "annotation/object[1]/difficult: '2' is not 0 or 1"
        ),
        ("<annotation><object><name>dog</name>", "line 1, column 37: missing </object>"),
        ("<annotation></annot>", "line 1, column 21: the end tag does not close <annotation>"),
        ("<annotation>\n  <object><name>d&og;</name></object></annotation>", "line 2, column 22: unknown or malformed entity reference in <name>"),
        ("<annotation/><annotation/>", "line 1, column 14: unexpected content after the root element"),
        ("<annotation/>trailing", "line 1, column 14: unexpected content after the root element"),
        ("", "line 1, column 1: expected the root element (the document is empty or ends inside a tag)"),
        ("just text", "line 1, column 1: expected the root element"),
        (
            "<?xml version=\"1.0\"?>\n<!DOCTYPE a [\n<!ENTITY e \"xx\">]><annotation>&e;</annotation>",
            "line 3, column 1: entity declarations are not accepted"
        ),
        ("<folder>VOC</folder>", "folder: the root element must be <annotation>"),
        (String(repeating: "<a>", count: 65) + String(repeating: "</a>", count: 65), "line 1, column 195: elements nest more than 64 deep"),
    ])
    func vocErrorsNameFileAndElement(xml: String, message: String) throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("Annotations/x.xml")
        try Self.write(xml, file)
        #expect(
            throws: EvaluationError.malformed(
                file: file.path, element: String(message.split(separator: ":")[0]), String(message.split(separator: ":", maxSplits: 1)[1].dropFirst())
            )
        ) {
            try VOCDatasetReader(root: root).read()
        }
    }

    @Test("XMLParser decodes entities and CDATA, skips comments, attributes and processing instructions")
    func vocTextDecoding() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.write(
            """
            <?xml version="1.0" encoding="utf-8"?>
            <annotation verified="yes"><filename>a&amp;b.jpg</filename>
              <object><name><![CDATA[d&g]]> <!-- a comment --></name><?pi x?>
                <bndbox><xmin> 1 </xmin><ymin>2</ymin><xmax>&#51;</xmax><ymax>4.5</ymax></bndbox></object>
            </annotation>
            """, root.appendingPathComponent("Annotations/a.xml"))
        let set = try VOCDatasetReader(root: root).read()
        #expect(set.objects == [GroundTruthObject(imageID: "a", label: "d&g", box: Box(x1: 1, y1: 2, x2: 3, y2: 4.5), id: 1)])
        #expect(set.imagePaths["a"] == root.appendingPathComponent("JPEGImages/a&b.jpg").path)
    }

    @Test func cocoReaderOrdersLikePycocotools() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("instances.json")
        try Self.write(
            """
            {"images":[{"id":12,"file_name":"x.jpg"},{"id":3,"file_name":"y.jpg"}],
             "categories":[{"id":18,"name":"dog"},{"id":1,"name":"person"}],
             "annotations":[{"id":5,"image_id":12,"category_id":18,"bbox":[1.5,2,10,20],"area":150,"iscrowd":1},
                            {"id":6,"image_id":3,"category_id":1,"bbox":[0,0,4,4]}]}
            """, file)
        let set = try COCODatasetReader(annotationFile: file, imageDirectory: root).read()
        #expect(set.images == ["3", "12"] && set.labels == ["person", "dog"])
        #expect(
            set.objects[0]
                == GroundTruthObject(imageID: "12", label: "dog", box: Box(x1: 1.5, y1: 2, x2: 11.5, y2: 22), isCrowd: true, area: 150, id: 5))
        #expect(set.objects[1].evaluationArea == 16 && set.label(ofCategory: 18) == "dog")
        try Self.write(#"{"images":[{"id":1}],"categories":[],"annotations":[{"image_id":1,"category_id":1,"bbox":[0,0,1,2]}]}"#, file)
        #expect(throws: EvaluationError.malformed(file: file.path, element: "annotations[0].category_id", "unknown category")) {
            try COCODatasetReader(annotationFile: file, imageDirectory: root).read()
        }
        try Self.write(
            #"{"images":[{"id":1}],"categories":[{"id":1,"name":"a"}],"annotations":[{"image_id":1,"category_id":1,"bbox":[0,0,-1,2]}]}"#, file)
        #expect(
            throws: EvaluationError.malformed(
                file: file.path, element: "annotations[0].bbox", "expected [x, y, width, height] with width, height ≥ 0")
        ) {
            try COCODatasetReader(annotationFile: file, imageDirectory: root).read()
        }
    }

    @Test func predictionsFromDetectLinesAndCOCOResults() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let truth = GroundTruthSet(images: ["a", "7"], labels: ["person", "dog"], objects: [])
        let lines = root.appendingPathComponent("p.jsonl")
        try Self.write(
            """
            {"v":1,"kind":"frame","stream":"/data/JPEGImages/a.jpg","frame":0,"pts":0,"width":10,"height":10,"detections":[{"label":"dog","class":18,"score":0.5,"box":[1,2,3,4]}]}
            {"v":1,"kind":"notice","message":"x"}

            """, lines)
        #expect(
            try PredictionReader.read(lines, groundTruth: truth) == [
                ScoredDetection(imageID: "a", label: "dog", score: 0.5, box: Box(x1: 1, y1: 2, x2: 3, y2: 4))
            ])
        let results = root.appendingPathComponent("r.json")
        try Self.write(
            #"[{"image_id":7,"category_id":2,"bbox":[1,2,3,4],"score":0.25},{"image_id":7,"category_id":9,"bbox":[1,2,3,4],"score":0.25}]"#, results)
        #expect(
            try PredictionReader.read(results, groundTruth: truth) == [
                ScoredDetection(imageID: "7", label: "dog", score: 0.25, box: Box(x1: 1, y1: 2, x2: 4, y2: 6))
            ])
        try Self.write(#"{"kind":"frame","stream":"a.jpg","detections":[{"label":"dog","score":"high","box":[1,2,3,4]}]}"#, lines)
        #expect(throws: EvaluationError.malformed(file: lines.path + ":1", element: "detections[0].score", "expected a number")) {
            try PredictionReader.read(lines, groundTruth: truth)
        }
    }

    @Test func reportTableAndUnknownImage() throws {
        let truth = GroundTruthSet(
            images: ["1"], labels: ["cat"], objects: [GroundTruthObject(imageID: "1", label: "cat", box: Box(x1: 0, y1: 0, x2: 50, y2: 50))])
        let report = try EvaluationReport(
            detections: [ScoredDetection(imageID: "1", label: "cat", score: 0.9, box: Box(x1: 0, y1: 0, x2: 50, y2: 50))], groundTruth: truth)
        // pycocotools' precision is tp / (tp + fp + eps), so a perfect class scores just below 1.
        #expect(abs(report.coco["AP"]! - 1) < 1e-12 && report.coco["AP"]! < 1 && report.coco["APs"] == -1)
        #expect(abs(report.classes[0].cocoAP50! - 1) < 1e-12)
        #expect(report.table().split(separator: "\n").last == "cat          1           1    1.0000   1.0000     1.0000")
        #expect(throws: EvaluationError.unknownImage("2")) {
            try VOCEvaluator().evaluate(
                [ScoredDetection(imageID: "2", label: "cat", score: 1, box: Box(x1: 0, y1: 0, x2: 1, y2: 1))], groundTruth: truth)
        }
    }
}

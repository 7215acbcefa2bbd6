import Evaluation
import Foundation
import Geometry
import TestSupport
import Testing

/// The JSON readers (Codable): every rejected value is named by file and coding path with an exact message.
@Suite struct JSONReaderTests {
    static func write(_ text: String, name: String) throws -> URL {
        let url = ScratchDirectory.make("eval-json").appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// A valid instances file whose fourth annotation (`annotations[3]`) is `annotation`.
    static func instances(annotation: String, images: String = #"[{"id":1,"file_name":"a.jpg"},{"id":2}]"#) -> String {
        let good = #"{"image_id":1,"category_id":3,"bbox":[0,0,2,2]}"#
        return """
            {"images":\(images),"categories":[{"id":3,"name":"cat"}],
             "annotations":[\(good),\(good),\(good),\(annotation)]}
            """
    }

    @Test(arguments: [
        (
            instances(annotation: #"{"image_id":1,"category_id":3,"bbox":[0,0,2]}"#), "annotations[3].bbox",
            "expected 4 numbers [x, y, width, height], got 3"
        ),
        (
            instances(annotation: #"{"image_id":1,"category_id":3,"bbox":[0,0,2,2,2]}"#), "annotations[3].bbox",
            "expected 4 numbers [x, y, width, height], got 5"
        ),
        (instances(annotation: #"{"image_id":1,"category_id":3,"bbox":[0,"1",2,2]}"#), "annotations[3].bbox[1]", "expected a number"),
        (instances(annotation: #"{"image_id":1,"category_id":3,"bbox":[0,0,1e400,2]}"#), "annotations[3].bbox[2]", "expected a number"),
        (
            instances(annotation: #"{"image_id":1,"category_id":3,"bbox":[0,0,2,-0.5]}"#), "annotations[3].bbox",
            "expected [x, y, width, height] with width, height ≥ 0"
        ),
        (instances(annotation: #"{"image_id":1,"category_id":3,"bbox":{"x":0}}"#), "annotations[3].bbox", "expected an array"),
        (instances(annotation: #"{"image_id":1,"category_id":3}"#), "annotations[3].bbox", "missing"),
        (instances(annotation: #"{"image_id":null,"category_id":3,"bbox":[0,0,2,2]}"#), "annotations[3].image_id", "missing"),
        (instances(annotation: #"{"image_id":1.5,"category_id":3,"bbox":[0,0,2,2]}"#), "annotations[3].image_id", "expected an integer"),
        (instances(annotation: #"{"image_id":1e15,"category_id":3,"bbox":[0,0,2,2]}"#), "annotations[3].image_id", "expected an integer"),
        (instances(annotation: #"{"image_id":9,"category_id":3,"bbox":[0,0,2,2]}"#), "annotations[3].image_id", "image 9 is not in `images`"),
        (instances(annotation: #"{"image_id":1,"category_id":4,"bbox":[0,0,2,2]}"#), "annotations[3].category_id", "unknown category"),
        (instances(annotation: #"{"image_id":1,"category_id":3,"bbox":[0,0,2,2],"iscrowd":2}"#), "annotations[3].iscrowd", "expected 0 or 1"),
        (instances(annotation: #"{"image_id":1,"category_id":3,"bbox":[0,0,2,2],"area":"big"}"#), "annotations[3].area", "expected a number"),
        (instances(annotation: #"{"image_id":1,"category_id":3,"bbox":[0,0,2,2],"id":-0.25}"#), "annotations[3].id", "expected an integer"),
        (instances(annotation: "7"), "annotations[3]", "expected an object"),
        (instances(annotation: "{}", images: #"[{"id":1,"file_name":7}]"#), "images[0].file_name", "expected a string"),
        (#"{"images":[],"annotations":[]}"#, "categories", "missing"),
        (#"{"images":[],"categories":{},"annotations":[]}"#, "categories", "expected an array"),
        (#"{"images":[],"categories":[{"id":1,"name":2}],"annotations":[]}"#, "categories[0].name", "expected a string"),
        (#"[]"#, "$", "expected an object"),
        (#"{"images":[}"#, "$", "not valid JSON"),
        ("", "$", "not valid JSON"),
    ])
    func instancesErrors(json: String, element: String, problem: String) throws {
        let file = try Self.write(json, name: "instances.json")
        #expect(throws: EvaluationError.malformed(file: file.path, element: element, problem)) {
            try COCODatasetReader(annotationFile: file, imageDirectory: file.deletingLastPathComponent()).read()
        }
    }

    @Test func instancesMessageReadsAsOneLine() throws {
        let file = try Self.write(Self.instances(annotation: #"{"image_id":1,"category_id":3,"bbox":[1,2,3]}"#), name: "instances.json")
        let error = #expect(throws: EvaluationError.self) {
            try COCODatasetReader(annotationFile: file, imageDirectory: file.deletingLastPathComponent()).read()
        }
        #expect(error?.description == "\(file.path): annotations[3].bbox: expected 4 numbers [x, y, width, height], got 3")
    }

    @Test func flagsAcceptBooleansAndNumbers() throws {
        let json = Self.instances(annotation: #"{"id":40,"image_id":2,"category_id":3,"bbox":[1,2,3,4],"iscrowd":true,"area":12.5}"#)
        let set = try COCODatasetReader(annotationFile: try Self.write(json, name: "instances.json"), imageDirectory: URL(fileURLWithPath: "/img"))
            .read()
        #expect(set.images == ["1", "2"] && set.imagePaths == ["1": "/img/a.jpg"])
        #expect(set.objects.map(\.id) == [1, 2, 3, 40])
        #expect(
            set.objects[3] == GroundTruthObject(imageID: "2", label: "cat", box: Box(x1: 1, y1: 2, x2: 4, y2: 6), isCrowd: true, area: 12.5, id: 40))
        #expect(set.objects[0].isCrowd == false && set.objects[0].area == nil)
    }

    static let truth = GroundTruthSet(images: ["a", "7"], labels: ["person", "dog"], objects: [])

    @Test(arguments: [
        (#"[{"image_id":7,"category_id":2,"bbox":[1,2,3,4]}]"#, "$[0].score", "missing"),
        (
            #"[{"image_id":7,"category_id":2,"bbox":[1,2,3,4],"score":0.5},{"image_id":true,"category_id":2,"bbox":[1,2,3,4],"score":0.5}]"#,
            "$[1].image_id", "expected a string or an integer"
        ),
        (#"[{"image_id":7,"category_id":"2","bbox":[1,2,3,4],"score":0.5}]"#, "$[0].category_id", "expected a number"),
        (#"[{"image_id":7,"category_id":2,"bbox":[1,2,3],"score":0.5}]"#, "$[0].bbox", "expected 4 numbers [x, y, width, height], got 3"),
        (#"[7]"#, "$[0]", "expected an object"),
    ])
    func resultsErrors(json: String, element: String, problem: String) throws {
        let file = try Self.write(json, name: "results.json")
        #expect(throws: EvaluationError.malformed(file: file.path, element: element, problem)) {
            try PredictionReader.read(file, groundTruth: Self.truth)
        }
    }

    @Test func resultsTakeStringImageIDs() throws {
        let file = try Self.write(#"[{"image_id":"a","category_id":1,"bbox":[1,2,3,4],"score":0.5}]"#, name: "results.json")
        #expect(
            try PredictionReader.read(file, groundTruth: Self.truth) == [
                ScoredDetection(imageID: "a", label: "person", score: 0.5, box: Box(x1: 1, y1: 2, x2: 4, y2: 6))
            ])
    }

    @Test(arguments: [
        (
            #"{"kind":"frame","stream":"a.jpg","detections":[{"label":"dog","score":0.5,"box":[1,2,3]}]}"#, "detections[0].box",
            "expected 4 numbers [x1, y1, x2, y2], got 3"
        ),
        (
            #"{"kind":"frame","stream":"a.jpg","detections":[{"label":"dog","score":0.5,"box":[1,2,3,4]},{"score":0.5,"box":[1,2,3,4]}]}"#,
            "detections[1].label", "missing"
        ),
        (#"{"kind":5}"#, "kind", "expected a string"),
        (#"{"stream":"a.jpg"}"#, "detections", "missing"),
        (#"{"kind":"frame","stream":"a.jpg","detections":[}"#, "$", "not valid JSON"),
    ])
    func detectLineErrors(line: String, element: String, problem: String) throws {
        let file = try Self.write(#"{"kind":"notice","message":"skipped whatever it holds","detections":7}"# + "\n\n" + line + "\n", name: "p.jsonl")
        #expect(throws: EvaluationError.malformed(file: file.path + ":3", element: element, problem)) {
            try PredictionReader.read(file, groundTruth: Self.truth)
        }
    }
}

import Foundation
import Imaging
import MediaIO
import TestSupport
import Testing
import Training

@Suite("Training data from a COCO-format dataset")
struct DataCOCOLoaderTests {
    @Test("boxes, classes and images load; crowd regions are left out")
    func loadsCOCO() throws {
        let dir = ScratchDirectory.make("coco")
        let image = RGBImage(width: 40, height: 30) { x, y in (UInt8(x * 6), UInt8(y * 8), 77) }
        try Data(PNGEncoder.encode(image)).write(to: dir.appendingPathComponent("a.png"))
        let json = """
            {"images":[{"id":7,"file_name":"a.png","width":40,"height":30}],
             "categories":[{"id":3,"name":"cat"},{"id":9,"name":"dog"}],
             "annotations":[
               {"id":1,"image_id":7,"category_id":9,"bbox":[2.5,3,10,12],"area":120,"iscrowd":0},
               {"id":2,"image_id":7,"category_id":3,"bbox":[20,5,8,8],"area":64,"iscrowd":0},
               {"id":3,"image_id":7,"category_id":3,"bbox":[0,0,40,30],"area":1200,"iscrowd":1}]}
            """
        let annotations = dir.appendingPathComponent("instances.json")
        try Data(json.utf8).write(to: annotations)
        let (labels, samples) = try DetectionDataset.loadCOCO(annotationFile: annotations, imageDirectory: dir, loadImage: StillImage.decode)
        #expect(labels == ["cat", "dog"])
        #expect(samples.count == 1)
        #expect(samples[0].image == image)
        #expect(samples[0].labels == [2, 1])
        #expect(samples[0].boxes == [2.5, 3, 12.5, 15, 20, 5, 28, 13])
    }
}

import Foundation
import Imaging
import MediaIO
import TestSupport
import Testing

/// `cv2.resize(INTER_LINEAR)` on darknet's photos (tools/opencv_resize_golden.py): the photo decoded through FFmpeg
/// as the ffmpeg CLI decoded it for OpenCV, resized to the SSD sizes, odd sizes, half and double, byte for byte.
@Suite("OpenCV INTER_LINEAR on real photos")
struct OpenCVResizePhotoTests {
    struct Golden: Decodable {
        struct Output: Decodable {
            let out: [Int]
            let fnv1a64: String
        }
        struct Photo: Decodable {
            let path: String
            let size: [Int]
            let input_fnv1a64: String
            let outputs: [Output]
        }
        let photos: [Photo]
    }

    @Test("dog, person, horses: 6 sizes each, every byte as cv2.resize (FNV-1a of the pixels)")
    func photos() throws {
        let url = try #require(Bundle.module.url(forResource: "opencv_resize_photos", withExtension: "json", subdirectory: "Fixtures"))
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
        #expect(golden.photos.count == 3)
        for photo in golden.photos {
            let image = try StillImage.decode(photo.path)
            #expect([image.width, image.height] == photo.size)
            #expect(FNV1a.hexDigest(image.pixels) == photo.input_fnv1a64, "\(photo.path): FFmpeg decodes other pixels than the CLI did")
            for output in photo.outputs {
                let resized = OpenCVLinearResizer.resize(image, width: output.out[0], height: output.out[1])
                #expect(FNV1a.hexDigest(resized.pixels) == output.fnv1a64, "\(photo.path) → \(output.out)")
            }
        }
    }
}

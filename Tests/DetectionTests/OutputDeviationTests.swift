import Detection
import Testing

@Suite("Raw output deviation of a reduced precision")
struct OutputDeviationTests {
    @Test func relativeErrorAndLargestDifferenceOverImages() {
        var deviation = OutputDeviation()
        #expect(deviation.relativeError == 0 && deviation.count == 0)
        deviation.add(reference: [3, 4], reduced: [3, 4.5])
        deviation.add(reference: [0, 0], reduced: [0, -0.5])
        // ‖Δ‖ = √(0.25 + 0.25), ‖fp32‖ = 5.
        #expect(abs(deviation.relativeError - 0.5.squareRoot() / 5) < 1e-12)
        #expect(deviation.maximumError == 0.5 && deviation.count == 4 && deviation.nonFinite == 0)
        #expect(deviation.summary == "relative error 0.1414, max |Δ| 0.5000")
    }

    @Test func nonFiniteValuesAreCountedApart() {
        var deviation = OutputDeviation()
        deviation.add(reference: [1, .nan, 2], reduced: [1, 1, .infinity])
        #expect(deviation.count == 1 && deviation.nonFinite == 2 && deviation.relativeError == 0)
        #expect(deviation.summary == "relative error 0.0000, max |Δ| 0.0000, 2 non-finite")
        var zeros = OutputDeviation()
        zeros.add(reference: [0, 0], reduced: [0, 1])
        #expect(zeros.relativeError == .infinity)
    }
}
